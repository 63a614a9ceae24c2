// Meetings end to end through the simulator: booking with its checks, the participant's JA / NEJ /
// FLYTTA, reminders by Lots' clock (quiet hours, DST, moves, cancels, opt-outs), attendance and
// no-shows — on every engine. The clock starts Monday 23 November 2026, 09:00 in Stockholm.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { engines } from './support/db.js';
import { demo, testApp, type TestApp } from './support/app.js';
import { bookingDetails } from '../src/meetings/details.js';

const ANNA = demo.anna.phone;
const local = (iso: string) => DateTime.fromISO(iso, { zone: 'Europe/Stockholm' });
const text = (res: { body: { replies: { text: string }[] } }) => res.body.replies.map((r) => r.text).join('\n');
interface Sent {
  channel: string;
  to: string;
  text: string;
  sentAt: string;
  buttons?: { actionId: string; value: string; label: string }[];
  attachments?: { filename: string; contentType: string; content: string }[];
}

describe('what a booking says besides the time', () => {
  // Found by a helper: ", Tumba" was lost.
  it.each([
    ['boka nätverksmöte med Anna fre kl 10 plats: Hemliga gatan 7, Tumba', 'Hemliga gatan 7, Tumba'],
    ['boka SIP med Anna ons kl 10 med fk och soc, tolk arabiska, plats: Storgatan 1', 'Storgatan 1'],
    ['boka möte plats: Storgatan 1, tolk arabiska', 'Storgatan 1'],
    ['boka möte med Anna, plats: biblioteket, 60 min', 'biblioteket'],
  ])('%s → place "%s"', (text, place) => {
    expect(bookingDetails(text).place).toBe(place);
  });
  // Found in review: the interpreter's language was lost when "tolk" opened the message.
  it.each([
    ['tolk arabiska behövs för mötet med Anna på tisdag kl 10', 'ar'],
    ['arabisk tolk behövs för mötet med Anna', 'ar'],
  ])('%s → interpreter %s', (text, language) => {
    expect(bookingDetails(text).interpreter).toBe(language);
  });
});

