// Multi-turn conversations: context, clarifying questions, the two-miss offer, slot questions
// asked once, crisis first, and other languages — through the core, on every engine.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { engines } from './support/db.js';
import { demo, testApp, type TestApp } from './support/app.js';
import { expectAnswer, saveConversation } from '../src/core/conversation.js';
import { createLots } from '../src/core/lots.js';
import { dispatch } from '../src/outbox/outbox.js';
import { createLogger } from '../src/util/log.js';
import { t } from '../src/i18n/index.js';

const ANNA = demo.anna.phone;
const OMAR = '+46701740606'; // coach Jonas, Arabic
const text = (res: { body: { replies: { text: string }[] } }) => res.body.replies.map((r) => r.text).join('\n');

describe.each(engines)('dialogue on %s', (engine) => {
  let app: TestApp;
  beforeEach(async () => {
    app = await testApp(engine);
  });
  afterEach(() => app.closeCheckingLogs([ANNA, 'Anna', 'leva', 'Karin', 'slipper']));
  const outboxTo = async (to: string) =>
    (await app.server.inject({ method: 'GET', url: `/sim/outbox?to=${encodeURIComponent(to)}` })).json().messages as { text: string }[];

  it('asks a clarifying question with choices, and acts on the choice', async () => {
    const ask = await app.sms(ANNA, 'tid');
    expect(text(ask)).toBe('Menar du 1) ditt nästa möte eller 2) att byta tid? Svara 1 eller 2.');
    const chose = await app.sms(ANNA, '1');
    expect(text(chose)).toMatch(/^Ditt nästa möte: möte med din coach onsdag 2 december kl 10\.00\. Plats: din coach berättar\./);
  });

  it('a number that is none of the choices is a miss, and a lone good number keeps an open meeting question (both were thanked for as a check-in, and the question dropped)', async () => {
    expect(text(await app.sms(ANNA, 'tid'))).toBe('Menar du 1) ditt nästa möte eller 2) att byta tid? Svara 1 eller 2.');
    // The clarifying question was the first miss; this is the second: the coach is offered.
    expect(text(await app.sms(ANNA, '5'))).toBe('Jag förstår inte riktigt. Vill du att din coach ringer dig? Svara RING.');
    expect(text(await app.sms(ANNA, 'FLYTTA'))).toMatch(/^Menar du mötet .*\? Svara FLYTTA igen/);
    expect(text(await app.sms(ANNA, '3'))).toBe('Svara JA om du kommer, NEJ om du inte kan, FLYTTA om du vill byta tid.');
    expect(text(await app.sms(ANNA, 'FLYTTA'))).toBe('Okej! Din coach hör av sig om en ny tid.');
  });

  it('words or a low number about how one feels reach the coach while a meeting question is open (found in review)', async () => {
    expect(text(await app.sms(ANNA, 'FLYTTA'))).toMatch(/^Menar du mötet .*\? Svara FLYTTA igen/);
    const said = 'det är en 2:a idag, känns tungt';
    expect(text(await app.sms(ANNA, said))).not.toContain('Svara JA om du kommer');
    expect((await outboxTo(demo.eva)).map((m) => m.text).join('\n')).toContain(said);
  });

  it('after two misses in a row offers the coach, and RING reaches the coach', async () => {
    expect(text(await app.sms(ANNA, 'blå banan'))).toContain('förstod inte');
    expect(text(await app.sms(ANNA, 'grön gurka'))).toBe('Jag förstår inte riktigt. Vill du att din coach ringer dig? Svara RING.');
    expect(text(await app.sms(ANNA, 'RING'))).toContain('Jag har sagt till Eva');
    const coach = await outboxTo(demo.eva);
    expect(coach.at(-1)!.text).toBe('Anna Andersson ber att bli uppringd. Telefon: 070-174 06 21.\nKvittera inom 30 minuter (kontorstid), annars går det vidare.');
  });

  it('says plainly what it cannot do rather than offer two guesses, and the coach reads it (found by a new user)', async () => {
    expect(text(await app.sms(ANNA, 'vad är klockan?'))).toBe(t('sv', 'participant:outOfScope'));
    expect((await outboxTo(demo.eva)).at(-1)!.text).toContain('vad är klockan?');
    // Still a miss: a second in a row offers the coach.
    expect(text(await app.sms(ANNA, 'vad blir det för väder imorgon?'))).toBe('Jag förstår inte riktigt. Vill du att din coach ringer dig? Svara RING.');
  });

  it('a participant asking for a contact by name gets that contact, and a name that is none of theirs is told only their own are given (both were asked "Vilken kontakt menar du?")', async () => {
    expect(text(await app.sms(ANNA, 'vad är Karins nummer?'))).toMatch(/^Din kontakt på Försäkringskassan är Karin Lund/);
    expect(text(await app.sms(ANNA, 'vad har Omar för nummer?'))).toMatch(/^Jag kan bara ge dig dina egna kontakter\. Vilken menar du\? Svara /);
    expect(text(await app.sms(ANNA, 'FK'))).toContain('Karin Lund');
    // A sentence's first word is no name, nor is the participant's own.
    expect(text(await app.sms(ANNA, 'Hej. Vem är min kontakt?'))).toMatch(/^Vilken kontakt menar du\?/);
  });

  it('a participant: a missing agency is asked for, and the answer completes the request', async () => {
    expect(text(await app.sms(ANNA, 'vem är min kontakt?'))).toMatch(/^Vilken kontakt menar du\?/);
    expect(text(await app.sms(ANNA, 'FK'))).toContain('Karin Lund');
  });

  it('a coach who writes that a participant spoke of ending their life gets the crisis routine beside the answer', async () => {
    const said = text(await app.staff(demo.eva, 'Anna sa på mötet att hon inte vill leva längre, vad gör jag?'));
    expect(said).toContain(t('sv', 'staff:crisisRoutine'));
    expect(text(await app.staff(demo.eva, 'när är Annas nästa möte?'))).not.toContain('112');
  });

  it('a coach: a missing participant is asked for once, and the question survives a restart', async () => {
    expect(text(await app.staff(demo.eva, 'vem är handläggaren på FK?'))).toBe('Vilken deltagare gäller det?');
    // A new core on the same database: nothing of the conversation lived in memory.
    const restarted = createLots({ db: app.db, clock: app.clock, log: createLogger({ level: 'silent' }), send: (claimed) => dispatch(app.db, async () => {}, app.clock, { claimed }) });
    const answer = await restarted.receive({ channel: 'staff', from: demo.eva, text: 'Anna' });
    expect(answer.replies[0]!.text).toContain('Karin Lund');
  });

  it('a coach\'s caseload says how many are her own; an admin is told she sees no one in chat (found by a new user)', async () => {
    expect(text(await app.staff(demo.eva, 'visa mina deltagare'))).toMatch(/^Deltagare du kan se \(\d+\), dina egna \(\d+\) först:\n• Alex Lindgren – coach Eva Lindqvist\n/);
    expect(text(await app.staff(demo.lars, 'visa mina deltagare'))).toBe('Som administratör ser du inga deltagare i chatten. Coacher och teamledare ser sina.');
  });

  it('asks for a missing slot only once, then the conversation goes on', async () => {
    expect(text(await app.staff(demo.eva, 'vem är handläggaren på FK?'))).toBe('Vilken deltagare gäller det?');
    expect(text(await app.staff(demo.eva, 'visa mina deltagare'))).toMatch(/^Deltagare du kan se/);
    expect(text(await app.staff(demo.eva, 'Anna'))).not.toContain('Karin Lund');
  });

  it('asks a coach for the time when a booking lacks it, keeping the day', async () => {
    expect(text(await app.staff(demo.eva, 'boka SIP med Anna på tisdag'))).toContain('Vilken dag och tid?');
    const [row] = await app.db.query<{ state: { pending: { slots: { start: string } } } }>(`select state from conversation where address = $1`, [demo.eva]);
    expect(row!.state.pending.slots.start).toBe('2026-11-24T00:00');
  });

  it('reads a short answer in the light of what was asked: OK after a booking request confirms', async () => {
    await saveConversation(app.db, 'sms', ANNA, { expecting: 'booking', ref: 'demo-m1', at: '' }, app.clock.now());
    expect(text(await app.sms(ANNA, 'ok'))).toBe('Tack! Vi ses onsdag 2 december kl 10.00.');
    const [m] = await app.db.query<{ status: string }>(`select status from meeting where id = 'demo-m1'`);
    expect(m!.status).toBe('confirmed');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toContain('Anna Andersson har bekräftat');
  });

  it('NEJ out of the blue asks which meeting first; NEJ again cancels it and tells the coach at once, naming the participant', async () => {
    expect(text(await app.sms(ANNA, 'NEJ'))).toBe('Menar du mötet onsdag 2 december kl 10.00? Svara NEJ igen så avbokar jag det.');
    expect(text(await app.sms(ANNA, 'nej'))).toContain('avbokat');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toMatch(/^Anna Andersson kan inte komma på coachsamtal onsdag 2 december/);
  });

  it('a cancel read from a sentence or a question is asked about, even right after a reminder, and the coach reads it at once', async () => {
    const status = async () => (await app.db.query<{ status: string }>(`select status from meeting where id = 'demo-m1'`))[0]!.status;
    for (const message of ['dörren är låst, kan inte komma in', 'ska vi avboka?']) {
      await saveConversation(app.db, 'sms', ANNA, { expecting: 'booking', ref: 'demo-m1', at: '' }, app.clock.now());
      expect(text(await app.sms(ANNA, message))).toBe('Menar du mötet onsdag 2 december kl 10.00? Svara NEJ så avbokar jag det.');
      expect(await status()).toBe('booked');
      expect((await outboxTo(demo.eva)).at(-1)!.text).toBe(`Anna Andersson skrev om coachsamtal onsdag 2 december kl 10.00: "${message}" Lots har frågat om det betyder NEJ och ändrar inget förrän deltagaren svarar NEJ.`);
    }
    // Read as no cancel at all now; either way nothing changes.
    await saveConversation(app.db, 'sms', ANNA, { expecting: 'booking', ref: 'demo-m1', at: '' }, app.clock.now());
    await app.sms(ANNA, 'jag kommer inte att missa mötet');
    expect(await status()).toBe('booked');
    // The plain answer still acts at once.
    await saveConversation(app.db, 'sms', ANNA, { expecting: 'booking', ref: 'demo-m1', at: '' }, app.clock.now());
    expect(text(await app.sms(ANNA, 'NEJ'))).toContain('avbokat');
    expect(await status()).toBe('cancelled');
  });

  it('a yes to "Menar du mötet …? Svara NEJ igen" cancels, never confirms; a no to a move asked again changes nothing', async () => {
    const status = async () => (await app.db.query<{ status: string }>(`select status from meeting where id = 'demo-m1'`))[0]!.status;
    await saveConversation(app.db, 'sms', ANNA, { expecting: 'booking', ref: 'demo-m1', at: '' }, app.clock.now());
    expect(text(await app.sms(ANNA, 'jag vill byta tid på mötet'))).toBe('Menar du mötet onsdag 2 december kl 10.00? Svara FLYTTA så ber jag din coach om en ny tid.');
    expect(text(await app.sms(ANNA, 'nej'))).toBe('Okej!');
    expect(await status()).toBe('booked');
    await saveConversation(app.db, 'sms', ANNA, { expecting: 'booking', ref: 'demo-m1', at: '' }, app.clock.now());
    expect(text(await app.sms(ANNA, 'kan inte komma, är sjuk idag'))).toBe('Menar du mötet onsdag 2 december kl 10.00? Svara NEJ så avbokar jag det.');
    expect(text(await app.sms(ANNA, 'ja'))).toContain('avbokat');
    expect(await status()).toBe('cancelled');
  });

  // Found by a new user: "Svara FLYTTA så gör jag det" read as a promise to move the meeting, and the
  // time asked for never reached the coach.
  it('a move asked for a new time: the question says the coach finds it, and the coach is told the time asked for', async () => {
    await saveConversation(app.db, 'sms', ANNA, { at: '' }, app.clock.now());
    expect(text(await app.sms(ANNA, 'kan vi flytta mötet till fredag kl 13'))).toMatch(/^Menar du mötet .*\? Svara FLYTTA så ber jag din coach om en ny tid\.$/);
    expect(text(await app.sms(ANNA, 'FLYTTA'))).toBe('Okej! Din coach hör av sig om en ny tid.');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toMatch(/^Anna Andersson vill flytta .* \(svarade FLYTTA\)\. Önskad tid: fredag 27 november kl 13\.00\. Föreslå en ny tid\.$/);
  });

  it('a time wished for one meeting is not carried to the next question Lots asks (a reminder of another)', async () => {
    await saveConversation(app.db, 'sms', ANNA, { at: '' }, app.clock.now());
    await app.sms(ANNA, 'kan vi flytta mötet till fredag kl 13');
    await expectAnswer(app.db, 'sms', ANNA, 'booking', 'demo-m1', app.clock.now());
    const [row] = await app.db.query<{ state: Record<string, unknown> }>(`select state from conversation where channel = 'sms' and address = $1`, [ANNA]);
    expect(row!.state).toMatchObject({ expecting: 'booking', ref: 'demo-m1' });
    expect(row!.state.wished).toBeUndefined();
  });

  it('a coach: a change said as a question, a negation or a condition is not made; two participants are one at a time', async () => {
    const meetings = async () => (await app.db.query<{ id: string; status: string }>(`select id, status from meeting where participant_id = 'p1' order by id`)).map((m) => `${m.id}:${m.status}`);
    const before = await meetings();
    for (const message of ['ställ INTE in mötet med Anna', 'ska jag boka SIP med Anna tis kl 10?', 'om Anna inte kommer, ställ in', 'skicka inte påminnelse till Anna', "don't cancel Anna's meeting", 'FK har ställt in mötet med Anna']) {
      expect(text(await app.staff(demo.eva, message))).toBe(t('sv', 'staff:notAnOrder'));
    }
    expect(await meetings()).toEqual(before);
    expect(await outboxTo(ANNA)).toEqual([]);
    expect(text(await app.staff(demo.eva, 'ställ in mötet med Anna och Omar'))).toBe('Du nämner flera deltagare (Anna, Omar). Skriv en deltagare i taget, så blir det rätt.');
    expect(await meetings()).toEqual(before);
    // Asked politely, it is an order.
    expect(text(await app.staff(demo.eva, 'kan du ställa in mötet med Anna?'))).not.toBe(t('sv', 'staff:notAnOrder'));
    expect(await meetings()).not.toEqual(before);
  });

  it('crisis runs first, even mid-question, with 112, 90101 and 1177, and the coach is told at once (the lead if no one acknowledges)', async () => {
    await app.sms(ANNA, 'vem är min kontakt?'); // an open question
    const res = await app.sms(ANNA, 'jag vill inte leva längre');
    expect(res.body.replies).toHaveLength(1);
    expect(text(res)).toMatch(/112.*90101.*1177/s);
    expect(text(res)).toContain('Din coach får veta nu');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toMatch(/^AKUT: Anna Andersson .*"jag vill inte leva längre" Ring 070-174 06 21 nu/);
    for (const staff of [demo.jonas, demo.maria]) expect((await outboxTo(staff)).length).toBe(0);
  });

  it('a hint no crisis phrase catches still reaches the coach word for word, and the request is still answered', async () => {
    // ("behöver inte boka fler möten, jag är värdelös" was this test's message until the second
    // crisis line came: it is now as like the crisis examples as an alarm asks.)
    const res = await app.sms(ANNA, 'när är mitt nästa möte? känner mig värdelös');
    expect(text(res)).not.toMatch(/90101/);
    expect(text(res)).toMatch(/^Ditt nästa möte/);
    const coach = (await outboxTo(demo.eva)).map((m) => m.text);
    expect(coach.at(-1)).toBe('Läs gärna: Anna Andersson skrev något som kan vara allvarligt – Lots är osäker och har inte larmat. Meddelandet: "när är mitt nästa möte? känner mig värdelös" Telefon: 070-174 06 21.');
    expect((await outboxTo(demo.maria)).length).toBe(0);
  });

  it('a check-in answer with such words reaches the coach once, as a concern', async () => {
    await app.sms(ANNA, '2, gör så ont inuti');
    const coach = (await outboxTo(demo.eva)).map((m) => m.text);
    expect(coach).toEqual(['Läs gärna: Anna Andersson skrev något som kan vara allvarligt – Lots är osäker och har inte larmat. Meddelandet: "2, gör så ont inuti" Telefon: 070-174 06 21.']);
  });

  it('everyday talk reaches no one', async () => {
    await app.sms(ANNA, 'när är mitt nästa möte?');
    expect((await outboxTo(demo.eva)).length).toBe(0);
  });

  it('at night the crisis reply says honestly when a person will see it', async () => {
    app.clock.set(new Date('2026-11-24T22:30:00+01:00'));
    expect(text(await app.sms(ANNA, 'orkar inte leva'))).toContain('Vi har sagt till den som har jour. Din coach ser det i morgon onsdag kl 08.00.');
  });

  it('a crisis reply goes out even after STOP', async () => {
    await app.sms(ANNA, 'STOPP');
    expect(text(await app.sms(ANNA, 'jag ska ta livet av mig'))).toContain('90101');
  });

  it('after STOP no reply goes to the participant, so their coach reads what they write; START is theirs alone', async () => {
    await app.sms(ANNA, 'STOPP');
    expect((await app.sms(ANNA, 'när är mitt nästa möte?')).body.replies).toEqual([]);
    expect((await outboxTo(demo.eva)).map((m) => m.text)).toEqual(['Anna Andersson har stoppat sms från Lots och får inget svar, men skrev: "när är mitt nästa möte?"']);
    await app.sms(ANNA, 'START');
    expect(await outboxTo(demo.eva)).toHaveLength(1);
  });

  it('an opt-out in a sentence that does not say what should stop is asked about, not done; the coach reads it', async () => {
    const optedOut = async () => (await app.db.query<{ opted: boolean }>(`select opted_out_at is not null as opted from participant where id = 'p1'`))[0]!.opted;
    for (const message of ['jag vill att regnet ska sluta', 'jag orkar verkligen inte, vill sluta', 'sluta inte skicka sms, de hjälper mig']) {
      expect(text(await app.sms(ANNA, message))).toBe(t('sv', 'participant:optoutAsk'));
      expect(await optedOut()).toBe(false);
    }
    const toCoach = (await outboxTo(demo.eva)).map((m) => m.text);
    expect(toCoach[0]).toContain('skrev något Lots inte förstod');
    // The second too, in her words.
    expect(toCoach[1]).toContain('"jag orkar verkligen inte, vill sluta"');
    // "Orkar inte mer" said of everything is a crisis, never a STOP (found by a probe).
    expect(text(await app.sms(ANNA, 'sluta. jag orkar inte mer'))).toBe(t('sv', 'participant:crisis'));
    expect(await optedOut()).toBe(false);
    // Said about the messages, or as a command, it stops at once.
    expect(text(await app.sms(ANNA, 'sluta skicka sms till mig'))).toBe(t('sv', 'participant:optout'));
    expect(await optedOut()).toBe(true);
  });

  it('an overdose taken is told to call 112 now, and the coach that it may be happening now', async () => {
    expect(text(await app.sms(ANNA, 'har tagit alla mina tabletter'))).toBe(t('sv', 'participant:crisisNow'));
    expect(t('sv', 'participant:crisisNow')).toMatch(/^Ring 112 nu/);
    expect((await outboxTo(demo.eva)).at(-1)!.text).toMatch(/^AKUT, kan hända nu: Anna Andersson skrev: "har tagit alla mina tabletter"/);
  });

  it('a low check-in answer reaches the coach, and the participant is offered a call', async () => {
    expect(text(await app.sms(ANNA, 'typ en 2a'))).toBe('Tack för att du svarar. Vill du att din coach ringer dig? Svara RING.');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toBe('Anna Andersson svarade på incheckningen: "typ en 2a"');
  });

  it('"ja" to "Vill du att din coach ringer dig?" asks for the call; "nej" declines it (both were read as answers to no meeting; found by a new-user trial)', async () => {
    await app.sms(ANNA, 'typ en 2a');
    expect(text(await app.sms(ANNA, 'ja tack'))).toMatch(/^Tack! Jag har sagt till Eva/);
    expect(await app.db.query(`select reason from escalation where participant_id = 'p1'`)).toEqual([{ reason: 'call-request' }]);
    await app.sms(ANNA, 'typ en 2a');
    expect(text(await app.sms(ANNA, 'nej'))).toBe('Okej!');
    // The offer is for the next message only: a later "ja" is read as before.
    expect(text(await app.sms(ANNA, 'ja'))).not.toMatch(/^Tack! Jag har sagt till Eva/);
  });

  it('a coach with no contact row (a CSV import gives none) is named, with RING to be called (found by a new-user trial)', async () => {
    await app.db.query(`delete from agency_contact where participant_id = 'p1' and agency = 'coach'`);
    expect(text(await app.sms(ANNA, 'vem är min coach?'))).toBe('Din coach heter Eva Lindqvist. Svara RING så ringer din coach upp dig.');
    // "ok" most often means "noted": no call is asked for on it (found in review).
    await app.sms(ANNA, 'ok');
    expect(await app.db.query(`select 1 from escalation where participant_id = 'p1'`)).toEqual([]);
    await app.sms(ANNA, 'vem är min coach?');
    expect(text(await app.sms(ANNA, 'ja'))).toMatch(/^Tack! Jag har sagt till Eva/);
  });

  it('never changes a meeting or consent on a weak guess', async () => {
    for (const message of ['jag kan inte sova', 'vet inte om jag kan komma', 'va har ja för möten', 'ring mig inte', 'avsluta mötet']) await app.sms(ANNA, message);
    const [m] = await app.db.query<{ status: string }>(`select status from meeting where id = 'demo-m1'`);
    expect(m!.status).toBe('booked');
    const [p] = await app.db.query<{ opted: boolean }>(`select opted_out_at is not null as opted from participant where id = 'p1'`);
    expect(p!.opted).toBe(false);
    // What Lots did not understand goes to the coach to read, in the participant's words; nothing else does.
    const toCoach = await outboxTo(demo.eva);
    expect(toCoach.length).toBeGreaterThan(0);
    for (const m of toCoach) expect(m.text).toMatch(/^Anna Andersson skrev något (Lots inte förstod och inte kunde svara på|som Lots bara kunde tacka för, hälsa på eller svara med hjälptexten)\. Läs gärna\. Meddelandet: "[^"]+"$/);
  });

  it('a new number or a wish to change coach is told to the coach to read, not answered with a contact (found by a new-user trial)', async () => {
    for (const message of ['jag har bytt nummer till 0701234567', 'jag vill byta coach']) {
      const res = await app.sms(ANNA, message);
      expect(text(res)).not.toMatch(/Vilken kontakt|Eva Lindqvist/);
      expect((await outboxTo(demo.eva)).at(-1)!.text).toContain(`"${message}"`);
    }
  });

  it('a question of its own while a check-in is open is no answer to it: the coach reads it as asked (found by a new-user trial)', async () => {
    await app.staff(demo.eva, 'skicka en incheckning till Anna');
    const asked = text(await app.sms(ANNA, 'när slutar jag i programmet'));
    expect(asked).not.toBe('Tack för ditt svar!');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toContain('Meddelandet: "när slutar jag i programmet"');
    expect(await app.db.query(`select 1 from checkin where participant_id = 'p1' and answered_at is not null`)).toEqual([]);
    expect(text(await app.sms(ANNA, '4'))).toBe('Tack för ditt svar!');
    // Answers that open like questions are answers ("hur", "var" open statements too; found in review).
    await app.staff(demo.eva, 'skicka en incheckning till Anna');
    expect(text(await app.sms(ANNA, 'Hur bra som helst!'))).toBe('Tack för ditt svar!');
    await app.staff(demo.eva, 'skicka en incheckning till Anna');
    expect(text(await app.sms(ANNA, 'bra, du då?'))).toBe('Tack för ditt svar!');
  });

  it('a long message Lots is unsure of, and no question, is thanked and read by the coach, not asked back as two guesses (found by a new-user trial)', async () => {
    const message = 'Hej Eva! Det har varit en tung vecka, mamma är sjuk och jag sover dåligt. Vi ses på fredag hoppas jag.';
    expect(text(await app.sms(ANNA, message))).toBe('Tack för att du berättar! Din coach får läsa det.');
    expect((await outboxTo(demo.eva)).at(-1)!.text).toContain(message);
  });

  it('passes a message it did not understand to the coach to read, once, and answers as before', async () => {
    // ("vart tog bussen vägen" was this test's message until participants' lines about buses on
    // the way to a meeting became examples: it is now asked about, next meeting or coming.)
    expect(text(await app.sms(ANNA, 'var köper man billigast vinterdäck'))).toBe('Det kan jag inte svara på, men din coach får se ditt sms. Svara HJÄLP så ser du vad jag kan hjälpa till med.');
    const toCoach = (await outboxTo(demo.eva)).map((m) => m.text);
    expect(toCoach).toEqual(['Anna Andersson skrev något Lots inte förstod och inte kunde svara på. Läs gärna. Meddelandet: "var köper man billigast vinterdäck"']);
  });

  it('lets the coach read a long message it only greeted, unsure; a greeting stays between Lots and the participant', async () => {
    expect(text(await app.sms(ANNA, 'hej lots'))).toBe('Hej! Svara HJÄLP om du vill se vad du kan fråga.');
    expect(await outboxTo(demo.eva)).toEqual([]);
    // Unsure, but with no second reading close enough to ask which (with "hej" it is now as close to
    // help as to a greeting, and Lots asks; that path is tested with the clarifying question; so,
    // with sets 289–293 among the examples, was "… och undrar om allt möjligt …", now "undrar lite om").
    const long = 'hallå, sitter på bussen hem nu och undrar lite om allt möjligt konstigt, vad gör du?';
    expect(text(await app.sms(ANNA, long))).toBe('Hej! Svara HJÄLP om du vill se vad du kan fråga.');
    expect((await outboxTo(demo.eva)).map((m) => m.text)).toEqual([`Anna Andersson skrev något som Lots bara kunde tacka för, hälsa på eller svara med hjälptexten. Läs gärna. Meddelandet: "${long}"`]);
  });

  it('thanks a participant who tells something and asks nothing, and lets the coach read it', async () => {
    const news = 'fick besked att jag får stanna i Sverige!! 🇸🇪';
    expect(text(await app.sms(ANNA, news))).toBe('Tack för att du berättar! Din coach får läsa det.');
    expect((await outboxTo(demo.eva)).map((m) => m.text)).toEqual([`Anna Andersson skrev något som Lots bara kunde tacka för, hälsa på eller svara med hjälptexten. Läs gärna. Meddelandet: "${news}"`]);
    // A question Lots cannot answer, even without a question mark, is no news to thank for.
    expect(text(await app.sms(ANNA, 'mobilen laddar inte, vad gör jag'))).not.toContain('Tack för att du berättar');
  });

  it('after STOP, a long message only greeted is passed on as written after STOP, not as answered', async () => {
    await app.sms(ANNA, 'STOPP');
    const long = 'hallå där, sitter på bussen hem nu och tänker på allt möjligt konstigt';
    expect((await app.sms(ANNA, long)).body.replies).toEqual([]);
    expect((await outboxTo(demo.eva)).map((m) => m.text)).toEqual([`Anna Andersson har stoppat sms från Lots och får inget svar, men skrev: "${long}"`]);
  });

  it('gives an unknown number in crisis the public numbers that help, and nothing else', async () => {
    const res = await app.sms('+46709999999', 'jag vill dö');
    expect(text(res)).toMatch(/112.*90101.*1177/s);
    expect(text(res)).not.toContain('coach');
  });

  it('a coach answering "which Johan?" with the full name gets the answer', async () => {
    expect(text(await app.staff(demo.maria, 'vilka kontakter har Johan'))).toContain('Flera deltagare heter Johan');
    expect(text(await app.staff(demo.maria, 'Johan Karlsson'))).toContain('Kontakter för Johan Karlsson');
  });

  it('a coach asking for a participant\'s number gets her phone, not her contacts, and the read is audited', async () => {
    expect(text(await app.staff(demo.eva, 'Annas nummer?'))).toBe('Anna Andersson har telefon 070-174 06 21.');
    expect(text(await app.staff(demo.eva, 'vad har Anna för telefonnummer?'))).toBe('Anna Andersson har telefon 070-174 06 21.');
    // A contact named, or an agency, is a contact's number.
    expect(text(await app.staff(demo.eva, 'nummer till Annas handläggare'))).toContain('Kontakter för Anna Andersson');
    expect(text(await app.staff(demo.eva, 'Annas nummer på fk'))).toContain('Annas kontakt på Försäkringskassan');
    // A contact's role in any form or with a typo, or a contact's name, is that contact (found in review).
    expect(text(await app.staff(demo.eva, 'vad är Annas handläggares nummer?'))).toContain('Kontakter för Anna Andersson');
    expect(text(await app.staff(demo.eva, 'nummer till Annas handläggre'))).toContain('Kontakter för Anna Andersson');
    const karin = text(await app.staff(demo.eva, 'vad har Karin Lund för nummer, Anna?'));
    expect([karin.includes('Karin Lund'), karin.includes('070-174 06 21')]).toEqual([true, false]);
    const reads = await app.db.query<{ action: string }>(`select action from audit_log where participant_id = 'p1' and action like 'read.%' order by at`);
    expect(reads.map((r) => r.action)).toEqual(['read.phone', 'read.phone', 'read.contacts', 'read.contacts', 'read.contacts', 'read.contacts', 'read.contacts']);
  });

  it('does not take idioms for crisis', async () => {
    expect(text(await app.sms(ANNA, 'jag dör av skratt'))).not.toContain('90101');
  });

  it('passes a message in another language to the coach to read, and understands digits and STOP', async () => {
    // Omar reads Arabic: the replies are the (machine-drafted, for native review) Arabic texts.
    expect(text(await app.sms(OMAR, 'أحتاج مساعدة في الأوراق من فضلك'))).toBe(t('ar', 'participant:foreignForwarded'));
    expect((await outboxTo(demo.jonas)).at(-1)!.text).toContain('Omar Hassan skrev något Lots inte kan läsa');
    expect((await app.sms(OMAR, 'STOP')).body.replies[0].text).toBe(t('ar', 'participant:optout'));
  });

  it('acts on a JA or a digit in a message in another language, and the coach reads the whole message', async () => {
    // Review, 5 December: "выпил 5 таблеток" (drank 5 pills) is no crisis Lots can read; the 5 is
    // taken as a score, and the coach gets the message to read, as before the keyword was read.
    const before = (await outboxTo(demo.jonas)).length;
    await app.sms(OMAR, 'سلام، ۴');
    const notices = (await outboxTo(demo.jonas)).slice(before);
    expect(notices.map((m) => m.text).join('\n')).toContain('Omar Hassan skrev på ett annat språk');
    expect(notices.map((m) => m.text).join('\n')).toContain('سلام، ۴');
  });
});
