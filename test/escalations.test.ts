// Check-ins and escalations through the simulator: the 1–5 question, answers and their events,
// crisis in the middle of a check-in, the climb coach → backup → team lead, acknowledgements that
// stop it, stale timers that do nothing, one escalation per trigger, resolving with an audit
// trail — on every engine. The clock starts Monday 23 November 2026, 09:00 in Stockholm.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { engines } from './support/db.js';
import { demo, testApp, testConfig, type TestApp } from './support/app.js';
import { createApp } from '../src/app.js';
import { openPglite } from '../src/store/db.js';
import { createLogger } from '../src/util/log.js';
import { SettableClock } from '../src/model/index.js';
import { TEST_NOW } from './support/time.js';

const ANNA = demo.anna.phone;
const text = (res: { body: { replies: { text: string }[] } }) => res.body.replies.map((r) => r.text).join('\n');
interface Sent {
  to: string;
  text: string;
  sentAt: string;
  buttons?: { actionId: string; value: string; label: string }[];
}

describe.each(engines)('check-ins and escalations on %s', (engine) => {
  let app: TestApp;
  afterEach(() => app.closeCheckingLogs([ANNA, 'Anna', 'Andersson', 'leva']));
  const start = async (options = {}) => {
    app = await testApp(engine, 'demo', options);
  };
  const outboxTo = async (to: string): Promise<Sent[]> => (await app.server.inject({ method: 'GET', url: `/sim/outbox?to=${encodeURIComponent(to)}` })).json().messages;
  const advance = async (iso: string) => expect((await app.server.inject({ method: 'POST', url: '/sim/clock', payload: { advance: iso } })).statusCode).toBe(200);
  const press = async (from: string, message: Sent, label: string) => {
    const b = message.buttons!.find((x) => x.label === label)!;
    const res = await app.server.inject({ method: 'POST', url: '/sim/staff/action', payload: { from, actionId: b.actionId, value: b.value } });
    expect(res.statusCode).toBe(200);
    return res.json().replies.map((r: { text: string }) => r.text).join('\n') as string;
  };
  // Anna's (every demo participant gets weekly check-ins, and the silent ones escalate too).
  const escalations = () => app.db.query<{ reason: string; state: string; step: number }>(`select reason, state, step from escalation where participant_id = 'p1' order by opened_at`);

  it('a check-in asked for at night goes in the morning, and the coach is told so, not "sent"', async () => {
    // Found by a new user: "Incheckningen är skickad" at 23:21, while the SMS waited for 08:00.
    await start();
    await advance('PT14H30M'); // Monday 23:30
    expect(text(await app.staff(demo.eva, 'skicka en incheckning till Anna'))).toBe('Det är sent: incheckningen till Anna Andersson går tisdag 24 november kl 08.00, när det inte längre är natt. Svaret kommer hit.');
    expect(await outboxTo(ANNA)).toEqual([]);
    await advance('PT9H'); // Tuesday 08:30
    expect((await outboxTo(ANNA)).at(-1)!.text).toMatch(/^Hej Anna! Hur mår du idag\?/);
  });

  it("a check-in asked for at night waits for the end of the programme's own quiet hours", async () => {
    await start();
    await app.db.query(`update programme set settings = '{"meetings":{"quietHours":{"start":"23:00","end":"07:00"}}}'`);
    await advance('PT14H30M'); // Monday 23:30
    expect(text(await app.staff(demo.eva, 'skicka en incheckning till Anna'))).toMatch(/går tisdag 24 november kl 07\.00,/);
    await advance('PT8H'); // Tuesday 07:30
    expect((await outboxTo(ANNA)).at(-1)!.text).toMatch(/^Hej Anna! Hur mår du idag\?/);
  });

  it('a check-in, "2", then crisis words: 112 and 90101 at once, the coach named, the lead after no acknowledgement', async () => {
    await start();
    expect(text(await app.staff(demo.eva, 'skicka en incheckning till Anna'))).toBe('Incheckningen är skickad till Anna Andersson. Svaret kommer hit.');
    expect((await outboxTo(ANNA)).at(-1)!.text).toBe('Hej Anna! Hur mår du idag? Svara med en siffra 1-5 (1 = mycket dåligt, 5 = mycket bra).');
    expect(text(await app.sms(ANNA, '2'))).toBe('Tack för att du svarar. Vill du att din coach ringer dig? Svara RING.');
    const crisis = text(await app.sms(ANNA, 'jag vill inte leva längre'));
    expect(crisis).toMatch(/112/);
    expect(crisis).toMatch(/90101/);
    const urgent = (await outboxTo(demo.eva)).at(-1)!;
    expect(urgent.text).toMatch(/^AKUT: Anna Andersson skrev något/);
    expect(urgent.buttons!.map((b) => b.label)).toEqual(['Kvittera', 'Jag ringer', 'Lämna över', 'Löst']);
    expect(await outboxTo(demo.maria)).toEqual([]);
    // Ten minutes: Eva's backup Jonas. Twenty: the team lead. Forty: still the lead, reminded.
    for (let m = 0; m < 4; m++) await advance('PT10M');
    const jonas = await outboxTo(demo.jonas);
    expect(jonas).toHaveLength(1);
    expect(jonas[0]!.text).toMatch(/^Vidare till dig: Eva Lindqvist har inte kvitterat\.\nAKUT: Anna Andersson/);
    const lead = await outboxTo(demo.maria);
    expect(lead[0]!.text).toMatch(/^Vidare till dig: Jonas Berg har inte kvitterat\.\nAKUT: Anna Andersson/);
    expect(lead.length).toBeGreaterThanOrEqual(2);
    // The lead acknowledges: the climb and its reminders stop.
    expect(await press(demo.maria, lead[0]!, 'Kvittera')).toBe('Kvitterat: Anna Andersson (kris) är ditt nu. Jag påminner dig tills det är löst.');
    const before = (await outboxTo(demo.maria)).length;
    for (let m = 0; m < 6; m++) await advance('PT10M');
    expect((await outboxTo(demo.maria)).length).toBe(before);
    expect(await escalations()).toEqual([{ reason: 'crisis', state: 'acknowledged', step: 2 }]);
  });

  it('a protected identity climbs past a backup who may not see her, straight to the team lead', async () => {
    await start();
    await app.sms('+46701740610', 'jag vill inte leva längre'); // Malin Ström, coach Eva, protected identity
    expect((await outboxTo(demo.eva)).at(-1)!.text).toMatch(/^AKUT: Malin Ström/);
    for (let m = 0; m < 4; m++) await advance('PT10M');
    expect(await outboxTo(demo.jonas)).toEqual([]);
    expect((await outboxTo(demo.maria))[0]!.text).toMatch(/^Vidare till dig: Eva Lindqvist har inte kvitterat\.\nAKUT: Malin Ström/);
  });

  it('an acknowledgement stops the climb, and the stale timer sends nothing', async () => {
    await start();
    await app.sms(ANNA, 'jag vill inte leva längre');
    const urgent = (await outboxTo(demo.eva)).at(-1)!;
    await advance('PT5M');
    expect(await press(demo.eva, urgent, 'Jag ringer')).toBe('Bra – du ringer Anna Andersson på 070-174 06 21. Tryck Löst när det är klart.');
    for (let m = 0; m < 6; m++) await advance('PT10M');
    expect(await outboxTo(demo.jonas)).toEqual([]);
    expect(await outboxTo(demo.maria)).toEqual([]);
    const timers = await app.db.query<{ status: string; reason: string }>(`select status, reason from planned_send where kind = 'escalation.step'`);
    expect(timers).toEqual([{ status: 'inert', reason: 'acknowledged' }]);
  });

  it('while a crisis is open no reminder or check-in goes to the participant; resolving lets them go again', async () => {
    await start();
    await app.sms(ANNA, 'jag vill inte leva längre');
    const urgent = (await outboxTo(demo.eva)).at(-1)!;
    expect(text(await app.staff(demo.eva, 'skicka en incheckning till Anna'))).toBe('Anna Andersson har ett öppet krisärende. Inga automatiska sms går ut förrän det är löst.');
    await advance('P1DT2H'); // through Tuesday 10:00 (the weekly check-in)
    expect((await outboxTo(ANNA)).filter((m) => /Hur mår du/.test(m.text))).toEqual([]);
    expect(await press(demo.eva, urgent, 'Löst')).toBe('Löst: Anna Andersson (kris). Ärendet är stängt, och påminnelser och incheckningar går till deltagaren igen.');
    expect(text(await app.staff(demo.eva, 'skicka en incheckning till Anna'))).toMatch(/^Incheckningen är skickad/);
    const skipped = await app.db.query<{ reason: string }>(`select reason from planned_send where kind = 'checkin.weekly' and status = 'skipped'`);
    expect(skipped).toEqual([{ reason: 'crisis' }]);
  });

  it('"RING MIG" twice opens one escalation; resolving closes it with its audit trail', async () => {
    await start();
    await app.sms(ANNA, 'RING MIG');
    await app.sms(ANNA, 'ring mig');
    expect(await escalations()).toEqual([{ reason: 'call-request', state: 'open', step: 0 }]);
    const message = (await outboxTo(demo.eva)).find((m) => m.buttons)!;
    expect(await press(demo.eva, message, 'Löst')).toBe('Löst: Anna Andersson (vill bli uppringd). Ärendet är stängt.');
    expect(await escalations()).toEqual([{ reason: 'call-request', state: 'resolved', step: 0 }]);
    const trail = await app.db.query<{ action: string; actor: string }>(`select action, actor from audit_log where detail ? 'escalation' order by action`);
    expect(trail).toEqual([
      { action: 'escalation.opened', actor: 'participant:p1' },
      { action: 'escalation.repeated', actor: 'participant:p1' },
      { action: 'escalation.resolved', actor: 'staff:s1' },
    ]);
    expect(text(await app.staff(demo.eva, 'visa öppna larm'))).toBe('Inga öppna ärenden just nu.');
  });

  it('asked again while it is open, the words reach whoever holds it, and the coach', async () => {
    await start();
    await app.sms(ANNA, 'RING MIG');
    await advance('PT1H'); // not acknowledged: handed on from Eva
    const [holder] = await app.db.query<{ owner: string }>(`select owner_id as owner from escalation where participant_id = 'p1'`);
    expect(holder!.owner).not.toBe('s1');
    const reply = text(await app.sms(ANNA, 'ring mig, mår dåligt av min nya medicin'));
    expect(reply).toMatch(/Eva/);
    const [{ email }] = (await app.db.query<{ email: string }>(`select email from staff where id = $1`, [holder!.owner])) as [{ email: string }];
    for (const to of [email, demo.eva]) expect((await outboxTo(to)).at(-1)!.text, to).toContain('mår dåligt av min nya medicin');
    expect(await escalations()).toEqual([{ reason: 'call-request', state: 'open', step: 1 }]);
  });

  it('two low scores in a row open one escalation, however often they repeat', async () => {
    await start();
    for (let i = 0; i < 3; i++) {
      await app.staff(demo.eva, 'skicka en incheckning till Anna');
      await app.sms(ANNA, '1');
      await advance('PT1H');
    }
    expect((await escalations()).map((e) => e.reason)).toEqual(['low-scores']);
    expect(text(await app.staff(demo.eva, 'hur mår Anna?'))).toBe('Anna Andersson, senaste svaren: ▁▁▁ (1 1 1)\nSenast: 1 (måndag 23 november kl 11.00).');
  });

  it('"hur mår Anna?" dates the last answer when she wrote it, not when the check-in went out', async () => {
    await start();
    await app.staff(demo.eva, 'skicka en incheckning till Anna'); // Monday 09:00
    await advance('PT2H');
    await app.sms(ANNA, '4');
    expect(text(await app.staff(demo.eva, 'hur mår Anna?'))).toContain('Senast: 4 (måndag 23 november kl 11.00).');
  });

  it('two silent weekly check-ins open one escalation; one silent week is only recorded', async () => {
    await start();
    const at = async (iso: string) => expect((await app.server.inject({ method: 'POST', url: '/sim/clock', payload: { set: iso } })).statusCode).toBe(200);
    await at('2026-11-23T09:30:00+01:00'); // plans the first weekly check-in
    await at('2026-11-24T10:00:00+01:00'); // sent
    await at('2026-11-25T10:00:00+01:00'); // 24 hours, no answer: recorded
    expect(await escalations()).toEqual([]);
    await at('2026-12-01T10:00:00+01:00');
    await at('2026-12-02T10:00:00+01:00'); // the second in a row
    expect(await escalations()).toEqual([{ reason: 'no-reply', state: 'open', step: 0 }]);
    await at('2026-12-08T10:00:00+01:00');
    await at('2026-12-09T10:00:00+01:00'); // a third adds nothing new
    expect((await escalations()).length).toBe(1);
    const missed = await app.db.query(`select 1 from audit_log where action = 'checkin.missed' and participant_id = 'p1'`);
    expect(missed).toHaveLength(3);
    expect((await outboxTo(ANNA)).filter((m) => /Hur mår du/.test(m.text)).map((m) => m.sentAt)).toEqual([
      '2026-11-24T09:00:00.000Z',
      '2026-12-01T09:00:00.000Z',
      '2026-12-08T09:00:00.000Z',
    ]);
  });

  it('a participant\'s own check-in day and time, and leave, come from the import', async () => {
    await start();
    const { applyImport, parseImport } = await import('../src/directory/import.js');
    const file = {
      participants: [
        { id: 'p1', name: 'Anna Andersson', phone: ANNA, gender: 'kvinna', coach: 's1', checkinWeekday: 4, checkinTime: '14:30' },
        { id: 'p2', name: 'Johan Karlsson', phone: '+46701740605', gender: 'man', coach: 's1', onLeaveUntil: '2026-12-31' },
      ],
    };
    await applyImport(app.db, parseImport(JSON.stringify(file), 'x.json'), app.clock);
    await app.server.inject({ method: 'POST', url: '/sim/clock', payload: { advance: 'PT1M' } }); // plans from the new schedule
    await app.server.inject({ method: 'POST', url: '/sim/clock', payload: { set: '2026-11-26T14:30:00+01:00' } });
    const checkins = await app.db.query<{ participant: string; sentAt: Date }>(`select participant_id as participant, sent_at as "sentAt" from checkin where participant_id in ('p1', 'p2') order by participant_id`);
    expect(checkins.map((c) => [c.participant, c.sentAt.toISOString()])).toEqual([['p1', '2026-11-26T13:30:00.000Z']]);
    const skipped = await app.db.query<{ reason: string }>(`select reason from planned_send where kind = 'checkin.weekly' and ref = 'p2' and status = 'skipped'`);
    expect(skipped).toEqual([{ reason: 'on-leave' }]);
  });

  it('an SMS that cannot be delivered opens an escalation for the coach', async () => {
    await start({
      deliver: async (m: { channel: string }) => {
        if (m.channel === 'sms') throw new Error('provider refused');
      },
    });
    await app.staff(demo.eva, 'skicka en incheckning till Anna');
    // Tried again after 30 s, 2 and 10 minutes; then failed, and a coach must know.
    expect(await escalations()).toEqual([]);
    for (const wait of ['PT1M', 'PT3M', 'PT11M']) await advance(wait);
    expect(await escalations()).toEqual([{ reason: 'sms-failed', state: 'open', step: 0 }]);
    const [row] = await app.db.query<{ status: string; attempts: number; reason: string }>(`select status, attempts, reason from outbox where recipient = $1 and purpose = 'checkin'`, [ANNA]);
    expect(row).toEqual({ status: 'failed', attempts: 4, reason: 'provider refused' });
    expect((await outboxTo(demo.eva)).at(-1)!.text).toMatch(/^Ett sms till Anna Andersson kunde inte levereras/);
  });

  it('out of office hours an urgent escalation goes straight to the team lead, and the participant is told when', async () => {
    await start();
    app.clock.set(new Date('2026-11-24T22:30:00+01:00'));
    expect(text(await app.sms(ANNA, 'orkar inte leva'))).toContain('Vi har sagt till den som har jour. Din coach ser det i morgon onsdag kl 08.00.');
    expect((await outboxTo(demo.maria)).at(-1)!.text).toMatch(/^AKUT: Anna Andersson/);
    // The coach learns of it too, to follow up in the morning; the one on call has the buttons.
    const eva = await outboxTo(demo.eva);
    expect(eva.map((m) => m.text.split('\n')[0])).toEqual(['För kännedom: Maria Holm har jour och har fått detta. Följ upp när du är tillbaka.']);
    expect(eva[0]!.buttons).toBeUndefined();
  });

  it('a crisis not acknowledged when office hours end skips the backup, who has gone home, for the one on call', async () => {
    await start();
    app.clock.set(new Date('2026-11-24T16:55:00+01:00'));
    await app.sms(ANNA, 'jag vill inte finnas längre');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toMatch(/^AKUT: Anna Andersson/);
    await advance('PT11M'); // 17:06, not acknowledged
    expect(await outboxTo(demo.jonas)).toEqual([]);
    expect((await outboxTo(demo.maria)).at(-1)!.text).toContain('AKUT: Anna Andersson');
    expect(await escalations()).toEqual([{ reason: 'crisis', state: 'open', step: 2 }]);
  });

  it('after office hours an on-call colleague who may not see a protected participant is passed over for the lead; the coach on call climbs as by day (found in review)', async () => {
    await start();
    await app.db.query(`update team set on_call_id = 's2' where id = 't1'`);
    app.clock.set(new Date('2026-11-24T16:55:00+01:00'));
    await app.sms('+46701740610', 'jag vill inte finnas längre'); // Malin, protected identity, coach Eva
    await advance('PT11M');
    expect(await outboxTo(demo.jonas)).toEqual([]);
    expect((await outboxTo(demo.maria)).at(-1)!.text).toContain('AKUT: Malin');
    // Eva herself on call: not reminded of her own case all night; it climbs to her backup.
    await app.db.query(`update team set on_call_id = 's1' where id = 't1'`);
    app.clock.set(new Date('2026-11-25T16:55:00+01:00'));
    await app.sms(ANNA, 'jag vill inte finnas längre');
    await advance('PT11M');
    expect((await outboxTo(demo.jonas)).at(-1)!.text).toContain('AKUT: Anna Andersson');
  });

  it('an acknowledgement is told to everyone already paged; a hand-over keeps a timer, even two at once', async () => {
    await start();
    await app.sms(ANNA, 'jag vill inte leva längre');
    const urgent = (await outboxTo(demo.eva)).at(-1)!;
    await advance('PT10M'); // Jonas has it now
    expect(await press(demo.jonas, (await outboxTo(demo.jonas))[0]!, 'Kvittera')).toMatch(/^Kvitterat/);
    expect((await outboxTo(demo.eva)).at(-1)!.text).toBe('Jonas Berg har kvitterat ärendet om Anna Andersson (kris). Du behöver inte göra något.');
    // Handed over twice in the same minute: the last one to get it still has ten minutes before it climbs.
    await press(demo.jonas, urgent, 'Lämna över');
    await press(demo.maria, urgent, 'Lämna över');
    const timers = await app.db.query(`select 1 from planned_send where kind = 'escalation.step' and status = 'planned'`);
    expect(timers).toHaveLength(1);
  });

  it('words in reply to a check-in are its answer, reach the coach, and a late answer closes a "no answers" case', async () => {
    await start();
    await app.staff(demo.eva, 'skicka en incheckning till Anna');
    await advance('P1D');
    await app.staff(demo.eva, 'skicka en incheckning till Anna');
    await advance('P1D'); // two unanswered in a row
    expect((await escalations()).map((e) => e.reason)).toEqual(['no-reply']);
    expect(text(await app.sms(ANNA, 'bra'))).toBe('Tack för ditt svar!');
    expect((await outboxTo(demo.eva)).map((m) => m.text)).toContain('Ärendet om Anna Andersson (inga svar) är stängt: deltagaren har svarat.');
    expect((await outboxTo(demo.eva)).map((m) => m.text)).toContain('Anna Andersson svarade på incheckningen: "bra"');
    expect(await escalations()).toEqual([{ reason: 'no-reply', state: 'resolved', step: 0 }]);
  });

  it('a good score with words beside it reaches the coach too, and the words are kept with the score', async () => {
    await start();
    const answers = async () => (await outboxTo(demo.eva)).map((m) => m.text).filter((t) => t.includes('svarade på incheckningen'));
    await app.staff(demo.eva, 'skicka en incheckning till Anna');
    await advance('P1D');
    expect(text(await app.sms(ANNA, '4'))).toBe('Tack för ditt svar!');
    expect(await answers()).toEqual([]);
    await app.staff(demo.eva, 'skicka en incheckning till Anna');
    await advance('P1D');
    const said = '4 men jag har haft en konstig vecka med mamma';
    expect(text(await app.sms(ANNA, said))).toBe('Tack för ditt svar!');
    expect(await answers()).toEqual([`Anna Andersson svarade på incheckningen: "${said}"`]);
    expect(await app.db.query(`select score, text from checkin where answered_at is not null order by sent_at`)).toEqual([
      { score: 4, text: null },
      { score: 4, text: said },
    ]);
  });

  it('"visa öppna larm" lists open escalations, the asker\'s own first', async () => {
    await start();
    await app.sms(ANNA, 'ring mig');
    expect(text(await app.staff(demo.eva, 'visa öppna larm'))).toBe(
      'Öppna ärenden (1):\n• Anna Andersson: vill bli uppringd – inte kvitterat, Eva Lindqvist, sedan måndag 23 november kl 09.00',
    );
  });

  it('the self-assessment asks four questions and gives the coach the answers', async () => {
    await start();
    expect(text(await app.staff(demo.eva, 'skicka självskattning till Anna'))).toBe('Självskattningen (4 frågor) är skickad till Anna Andersson.');
    expect((await outboxTo(ANNA)).at(-1)!.text).toMatch(/^Hej Anna! .* Fråga 1: Känner du att du kan påverka ditt liv\?/);
    expect(text(await app.sms(ANNA, '4'))).toBe('Fråga 2 av 4: Vet du hur du kan hitta jobb eller studier? Svara 1-5.');
    expect(text(await app.sms(ANNA, '7'))).toBe('Svara med en siffra 1-5. Vet du inte? Svara HOPPA så går vi vidare.');
    await app.sms(ANNA, 'HOPPA');
    await app.sms(ANNA, 'två');
    expect(text(await app.sms(ANNA, '5'))).toBe('Tack! Nu är du klar. Din coach får se dina svar.');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toBe(
      'Anna Andersson har gjort självskattningen: egenmakt 4, kunskap om arbetsmarknaden –, arbeta med ohälsa 2, kontakt med myndigheter 5 (1–5).',
    );
  });
});