describe.each(engines)('meetings on %s', (engine) => {
  let app: TestApp;
  beforeEach(async () => {
    app = await testApp(engine);
  });
  afterEach(() => app.closeCheckingLogs([ANNA, 'Anna', 'Andersson', 'Eva Lindqvist']));

  const outboxTo = async (to: string): Promise<Sent[]> => (await app.server.inject({ method: 'GET', url: `/sim/outbox?to=${encodeURIComponent(to)}` })).json().messages;
  const clock = async (body: object) => {
    const res = await app.server.inject({ method: 'POST', url: '/sim/clock', payload: body });
    expect(res.statusCode).toBe(200);
  };
  const reminders = async () => (await outboxTo(ANNA)).filter((m) => m.text.startsWith('Påminnelse'));
  const meetingCount = async () => (await app.db.query<{ n: number }>(`select count(*)::int as n from meeting`))[0]!.n;

  it('books Monday 09:00 for Wednesday 10:00: a JA/NEJ/FLYTTA SMS, an invite, and two reminders naming 10.00 outside quiet hours', async () => {
    const booked = await app.staff(demo.eva, 'boka möte med Anna ons kl 10 med fk');
    expect(booked.status).toBe(200);
    const reply = booked.body.replies[0];
    expect(reply.text).toMatch(/^Bokat: coachsamtal med Anna Andersson onsdag 25 november kl 10\.00–11\.00\. Myndigheter: FK\./);
    expect(reply.attachments[0].contentType).toContain('text/calendar');
    expect(reply.attachments[0].content).toContain('DTSTART:20261125T090000Z');
    expect(reply.attachments[0].content).toContain('METHOD:REQUEST');

    const [request] = await outboxTo(ANNA);
    expect(request!.text).toBe(
      'Hej! Du har fått en tid: möte med din coach onsdag 25 november kl 10.00. Plats: din coach berättar. Med: Eva och Försäkringskassan. Svara JA om du kommer, NEJ om du inte kan, FLYTTA om du vill byta tid.',
    );
    expect(text(await app.sms(ANNA, 'JA'))).toBe('Tack! Vi ses onsdag 25 november kl 10.00.');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toBe('Anna Andersson har bekräftat coachsamtal onsdag 25 november kl 10.00.');

    // Through Wednesday noon, an hour at a time, as a clock would.
    for (let h = 0; h < 51; h++) await clock({ advance: 'PT1H' });
    const sent = await reminders();
    // Two days ahead the day is named; on the day itself it is "i dag".
    expect(sent.map((r) => r.text.match(/möte med din coach (.*?)\. Plats/)?.[1])).toEqual(['onsdag 25 november kl 10.00', 'i dag kl 10.00']);
    for (const r of sent) {
      const hour = local(r.sentAt).hour;
      expect(hour >= 8 && hour < 21, `sent at ${r.sentAt}`).toBe(true);
    }
    expect(sent.map((r) => local(r.sentAt).toFormat('ccc HH:mm'))).toEqual(['Mon 10:00', 'Wed 08:00']);

    // After the meeting, the coach is asked, with buttons.
    const question = (await outboxTo(demo.eva)).find((m) => m.text.startsWith('Kom Anna Andersson'))!;
    expect(question.buttons!.map((b) => b.label)).toEqual(['Kom', 'Kom inte']);
    const missed = question.buttons!.find((b) => b.label === 'Kom inte')!;
    const pressed = await app.server.inject({ method: 'POST', url: '/sim/staff/action', payload: { from: demo.eva, actionId: missed.actionId, value: missed.value } });
    expect(pressed.statusCode).toBe(200);
    expect(pressed.json().replies.map((r: { text: string }) => r.text)).toEqual([
      'Noterat: Anna Andersson kom inte till coachsamtal onsdag 25 november kl 10.00.',
      'Anna Andersson kom inte till coachsamtal onsdag 25 november kl 10.00. Det är första gången på 90 dagar. Hör av dig i dag – ett samtal nu gör mest nytta. Telefon: 070-174 06 21.\nKvittera inom 30 minuter (kontorstid), annars går det vidare.',
    ]);
    // The no-show is an escalation: it has buttons and an owner.
    expect(pressed.json().replies[1].buttons.map((b: { label: string }) => b.label)).toEqual(['Kvittera', 'Jag ringer', 'Lämna över', 'Löst']);
    // The old buttons pressed again change the mark, and say so; missed a second time alerts no one again (found by a new-user trial).
    const press = async (label: string) => {
      const button = question.buttons!.find((b) => b.label === label)!;
      return (await app.server.inject({ method: 'POST', url: '/sim/staff/action', payload: { from: demo.eva, actionId: button.actionId, value: button.value } })).json().replies.map((r: { text: string }) => r.text);
    };
    expect(await press('Kom')).toEqual(['Ändrat: Anna Andersson kom till coachsamtal onsdag 25 november kl 10.00 (var markerat att hen inte kom).']);
    expect(await press('Kom inte')).toEqual(['Ändrat: Anna Andersson kom inte till coachsamtal onsdag 25 november kl 10.00 (var markerat att hen kom).']);
  });

  it('NEJ cancels, tells the coach at once naming the participant, and no reminder is ever sent', async () => {
    await app.staff(demo.eva, 'boka möte med Anna ons kl 10');
    expect(text(await app.sms(ANNA, 'nej'))).toBe('Okej, mötet onsdag 25 november kl 10.00 är avbokat. Din coach hör av sig.');
    const told = (await outboxTo(demo.eva)).at(-1)!;
    expect(told.text).toBe('Anna Andersson kan inte komma på coachsamtal onsdag 25 november kl 10.00 och har svarat NEJ. Mötet är avbokat – hör av dig om en ny tid.');
    expect(told.attachments![0]!.content).toContain('METHOD:CANCEL');
    await clock({ advance: 'P3D' });
    expect(await reminders()).toEqual([]);
  });

  it('FLYTTA asks the coach for a new time and tells the participant the coach will be in touch', async () => {
    await app.staff(demo.eva, 'boka möte med Anna ons kl 10');
    expect(text(await app.sms(ANNA, 'FLYTTA'))).toBe('Okej! Din coach hör av sig om en ny tid.');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toBe('Anna Andersson vill flytta coachsamtal onsdag 25 november kl 10.00 (svarade FLYTTA). Föreslå en ny tid.');
    // A time wished for afterwards reaches the coach; she is not asked to FLYTTA again (found by a new-user trial).
    expect(text(await app.sms(ANNA, 'kan vi ta det på fredag istället kl 13'))).toBe('Tack! Jag säger till din coach att du önskar fredag 27 november kl 13.00.');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toBe('Anna Andersson har redan bett att få flytta coachsamtal onsdag 25 november kl 10.00. Önskad tid: fredag 27 november kl 13.00.');
  });

  it('a move re-plans the reminders: the old ones never go', async () => {
    await app.staff(demo.eva, 'boka möte med Anna ons kl 10');
    const moved = await app.staff(demo.eva, 'flytta mötet med Anna till torsdag kl 13');
    expect(text(moved)).toMatch(/^Flyttat: coachsamtal med Anna Andersson från onsdag 25 november kl 10\.00 till torsdag 26 november kl 13\.00–14\.00\./);
    expect(moved.body.replies[0].attachments[0].content).toContain('SEQUENCE:1');
    expect((await outboxTo(ANNA)).at(-1)!.text).toMatch(/^Ny tid: möte med din coach torsdag 26 november kl 13\.00\./);
    for (let h = 0; h < 80; h++) await clock({ advance: 'PT1H' });
    const sent = await reminders();
    expect(sent.map((r) => r.text.match(/coach (.*?)\. Plats/)?.[1])).toEqual(['torsdag 26 november kl 13.00', 'i dag kl 13.00']);
    expect(sent.map((r) => local(r.sentAt).toFormat('ccc HH:mm'))).toEqual(['Tue 13:00', 'Thu 11:00']);
  });

  it('a reminder that would fall in quiet hours goes the evening before, at 20:00', async () => {
    await app.staff(demo.eva, 'boka möte med Anna tisdag kl 8.30');
    for (let h = 0; h < 24; h++) await clock({ advance: 'PT1H' });
    const sent = await reminders();
    // Two days before is already past on Monday 09:00; two hours before is 06:30, so Monday 20:00.
    expect(sent.map((r) => local(r.sentAt).toFormat('ccc HH:mm'))).toEqual(['Mon 20:00']);
    expect(sent[0]!.text).toContain('möte med din coach i morgon tisdag kl 08.30.');
    const skipped = await app.db.query<{ label: string; reason: string }>(`select label, reason from planned_send where status = 'skipped'`);
    expect(skipped).toEqual([{ label: 'P2D', reason: 'due before the meeting was booked or moved' }]);
    // Jumping past the meeting in one step would skip the evening reminder ("meeting already started"), not send it late.
  });

  it('a booking SMS written late in the evening waits for the morning and says "i dag" of that day (found in review)', async () => {
    await clock({ set: '2026-11-23T22:30:00+01:00' });
    expect(text(await app.staff(demo.eva, 'boka möte med Anna imorgon kl 10'))).toMatch(/^Bokat: .*tisdag 24 november kl 10\.00/);
    const [held] = await app.db.query<{ text: string; holdUntil: string }>(`select text, to_char(hold_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "holdUntil" from outbox where recipient = $1 order by created_at desc limit 1`, [ANNA]);
    expect(local(held!.holdUntil).toFormat('ccc HH:mm')).toBe('Tue 08:00');
    expect(held!.text).toMatch(/^Hej! Du har fått en tid: möte med din coach i dag kl 10\.00\./);
  });

  // Found in review: the outbox held every SMS by the default quiet hours (21–08), whatever the programme's.
  it("SMS wait by the quiet hours of the participant's programme, not the default", async () => {
    const quietHours = async (start: string, end: string) =>
      app.db.query(`update programme set settings = jsonb_set(coalesce(settings, '{}'::jsonb), '{meetings}', $1::jsonb)`, [JSON.stringify({ quietHours: { start, end } })]);
    const sentAt = async (pattern: RegExp) => (await outboxTo(ANNA)).filter((m) => pattern.test(m.text)).map((m) => local(m.sentAt).toFormat('ccc HH:mm'));
    await quietHours('23:00', '09:00');
    await clock({ set: '2026-11-23T22:30:00+01:00' });
    await app.staff(demo.eva, 'boka möte med Anna imorgon kl 10');
    expect(await sentAt(/^Hej! Du har fått en tid: möte med din coach i morgon tisdag kl 10\.00\./)).toEqual(['Mon 22:30']);
    await clock({ set: '2026-11-24T08:30:00+01:00' });
    await app.staff(demo.eva, 'boka möte med Anna torsdag kl 13');
    expect(await sentAt(/torsdag 26 november kl 13\.00/)).toEqual([]);
    await clock({ set: '2026-11-24T09:00:00+01:00' });
    expect(await sentAt(/torsdag 26 november kl 13\.00/)).toEqual(['Tue 09:00']);
    // Quiet hours that end at 06:00: a reminder two hours before an 08:00 meeting goes at 06:00, not when the meeting begins.
    await quietHours('22:00', '06:00');
    await app.staff(demo.eva, 'boka möte med Anna fredag kl 8');
    while (app.clock.now() < new Date('2026-11-27T06:00:00+01:00')) await clock({ advance: 'PT1H' });
    expect(await sentAt(/^Påminnelse.*i dag kl 08\.00/)).toEqual(['Fri 06:00']);
  });

  it('a reminder asked for at night says when it goes, by the quiet hours of the programme (found in review: always "i morgon bitti kl 08.00")', async () => {
    await app.staff(demo.eva, 'boka möte med Anna onsdag kl 10');
    await clock({ set: '2026-11-23T22:30:00+01:00' });
    expect(text(await app.staff(demo.eva, 'skicka en påminnelse till Anna'))).toMatch(/går i morgon tisdag kl 08\.00\.$/);
    await clock({ set: '2026-11-24T01:00:00+01:00' });
    expect(text(await app.staff(demo.eva, 'skicka en påminnelse till Anna'))).toMatch(/går i dag kl 08\.00\.$/);
    await app.db.query(`update programme set settings = '{"meetings":{"quietHours":{"start":"22:00","end":"06:00"}}}'`);
    expect(text(await app.staff(demo.eva, 'skicka en påminnelse till Anna'))).toMatch(/går i dag kl 06\.00\.$/);
  });

  it('a meeting at 09:00 on the Monday after the change to winter time is reminded at the right hours', async () => {
    await clock({ set: '2027-10-28T09:00:00+02:00' });
    expect(text(await app.staff(demo.eva, 'boka möte med Anna måndag 1 november kl 9'))).toMatch(/^Bokat: .* måndag 1 november kl 09\.00–10\.00/);
    for (let h = 0; h < 24 * 4; h++) await clock({ advance: 'PT1H' });
    const sent = await reminders();
    // Saturday 09:00 summer time (07:00Z); 07:00 on Monday is in quiet hours → Sunday 20:00 winter time (19:00Z).
    expect(sent.map((r) => r.sentAt)).toEqual(['2027-10-30T07:00:00.000Z', '2027-10-31T19:00:00.000Z']);
  });

  it('Easter Monday is a holiday, also the one right after the change to summer time', async () => {
    await clock({ set: '2027-03-25T09:00:00+01:00' });
    expect(text(await app.staff(demo.eva, 'boka möte med Anna måndag 29 mars kl 9'))).toMatch(/^Det går inte måndag 29 mars kl 09\.00: det är annandag påsk\. Lediga tider:\n1\) tisdag 30 mars kl 09\.00/);
  });

  it('the clock jumping past a reminder in the night holds it until the morning', async () => {
    await app.staff(demo.eva, 'boka möte med Anna ons kl 14');
    // From Monday 09:00 to Tuesday 23:30 in one step: the two-day reminder (Monday 14:00) fell due while "down".
    await clock({ set: '2026-11-24T23:30:00+01:00' });
    expect(await reminders()).toEqual([]);
    await clock({ set: '2026-11-25T08:00:00+01:00' });
    expect((await reminders()).map((r) => local(r.sentAt).toFormat('ccc HH:mm'))).toEqual(['Wed 08:00']);
  });

  it('after a gap two reminders of one meeting fall due at once: only the latest is sent (found by a new-user trial)', async () => {
    await app.staff(demo.eva, 'boka möte med Anna tors kl 14');
    // From Monday 09:00 to Thursday 12:30 in one step: both the two-day (Tuesday 14:00) and the two-hour (12:00) reminders are due.
    await clock({ set: '2026-11-26T12:30:00+01:00' });
    expect((await reminders()).map((r) => local(r.sentAt).toFormat('ccc HH:mm'))).toEqual(['Thu 12:30']);
    const skipped = await app.db.query<{ label: string; reason: string }>(`select label, reason from planned_send where kind = 'meeting.reminder' and status = 'skipped'`);
    expect(skipped).toEqual([{ label: 'P2D', reason: 'a later reminder for the meeting is due too' }]);
  });

  it('a reminder held over the night is skipped when a later one of the meeting is due by the morning (found in review)', async () => {
    await app.staff(demo.eva, 'boka möte med Anna ons kl 10');
    await clock({ set: '2026-11-25T07:00:00+01:00' }); // the two-day reminder (Monday 10:00) is held for 08:00
    await clock({ set: '2026-11-25T08:00:00+01:00' }); // and the two-hour one falls due then too
    expect((await reminders()).map((r) => local(r.sentAt).toFormat('ccc HH:mm'))).toEqual(['Wed 08:00']);
  });

  it('an opted-out number gets no reminder, and the coach is told to call', async () => {
    await app.sms(ANNA, 'STOPP');
    const booked = await app.staff(demo.eva, 'boka möte med Anna ons kl 10');
    expect(text(booked)).toContain('Obs: Anna har tackat nej till sms');
    await clock({ advance: 'P3D' });
    expect((await outboxTo(ANNA)).filter((m) => !m.text.startsWith('Du får inga fler SMS'))).toEqual([]);
    const skipped = await app.db.query<{ reason: string }>(`select distinct reason from planned_send where kind = 'meeting.reminder' and status = 'skipped'`);
    expect(skipped).toEqual([{ reason: 'opted out' }]);
  });

  it.each([
    ['in the past', 'boka möte med Anna idag kl 8.30', /Det går inte måndag 23 november kl 08\.30: den tiden har redan varit\. Lediga tider:\n1\) måndag 23 november kl 09\.30/],
    ['on a holiday', 'boka möte med Anna 25 december kl 10', /Det går inte fredag 25 december kl 10\.00: det är juldagen\. Lediga tider:\n1\) /],
    ['outside working hours', 'boka möte med Anna ons kl 16.30', /Det går inte onsdag 25 november kl 16\.30: det är utanför arbetstiden 08\.00–17\.00\. Lediga tider:\n1\) onsdag 25 november kl 16\.00/],
    ['overlapping her meeting', 'boka SIP med Anna tisdag 8 december kl 13.30', /Det går inte tisdag 8 december kl 13\.30: Anna har redan ett möte då \(kl 13\.00\)\. Lediga tider:\n1\) /],
    ['overlapping the coach', 'boka möte med Johan Karlsson onsdag 2 december kl 10', /Det går inte onsdag 2 december kl 10\.00: du har redan ett möte då \(kl 10\.00\)\. Lediga tider:\n1\) /],
  ])('a booking %s is refused with alternatives and changes nothing', async (_, request, answer) => {
    const before = await meetingCount();
    const res = await app.staff(demo.eva, request);
    expect(text(res)).toMatch(answer);
    expect(await meetingCount()).toBe(before);
    expect(await outboxTo(ANNA)).toEqual([]);
  });

  it('booking with an agency the participant said no to sharing with warns the coach; without one, nothing is said', async () => {
    await app.db.query(`insert into consent (participant_id, kind, granted, recorded_at, recorded_by) values ('p1', 'agency_sharing', false, $1, 'cli:import')`, [app.clock.now()]);
    const res = await app.staff(demo.eva, 'boka SIP med Anna ons kl 10 med fk och soc');
    expect(res.body.replies.map((r: { text: string }) => r.text).at(-1)).toBe('Obs: Anna har inte samtyckt till att uppgifter delas med FK, SOC. Dela inget om hen utan ett nytt samtycke.');
    const plain = await app.staff(demo.eva, 'boka möte med Anna tors kl 10');
    expect(JSON.stringify(plain.body)).not.toContain('samtyckt');
  });

  it('answering a refusal with a number books that alternative with everything the request said', async () => {
    const refused = text(await app.staff(demo.eva, 'boka SIP med Anna tisdag 8 december kl 13.30 med soc, tolk arabiska'));
    const second = /2\) (.+)/.exec(refused)![1]!;
    const booked = text(await app.staff(demo.eva, '2'));
    expect(booked).toContain(`Bokat: SIP-möte med Anna Andersson ${second}`);
    expect(booked).toContain('Myndigheter: SOC. Tolk: arabiska.');
  });

  it('with times offered for Anna, a request about another participant is a request of its own', async () => {
    const refused = text(await app.staff(demo.eva, 'boka SIP med Anna tisdag 8 december kl 13.30 med soc'));
    const first = /1\) (\S+) (\d+) december kl (\d\d)\.(\d\d)/.exec(refused)!;
    const annaBefore = await app.db.query(`select id from meeting where participant_id = 'p1'`);
    await app.staff(demo.eva, `flytta Omars möte till ${first[2]} december kl ${first[3]}.${first[4]}`);
    expect(await app.db.query(`select id from meeting where participant_id = 'p1'`)).toEqual(annaBefore);
  });

  it('a day said two ways that disagree, or as "nästnästa", is asked for, not guessed', async () => {
    const before = await meetingCount();
    for (const request of ['boka möte med Anna tisdag 25/11 kl 13', 'boka möte med Anna nästnästa tisdag kl 10']) {
      expect(text(await app.staff(demo.eva, request))).toBe('Vilken dag och tid? (till exempel "tisdag kl 10")');
      await app.staff(demo.eva, 'avbryt');
    }
    expect(await meetingCount()).toBe(before);
  });

  it('"ställ in alla Annas möten" lists them and changes nothing: one at a time', async () => {
    await app.staff(demo.eva, 'boka SIP med Anna ons kl 10');
    await app.staff(demo.eva, 'boka möte med Anna tors kl 10');
    const before = await app.db.query(`select id, status from meeting where participant_id = 'p1' order by id`);
    expect(text(await app.staff(demo.eva, 'ställ in alla Annas möten'))).toMatch(/SIP-möte onsdag 25 november kl 10\.00[\s\S]*coachsamtal torsdag 26 november kl 10\.00/);
    expect(await app.db.query(`select id, status from meeting where participant_id = 'p1' order by id`)).toEqual(before);
  });

  it('an unknown participant gets a clear answer and nothing is booked', async () => {
    const before = await meetingCount();
    expect(text(await app.staff(demo.eva, 'boka möte med Zlatan ons kl 10'))).toBe('Jag hittar ingen deltagare som heter Zlatan bland dem du kan se.');
    expect(await meetingCount()).toBe(before);
  });

  it('a cancel by the coach clears the reminders and tells the participant', async () => {
    await app.staff(demo.eva, 'boka möte med Anna ons kl 10');
    const res = await app.staff(demo.eva, 'ställ in mötet med Anna');
    expect(text(res)).toMatch(/^Avbokat: coachsamtal med Anna Andersson onsdag 25 november kl 10\.00\./);
    expect(res.body.replies[0].attachments[0].content).toContain('STATUS:CANCELLED');
    expect((await outboxTo(ANNA)).at(-1)!.text).toBe('Mötet onsdag 25 november kl 10.00 är inställt. Din coach hör av sig om en ny tid.');
    await clock({ advance: 'P3D' });
    expect(await reminders()).toEqual([]);
  });

  it('the third no-show in 90 days flags the team lead', async () => {
    for (const day of ['ons', 'tors', 'fre']) {
      await app.staff(demo.eva, `boka möte med Anna ${day} kl 10`);
    }
    await clock({ set: '2026-11-27T12:00:00+01:00' });
    for (let i = 0; i < 3; i++) await app.staff(demo.eva, 'Anna uteblev');
    // Each "uteblev" marks the latest begun meeting; mark the two before by their buttons.
    const questions = (await outboxTo(demo.eva)).filter((m) => m.text.startsWith('Kom '));
    for (const q of questions) {
      const b = q.buttons!.find((x) => x.label === 'Kom inte')!;
      await app.server.inject({ method: 'POST', url: '/sim/staff/action', payload: { from: demo.eva, actionId: b.actionId, value: b.value } });
    }
    const lead = (await outboxTo(demo.maria)).filter((m) => !/sammanfattning/.test(m.text.split('\n')[0]!));
    expect(lead).toHaveLength(1);
    expect(lead[0]!.text).toMatch(/^Anna Andersson \(coach Eva Lindqvist\) har uteblivit 3 gånger på 90 dagar/);
  });

  it('attendance: a named kind of meeting picks that meeting, and a mark is not overwritten the other way without asking', async () => {
    await app.staff(demo.eva, 'boka SIP med Anna ons kl 10');
    await app.staff(demo.eva, 'boka möte med Anna tors kl 10');
    await clock({ set: '2026-11-26T15:00:00+01:00' });
    const status = async () => (await app.db.query<{ type: string; status: string }>(`select type, status from meeting where participant_id = 'p1' and start_at < $1 order by start_at`, [app.clock.now()])).map((m) => `${m.type}:${m.status}`);
    expect(text(await app.staff(demo.eva, 'Anna uteblev från SIP:en'))).toMatch(/^Noterat: Anna Andersson kom inte till SIP-möte/);
    expect(text(await app.staff(demo.eva, 'Anna kom'))).toMatch(/^Noterat: Anna Andersson kom till coachsamtal/);
    // "Anna uteblev" now would turn today's "came" into a no-show: asked with the buttons instead.
    expect(text(await app.staff(demo.eva, 'Anna uteblev'))).toMatch(/^Kom Anna Andersson till coachsamtal/);
    expect(await status()).toEqual(['sip:missed', 'coach:held']);
  });

  it('a reminder can be sent now from chat', async () => {
    await app.staff(demo.eva, 'boka möte med Anna ons kl 10');
    expect(text(await app.staff(demo.eva, 'skicka en påminnelse till Anna'))).toBe('Påminnelse skickas nu till Anna Andersson om mötet onsdag 25 november kl 10.00.');
    expect((await reminders()).map((r) => r.text)).toEqual(['Påminnelse: möte med din coach onsdag 25 november kl 10.00. Plats: din coach berättar. Kan du inte komma? Svara FLYTTA.']);
    // Who asked for it is in the participant's audit trail (it was not; found by a new-user trial).
    const trail = await app.db.query<{ actor: string }>(`select actor from audit_log where participant_id = 'p1' and action = 'reminder.requested'`);
    expect(trail).toEqual([{ actor: 'staff:s1' }]);
  });

  it('shows cadence against each agency target: green when met in time, yellow when late but booked, red when overdue', async () => {
    // Anna has contacts at FK, AF, SOC and VC; AF has no target. She started on 2 March.
    await app.db.query(
      `insert into meeting (id, participant_id, coach_id, type, start_at, status, agencies) values
         ('c1', 'p1', 's1', 'arendemote', '2026-11-10T09:00:00Z', 'held', '{soc}'),
         ('c2', 'p1', 's1', 'arendemote', '2026-12-15T09:00:00Z', 'booked', '{fk}')`,
    );
    const res = text(await app.staff(demo.eva, 'när är Annas nästa möte?'));
    expect(res).toBe(
      'Anna Andersson: nästa möte är coachsamtal onsdag 2 december kl 10.00.\n' +
        'Möten med myndigheter mot mål: FK gult (inget hållet ännu, nästa 15 december); SOC grönt (senast 10 november, dags senast 10 december); VC rött (inget hållet ännu, försenat sedan 2 april).',
    );
    const { cadenceRates } = await import('../src/meetings/cadence.js');
    const { DEFAULT_MEETING_SETTINGS } = await import('../src/meetings/settings.js');
    const rates = await cadenceRates(app.db, 't1', app.clock.now(), DEFAULT_MEETING_SETTINGS);
    const soc = rates.find((r) => r.agency === 'soc')!;
    expect(soc.target).toBe(1);
    expect(soc.perParticipantMonth).toBeCloseTo(1 / (soc.participants * 3), 2);
  });

  // ── Found by a new user trying it out ──────────────────────────────────────────────────────

  it('a cancel or move that names a day and time acts on that meeting; an unclear one changes nothing', async () => {
    for (const time of ['8', '11', '13']) await app.staff(demo.eva, `boka möte med Anna fredag kl ${time}`);
    expect(text(await app.staff(demo.eva, 'ställ in mötet med Anna fredag kl 11'))).toMatch(/^Avbokat: coachsamtal med Anna Andersson fredag 27 november kl 11\.00/);
    expect(text(await app.staff(demo.eva, 'ställ in Annas möte på fredag'))).toMatch(/^Anna Andersson har flera möten då\. Skriv dag och tid för det du menar:\n• coachsamtal fredag 27 november kl 08\.00/);
    expect(text(await app.staff(demo.eva, 'avboka mötet med Anna den 30 november'))).toMatch(/^Anna Andersson har inget möte då\. Kommande möten:/);
    const moved = text(await app.staff(demo.eva, 'flytta Annas möte den 2 december till torsdag 3 december kl 14'));
    expect(moved).toMatch(/^Flyttat: coachsamtal med Anna Andersson från onsdag 2 december kl 10\.00 till torsdag 3 december kl 14\.00/);
    const statuses = await app.db.query<{ h: number; status: string }>(
      `select extract(hour from start_at at time zone 'Europe/Stockholm')::int as h, status from meeting where participant_id = 'p1' and start_at::date = '2026-11-27' order by start_at`,
    );
    expect(statuses.map((r) => r.status)).toEqual(['booked', 'cancelled', 'booked']);
  });

  it('a new request is not taken as the answer to an open question', async () => {
    expect(text(await app.staff(demo.eva, 'boka möte med Johan imorgon 14'))).toMatch(/^Flera deltagare heter Johan/);
    const res = text(await app.staff(demo.eva, 'book a meeting with Anna on Friday at 9'));
    expect(res).toMatch(/^Bokat: coachsamtal med Anna Andersson fredag 27 november kl 09\.00/);
  });

  it('"avbryt" or "strunta i det" drops an open question and changes nothing', async () => {
    await app.staff(demo.eva, 'boka möte med Anna lördag kl 10');
    const before = await meetingCount();
    expect(text(await app.staff(demo.eva, 'strunta i det'))).toBe('Okej, då låter vi det vara.');
    expect(text(await app.staff(demo.eva, '1'))).not.toMatch(/^Bokat/);
    expect(await meetingCount()).toBe(before);
  });

  it('a participant\'s "kan inte" out of the blue asks which meeting before cancelling; a named day picks that one', async () => {
    await app.staff(demo.eva, 'boka möte med Anna tisdag 1 december kl 13');
    await app.sms(ANNA, 'JA');
    expect(text(await app.sms(ANNA, 'kan inte'))).toBe('Menar du mötet tisdag 1 december kl 13.00? Svara NEJ så avbokar jag det.');
    expect(await app.db.query(`select id from meeting where status = 'cancelled'`)).toEqual([]);
    expect(text(await app.sms(ANNA, 'jag kan inte komma den 2 december'))).toBe('Menar du mötet onsdag 2 december kl 10.00? Svara NEJ så avbokar jag det.');
    expect(text(await app.sms(ANNA, 'NEJ'))).toBe('Okej, mötet onsdag 2 december kl 10.00 är avbokat. Din coach hör av sig.');
  });

  it('sick on a day with two meetings: after the first is cancelled the other is named, still on, and one NEJ cancels it (found by a new-user trial)', async () => {
    expect(text(await app.staff(demo.eva, 'boka SIP med Anna onsdag 2 december kl 13 med fk'))).toMatch(/^Bokat/);
    // The booking SMS asked about the SIP, so the sentence is read about it first.
    expect(text(await app.sms(ANNA, 'kan inte komma på onsdag 2 december, är sjuk'))).toBe('Menar du mötet onsdag 2 december kl 13.00? Svara NEJ så avbokar jag det.');
    expect(text(await app.sms(ANNA, 'NEJ'))).toBe('Okej, mötet onsdag 2 december kl 13.00 är avbokat. Din coach hör av sig.\nDu har också möte med din coach onsdag 2 december kl 10.00. Det är kvar. Kan du inte komma på det heller, svara NEJ.');
    expect((await outboxTo(demo.eva)).map((m) => m.text)).toContain('Anna Andersson avbokade ett möte samma dag som coachsamtal onsdag 2 december kl 10.00. Det mötet är kvar; fråga gärna om hen kan komma.');
    expect(text(await app.sms(ANNA, 'NEJ'))).toBe('Okej, mötet onsdag 2 december kl 10.00 är avbokat. Din coach hör av sig.');
    expect(await app.db.query(`select count(*)::int as n from meeting where status = 'cancelled'`)).toEqual([{ n: 2 }]);
  });

  it('a second JA tells the coach nothing new', async () => {
    await app.staff(demo.eva, 'boka möte med Anna ons kl 10');
    await app.sms(ANNA, 'JA');
    await app.sms(ANNA, 'ja');
    expect((await outboxTo(demo.eva)).filter((m) => m.text.includes('har bekräftat'))).toHaveLength(1);
  });

  it('FLYTTA stops the reminders of that time until the coach moves the meeting', async () => {
    await app.staff(demo.eva, 'boka möte med Anna ons kl 10');
    await app.sms(ANNA, 'FLYTTA');
    for (let h = 0; h < 50; h++) await clock({ advance: 'PT1H' });
    expect(await reminders()).toEqual([]);
  });

  it('JA after FLYTTA: the reminders come again and the coach is told no new time is needed (they stayed stopped before)', async () => {
    await app.staff(demo.eva, 'boka möte med Anna ons kl 10');
    await app.sms(ANNA, 'FLYTTA');
    // Nothing asked her about it since: which meeting is asked first, as for any late answer.
    expect(text(await app.sms(ANNA, 'JA'))).toBe('Menar du mötet onsdag 25 november kl 10.00? Svara JA igen så skriver jag att du kommer.');
    expect(text(await app.sms(ANNA, 'JA'))).toBe('Tack! Vi ses onsdag 25 november kl 10.00.');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toBe(
      'Anna Andersson kommer ändå på coachsamtal onsdag 25 november kl 10.00 (svarade JA efter att ha bett om en ny tid). Ingen ny tid behövs; påminnelserna går som vanligt.',
    );
    for (let h = 0; h < 50; h++) await clock({ advance: 'PT1H' });
    expect((await reminders()).length).toBeGreaterThan(0);
    // A second JA changes nothing and tells nobody again.
    const told = (await outboxTo(demo.eva)).length;
    await app.sms(ANNA, 'JA');
    expect((await outboxTo(demo.eva)).length).toBe(told);
  });

  it('JA after a FLYTTA sent after the last reminder still tells the coach no new time is needed (found in review)', async () => {
    await app.staff(demo.eva, 'boka möte med Anna ons kl 10');
    await clock({ set: '2026-11-25T09:00:00+01:00' });
    expect(text(await app.sms(ANNA, 'FLYTTA'))).toBe('Okej! Din coach hör av sig om en ny tid.');
    await app.sms(ANNA, 'JA');
    expect(text(await app.sms(ANNA, 'JA'))).toBe('Tack! Vi ses i dag kl 10.00.');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toMatch(/^Anna Andersson kommer ändå på coachsamtal onsdag 25 november kl 10\.00/);
  });

  it('an SMS a coach causes in quiet hours waits until 08:00', async () => {
    await clock({ set: '2026-11-23T22:00:00+01:00' });
    expect(text(await app.staff(demo.eva, 'boka möte med Anna ons kl 10'))).toMatch(/^Bokat/);
    expect(await outboxTo(ANNA)).toEqual([]);
    await clock({ set: '2026-11-24T08:00:00+01:00' });
    const [request] = await outboxTo(ANNA);
    expect(request!.text).toMatch(/^Hej! Du har fått en tid/);
    expect(request!.sentAt).toBe('2026-11-24T07:00:00.000Z');
  });

  it('a date that has just passed is refused as past, not booked next year', async () => {
    expect(text(await app.staff(demo.eva, 'boka möte med Anna 20/11 kl 10'))).toMatch(/^Det går inte fredag 20 november kl 10\.00: den tiden har redan varit\./);
  });

  it('an offered time can be taken by naming it', async () => {
    const refused = text(await app.staff(demo.eva, 'boka möte med Anna ons kl 16.30'));
    expect(refused).toContain('onsdag 25 november kl 15.30');
    expect(text(await app.staff(demo.eva, 'kl 15.30'))).toMatch(/^Bokat: coachsamtal med Anna Andersson onsdag 25 november kl 15\.30/);
  });

  it('a clash with a colleague names the colleague', async () => {
    // Jonas books for Anna, whose coach Eva has a meeting with Johan Karlsson on 2 December at 10.
    expect(text(await app.staff(demo.jonas, 'boka möte med Anna onsdag 9 december kl 10'))).toMatch(/Det går inte onsdag 9 december kl 10\.00: .* har redan ett möte då|^Bokat/);
    expect(text(await app.staff(demo.jonas, 'boka möte med Anna onsdag 2 december kl 10'))).toMatch(/: Anna har redan ett möte då \(kl 10\.00\)/);
    await app.staff(demo.eva, 'boka möte med Johan Karlsson torsdag kl 10');
    expect(text(await app.staff(demo.jonas, 'boka möte med Anna torsdag kl 10'))).toMatch(/: Eva Lindqvist har redan ett möte då \(kl 10\.00\)/);
  });
});
