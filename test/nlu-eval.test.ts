// The labelled set of intents/eval/ as a regression guard. Only "train" lines are the
// classifier's examples; "dev" lines were tuned on; "test" lines were written blind and never tuned on.
import { describe, expect, it } from 'vitest';
import { evaluate, loadExamples } from '../src/understanding/evaluate.js';

const all = loadExamples();
const heldOut = evaluate(all.filter((e) => e.split === 'test'));
const dev = evaluate(all.filter((e) => e.split === 'dev'));
const train = evaluate(all.filter((e) => e.split === 'train'));

describe('understanding on the labelled set', () => {
  it('has a real set: 400+ messages, both roles, every intent of the catalog, a quarter held out', () => {
    expect(all.length).toBeGreaterThanOrEqual(400);
    expect(heldOut.examples / all.length).toBeGreaterThan(0.15);
    const intents = new Set(all.map((e) => e.intent));
    for (const intent of ['contact.lookup', 'meeting.next', 'meeting.confirm', 'meeting.cancel', 'meeting.reschedule', 'meeting.request', 'checkin.answer', 'escalation.request', 'crisis', 'optout', 'optin', 'help', 'smalltalk', 'unknown', 'meeting.book', 'meeting.attendance', 'checkin.status', 'checkin.send', 'reminder.send', 'escalation.list', 'digest.request', 'caseload.list']) {
      expect(intents, intent).toContain(intent);
    }
  });

  it('misses no crisis phrasing, held out or not', () => {
    for (const r of [train, dev, heldOut]) expect(r.crisis.recall).toBe(1);
  });

  it('raises no crisis alarm on the hard negatives (idioms, everyday talk)', () => {
    for (const r of [train, dev, heldOut]) expect(r.crisis.hardNegativeFalseAlarms).toBe(0);
  });

  it('fills slots with at least 0.90 accuracy on the held-out part', () => {
    expect(heldOut.slotAccuracy).toBeGreaterThanOrEqual(0.9);
  });

  it('reaches 0.95 intent accuracy on the tuned-on dev part', () => {
    expect(dev.intentAccuracy).toBeGreaterThanOrEqual(0.95);
  });
});
