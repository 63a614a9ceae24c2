// Data protection: every staff read of a participant is in the audit trail; message text goes
// after the retention period while the rows stay; erasure removes a person and leaves one entry.
import { afterEach, describe, expect, it } from 'vitest';
import { engines } from './support/db.js';
import { demo, testApp, type TestApp } from './support/app.js';
import { applyRetention, auditTrail, eraseParticipant, retentionPlanner } from '../src/privacy/privacy.js';

const ANNA = demo.anna.phone;
const DAY = 24 * 60 * 60 * 1000;

describe.each(engines)('privacy on %s', (engine) => {
  let app: TestApp;
  afterEach(() => app.closeCheckingLogs([ANNA, 'Anna', 'Andersson']));

  it('audits each read of a participant by staff: contacts, meetings, caseload, escalations (who, what, when)', async () => {
    app = await testApp(engine);
    await app.staff(demo.eva, 'vem är Annas handläggare på FK?');
    await app.staff(demo.eva, 'när är Annas nästa möte?');
    await app.staff(demo.eva, 'mina deltagare');
    await app.sms(ANNA, 'ring mig');
    await app.staff(demo.eva, 'öppna ärenden');
    const trail = await auditTrail(app.db, 'p1');
    const reads = trail.filter((e) => e.action.startsWith('read.'));
    expect(reads.map((e) => e.action)).toEqual(['read.contacts', 'read.meetings', 'read.caseload', 'read.escalations']);
    for (const e of reads) {
      expect(e.actor).toBe('staff:s1');
      expect(new Date(e.at).getTime()).toBe(app.clock.now().getTime());
    }
    // Another team's participant was never shown to Eva, so nothing was read of them.
    const other = await app.db.query(`select 1 from audit_log a join participant p on p.id = a.participant_id where a.actor = 'staff:s1' and p.team_id <> 't1'`);
    expect(other).toEqual([]);
  });

  it('removes message text after the retention period and keeps the rows', async () => {
    app = await testApp(engine);
    await app.sms(ANNA, 'vem är min handläggare på fk');
    const count = async () => (await app.db.query<{ n: number; texts: number }>(`select count(*)::int as n, count(text)::int as texts from message_log`))[0]!;
    const before = await count();
    expect(before.texts).toBeGreaterThan(0);
    // A day short of the period: nothing goes.
    expect((await applyRetention(app.db, new Date(app.clock.now().getTime() + 89 * DAY), 90)).messages).toBe(0);
    const result = await applyRetention(app.db, new Date(app.clock.now().getTime() + 91 * DAY), 90);
    expect(result.messages).toBe(before.texts);
    expect(result.sent).toBeGreaterThan(0);
    expect(await count()).toEqual({ n: before.n, texts: 0 });
    const sent = await app.db.query<{ text: string }>(`select text from outbox where status <> 'pending'`);
    expect(sent.every((r) => r.text === '')).toBe(true);
  });

  it('runs retention from the scheduler at most hourly, by Lots’ clock', async () => {
    app = await testApp(engine);
    await app.sms(ANNA, 'vem är min handläggare på fk');
    const plan = retentionPlanner(1);
    const later = new Date(app.clock.now().getTime() + 2 * DAY);
    await plan(app.db, new Date(app.clock.now().getTime() + DAY / 2)); // runs (first time), text still young
    await app.sms(ANNA, 'när är mitt möte');
    await plan(app.db, new Date(app.clock.now().getTime() + DAY / 2 + 1000)); // within the hour: does nothing
    expect((await app.db.query<{ n: number }>(`select count(text)::int as n from message_log`))[0]!.n).toBe(2);
    await plan(app.db, later);
    expect((await app.db.query<{ n: number }>(`select count(text)::int as n from message_log`))[0]!.n).toBe(0);
  });

  it('erases a participant and everything about them, leaving one audit entry; others are untouched', async () => {
    app = await testApp(engine);
    await app.sms(ANNA, 'ring mig');
    await app.staff(demo.eva, 'vem är Annas handläggare på FK?');
    const others = async () => (await app.db.query<{ n: number }>(`select count(*)::int as n from message_log where participant_id <> 'p1'`))[0]!.n;
    const othersBefore = await others();
    const erased = await eraseParticipant(app.db, 'p1', 'admin:test', app.clock.now());
    expect(erased?.rows.message_log).toBeGreaterThan(0);
    for (const table of ['participant', 'message_log', 'outbox', 'meeting', 'checkin', 'escalation', 'consent', 'agency_contact', 'planned_send']) {
      const column = table === 'participant' ? 'id' : 'participant_id';
      expect((await app.db.query(`select 1 from ${table} where ${column} = 'p1'`)).length, table).toBe(0);
    }
    expect(await app.db.query(`select 1 from conversation where address = $1`, [ANNA])).toEqual([]);
    expect(await others()).toBe(othersBefore);
    // What staff were told about her (the call request, the contact answer) is gone too (found by a helper).
    const told = await app.db.query<{ text: string }>(`select text from outbox where text like '%Anna Andersson%' or text like '%070-174 06 21%' or text like '%+46701740621%'`);
    expect(told).toEqual([]);
    expect(erased?.rows.staff_messages).toBeGreaterThan(0);
    const trail = await auditTrail(app.db, 'p1');
    expect(trail.at(-1)).toMatchObject({ actor: 'admin:test', action: 'participant.erased' });
    // Erasing again finds no one; the number no longer reaches anyone.
    expect(await eraseParticipant(app.db, 'p1', 'admin:test', app.clock.now())).toBeNull();
    const res = await app.sms(ANNA, 'vem är min handläggare på fk');
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body)).not.toMatch(/Försäkringskassan.*\d{3}/);
  });
});
