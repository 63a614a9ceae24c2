// The one way out: the loop guard and opt-out suppression are decided when a message is claimed,
// by the tick's dispatch or as a turn writes its replies already claimed.
import { describe, expect, it } from 'vitest';
import { engines, testDb } from './support/db.js';
import { dispatch, enqueue, enqueueClaimed, type OutboxRow } from '../src/outbox/outbox.js';
import type { Db } from '../src/store/db.js';
import { SettableClock, type OutboundMessage } from '../src/model/index.js';
import { TEST_NOW } from './support/time.js';

/** The two ways a message is written and sent: pending for a dispatch to claim, or claimed as it is written. */
const ways: [string, (db: Db, messages: OutboundMessage[], clock: SettableClock) => Promise<OutboxRow[]>][] = [
  ['written pending, then claimed', async (db, messages, clock) => (await enqueue(db, messages, clock.now()), dispatch(db, async () => {}, clock))],
  ['written claimed', async (db, messages, clock) => dispatch(db, async () => {}, clock, { claimed: await enqueueClaimed(db, messages, clock.now()) })],
];

describe.each(engines)('outbox on %s', (engine) => {
  it.each(ways)('stops the eleventh identical message to one number in ten minutes, within a batch and across them (%s)', async (_way, send) => {
    const db = await testDb(engine);
    const clock = new SettableClock(TEST_NOW);
    try {
      const same = { channel: 'sms' as const, to: '+46701740621', text: 'Samma text igen', purpose: 'notification' as const };
      const first = await send(db, Array.from({ length: 12 }, () => same), clock);
      expect(first.filter((m) => m.status === 'sent')).toHaveLength(10);
      expect(first.filter((m) => m.status === 'suppressed').map((m) => m.reason)).toEqual(['loop-guard', 'loop-guard']);
      expect((await send(db, [same, { ...same, text: 'En annan text' }], clock)).map((m) => m.reason ?? m.status)).toEqual(['loop-guard', 'sent']);
      // Ten minutes on, it may go again.
      clock.advance(11 * 60_000);
      expect((await send(db, [same], clock)).map((m) => m.status)).toEqual(['sent']);
      // What was sent is recorded once each, with the time it went.
      const [counts] = await db.query<{ sent: number; once: number }>(`select count(*) filter (where status = 'sent')::int as sent, count(*) filter (where status = 'sent' and attempts = 1 and sent_at is not null)::int as once from outbox`);
      expect(counts).toEqual({ sent: 12, once: 12 });
    } finally {
      await db.close();
    }
  });

  it.each(ways)('sends an opted-out participant only the confirmation and crisis replies (%s)', async (_way, send) => {
    const db = await testDb(engine);
    const clock = new SettableClock(TEST_NOW);
    try {
      const [p] = await db.query<{ phone: string }>(`update participant set opted_out_at = $1 where id = 'p1' returning phone`, [clock.now()]);
      const to = p!.phone;
      const out = await send(db, [
        { channel: 'sms', to, text: 'Svar', purpose: 'reply' },
        { channel: 'sms', to, text: 'Du får inga fler sms', purpose: 'optout-confirmation' },
        { channel: 'sms', to, text: 'Ring 112', purpose: 'crisis' },
        { channel: 'staff', to: 'coach@example.se', text: 'Till coachen', purpose: 'notification' },
      ], clock);
      expect(out.map((m) => m.reason ?? m.status)).toEqual(['opted-out', 'sent', 'sent', 'sent']);
    } finally {
      await db.close();
    }
  });

  // Found in review: the test through the simulator changed every programme, so a mix-up of participants would not show.
  it("holds each SMS by its own participant's programme, in one batch; one to no participant by the default; a retry too", async () => {
    const db = await testDb(engine);
    const clock = new SettableClock(new Date('2026-11-23T19:55:00Z')); // 20:55 in Stockholm
    try {
      await db.query(`insert into programme (id, name, settings) values ('early', 'Tidigt', $1)`, [JSON.stringify({ meetings: { quietHours: { start: '20:00', end: '06:00' } } })]);
      await db.query(`insert into team (id, programme_id, name) values ('t-early', 'early', 'Tidiga')`);
      const [early] = await db.query<{ id: string; phone: string }>(`update participant set team_id = 't-early' where id = 'p2' returning id, phone`);
      const [usual] = await db.query<{ id: string; phone: string }>(`select id, phone from participant where id = 'p1'`);
      const sms = (p: { id: string; phone: string } | undefined, text: string): OutboundMessage => ({ channel: 'sms', to: p?.phone ?? '+46701740699', text, purpose: 'notification', participantId: p?.id });
      await enqueue(db, [sms(early, 'Tidig'), sms(usual, 'Vanlig'), sms(undefined, 'Okänd')], clock.now());
      const held = await db.query<{ text: string; holdUntil: Date | null }>(`select text, hold_until as "holdUntil" from outbox order by seq`);
      expect(held.map((m) => [m.text, m.holdUntil && new Date(m.holdUntil).toISOString()])).toEqual([
        ['Tidig', '2026-11-24T05:00:00.000Z'],
        ['Vanlig', null],
        ['Okänd', null],
      ]);
      // A notification that fails at 20:55 and would be tried again at 21:05 waits for the morning instead.
      await db.query(`update outbox set attempts = 2 where text = 'Vanlig'`);
      await dispatch(db, async (m) => { if (m.text === 'Vanlig') throw new Error('provider down'); }, clock);
      const [retry] = await db.query<{ holdUntil: Date }>(`select hold_until as "holdUntil" from outbox where text = 'Vanlig'`);
      expect(new Date(retry!.holdUntil).toISOString()).toBe('2026-11-24T07:00:00.000Z');
    } finally {
      await db.close();
    }
  });

  it('leaves a message written at night pending for the tick after quiet hours; claims of a process that died are taken back after the lease', async () => {
    const db = await testDb(engine);
    const clock = new SettableClock(new Date('2026-11-23T22:00:00Z')); // 23:00 in Stockholm
    try {
      const sent: string[] = [];
      const deliver = async (m: OutboxRow) => void sent.push(m.text);
      const night = await enqueueClaimed(db, [{ channel: 'sms', to: '+46701740621', text: 'Påminnelse', purpose: 'notification' }], clock.now());
      expect(night.map((m) => m.status)).toEqual(['pending']);
      expect(await dispatch(db, deliver, clock, { claimed: night })).toEqual([]);
      clock.set(new Date('2026-11-24T07:01:00Z')); // 08:01
      expect((await dispatch(db, deliver, clock)).map((m) => m.status)).toEqual(['sent']);
      // Written claimed by a process that then died, never handed over: sent once each by another after the lease.
      await enqueueClaimed(db, [{ channel: 'sms', to: '+46701234568', text: 'Svar A', purpose: 'reply' }, { channel: 'sms', to: '+46701234569', text: 'Svar B', purpose: 'reply' }], clock.now());
      expect(await dispatch(db, deliver, clock)).toEqual([]);
      expect((await dispatch(db, deliver, clock, { leaseSeconds: 0 })).map((m) => m.text)).toEqual(['Svar A', 'Svar B']);
      expect(sent).toEqual(['Påminnelse', 'Svar A', 'Svar B']);
    } finally {
      await db.close();
    }
  });
});