describe('escalation steps across a restart (PGlite in a folder)', () => {
  it('neither loses nor repeats a step', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lots-esc-')), 'data');
    const quiet = () => createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
    const config = { ...testConfig, dataDir: dir };
    const first = await createApp({ config, log: quiet(), db: await openPglite(dir, new Blob([fs.readFileSync(inject('pgliteDemo'))])), clock: new SettableClock(TEST_NOW) });
    await first.server.inject({ method: 'POST', url: '/sim/sms', payload: { from: ANNA, text: 'jag vill inte leva längre' } });
    await first.server.inject({ method: 'POST', url: '/sim/clock', payload: { advance: 'PT5M' } });
    await first.close();
    const second = await createApp({ config, log: quiet(), db: await openPglite(dir) });
    // 09:10 the coach's ten minutes are up: the backup; 09:20 the backup's: the team lead; each once.
    for (let m = 0; m < 4; m++) await second.server.inject({ method: 'POST', url: '/sim/clock', payload: { advance: 'PT5M' } });
    const sentTo = async (who: string) => (await second.db.query(`select id from outbox where recipient = $1`, [who])).length;
    expect(await sentTo(demo.jonas)).toBe(1);
    expect(await sentTo(demo.maria)).toBe(1);
    const [e] = await second.db.query<{ step: number }>(`select step from escalation`);
    expect(e!.step).toBe(2);
    await second.close();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });
});
