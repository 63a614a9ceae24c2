// The one way out: the loop guard and opt-out suppression are decided when a message is claimed.
import { describe, expect, it } from 'vitest';
import { engines, testDb } from './support/db.js';
import { dispatch, enqueue } from '../src/outbox/outbox.js';
import { SettableClock } from '../src/model/index.js';
import { TEST_NOW } from './support/time.js';

describe.each(engines)('outbox on %s', (engine) => {
  it('stops the eleventh identical message to one number in ten minutes, within a batch and across them', async () => {
    const db = await testDb(engine);
    const clock = new SettableClock(TEST_NOW);
    try {
      const same = { channel: 'sms' as const, to: '+46701234567', text: 'Samma text igen', purpose: 'notification' as const };
      await enqueue(db, Array.from({ length: 12 }, () => same), clock.now());
      const first = await dispatch(db, async () => {}, clock);
      expect(first.filter((m) => m.status === 'sent')).toHaveLength(10);
      expect(first.filter((m) => m.status === 'suppressed').map((m) => m.reason)).toEqual(['loop-guard', 'loop-guard']);
      await enqueue(db, [same, { ...same, text: 'En annan text' }], clock.now());
      expect((await dispatch(db, async () => {}, clock)).map((m) => m.reason ?? m.status)).toEqual(['loop-guard', 'sent']);
      // Ten minutes on, it may go again.
      clock.advance(11 * 60_000);
      await enqueue(db, [same], clock.now());
      expect((await dispatch(db, async () => {}, clock)).map((m) => m.status)).toEqual(['sent']);
    } finally {
      await db.close();
    }
  });
});
