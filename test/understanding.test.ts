// The first understanding: contact.lookup with its slots, help, STOP/START, unknown.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { classify, findParticipantName } from '../src/understanding/classify.js';
import { CRISIS_LIKE } from '../src/understanding/examples.js';
import { editDistance, fold, tokenMatches, tokens } from '../src/understanding/text.js';
import { tooUnsure } from '../src/core/conversation.js';

const p = (text: string) => classify({ text, role: 'participant' });
const s = (text: string) => classify({ text, role: 'staff' });

describe('understanding', () => {
  it.each([
    ['vem är min handläggare på Försäkringskassan?', 'fk'],
    ['vem e min kontakt på fk', 'fk'],
    ['nummer till kassan', 'fk'],
    ['vem är min arbetsförmedlare', 'af'],
    ['min handläggare på AF?', 'af'],
    ['numret till socialen', 'soc'],
    ['vem är min socialsekreterare', 'soc'],
    ['vem är rehabkoordinatorn på vårdcentralen', 'vc'],
    ['telefon till psykiatrin', 'psyk'],
    ['vem är min coach', 'coach'],
    ['nummer till min samordnare', 'coach'],
    ['vem ar min handlaggare pa forsakringskassan', 'fk'], // no å ä ö
    ['vem är min handläggre på försäkringskasan', 'fk'], // typos
    ['who is my caseworker at the employment service?', 'af'],
    ['Hej Lots, vem är min Kontakt på Arbetsförmedlingen? Mvh Bengt', 'af'], // Lots greeted, AF asked about
  ])('%s → contact.lookup, agency %s', (text, agency) => {
    expect(p(text)).toMatchObject({ intent: 'contact.lookup', slots: { agency } });
  });

  // A role said with its place: the place is the agency ("läkare" alone is primary care).
  it.each([
    ['vem e min läkare på psyk?', 'psyk'],
    ['numret till min kontaktperson på psykiatrin', 'psyk'],
    ['phone nr for my case manager at psychiatry pls', 'psyk'],
    ['vem är min läkare', 'vc'],
  ])('"%s" asks for %s', (text, agency) => {
    expect(p(text).slots.agency).toBe(agency);
  });

  // Stars are a score; between two neighbouring scores the lower is read ("typ 2-3"), the scale is none.
  it.each([
    ['⭐⭐⭐', 3],
    ['⭐⭐⭐⭐⭐ idag', 5],
    ['typ 2-3', 2],
    ['fett bra idag 5', 5], // "idag 5" is no five o'clock here
    ['😊 5!', 5], // the digit is the answer, the face how it feels
    ['skulle kunna döda för en kaffe just nu 😅 annars 3', 3],
    ['Den här kön till FK tar livet av mig haha. men en 3a', 3],
    ['En etta. Migrän sen igår.', 1],
    ['tvåa, har 4 räkningar jag inte kan betala', 2], // the word said first, not any digit after
    ['Idag 3, igår hade jag svarat 1', 3], // yesterday's answer after a comma is not today's
    ['5 igår men idag 2', 2],
    ['idag en 3a, igår var det 1', 3],
  ])('"%s" answers a check-in with %i', (text, score) => {
    expect(p(text)).toMatchObject({ intent: 'checkin.answer', slots: { score } });
  });

  it('reads no score in a range of days, and no place in a letter "från" an agency', () => {
    expect(p('har inte ätit på 3-4 dagar').slots.score).toBeUndefined();
    expect(p('ringde från soc idag, vad har min coach för nummer').slots.agency).toBe('coach');
  });

  it('reads a crisis no list knows by its likeness to the crisis examples, with the words that counted; not on a laugh, nor against the lists\' own decisions', () => {
    const said = 'avboka alla mina möten, det spelar ingen roll längre vad som händer med mig';
    const u = p(said);
    expect(u.intent).toBe('crisis');
    expect(u.reasons[0]).toMatch(new RegExp(`^crisis: words like the crisis examples \\(.+\\), \\d+\\.\\d > ${CRISIS_LIKE.threshold}$`));
    // A laugh stops the likeness (another word does not); a word about joking does not ("jag skämtar inte").
    expect(p(`${said} idag`).intent).toBe('crisis');
    expect(p(`${said} haha`).intent).not.toBe('crisis');
    expect(p(`jag skämtar inte. ${said}`).intent).toBe('crisis');
    // A guard's decision stands (the last time I drink), but only for its own words: an idiom
    // elsewhere in the message ("förlåt för allt strul") leaves the rest to be read.
    expect(p('jag har bestämt mig, ikväll blir det sista gången jag dricker').intent).not.toBe('crisis');
    expect(p(`förlåt för allt strul. ${said}`).intent).toBe('crisis');
  });

  it('thanks for no statement of wanting out; one with words a person should read is thanked and flagged', () => {
    expect(p('vi gick på begravning idag, känns tomt att han är borta')).toMatchObject({ told: true, concern: true });
    // A decision with a last time tonight is no news to thank for: it is a crisis.
    expect(p('jag har bestämt mig, ikväll blir det sista gången').intent).toBe('crisis');
    expect(p('jag har bestämt mig, ikväll blir det sista gången jag dricker').intent).not.toBe('crisis');
    expect(p('ni kan ta bort mig från listan').told).toBeUndefined();
    expect(p('fick besked att jag får stanna i Sverige!!').told).toBe(true);
  });

  it('thanks for news in everyday words, and reads an agency named in a statement as told of, not asked for', () => {
    expect(p('köpt nya knivar på Clas Ohlson, nu går det fort att skära grönsaker 🔪🥕')).toMatchObject({ intent: 'smalltalk', told: true });
    // "Har" or "ska" first asks only with a subject after it.
    expect(p('Har skänkt alla gamla kläder till Myrorna, känns skönt med mindre grejer')).toMatchObject({ intent: 'smalltalk', told: true });
    expect(p('ska grilla ikväll, hoppas ja inte bränner allt').told).toBe(true);
    expect(p('har ni öppet på lördag').told).toBeUndefined();
    expect(p('ja hatar blanketter från fk, dom dödar mig 😤')).toMatchObject({ intent: 'smalltalk', told: true });
    // Short, or a question after a comma, is still asking.
    expect(p('fk nummer tack')).toMatchObject({ intent: 'contact.lookup', slots: { agency: 'fk' } });
    expect(p('receptet har gått ut, vem på vårdcentralen ska jag ringa')).toMatchObject({ intent: 'contact.lookup', slots: { agency: 'vc' } });
    // A request for a way to reach an agency keeps its agency, however long ("jag behöver …").
    expect(p('jag behöver adressen till fk')).toMatchObject({ intent: 'contact.lookup', slots: { agency: 'fk' } });
    expect(p('Skicka mejladressen till soc tack')).toMatchObject({ intent: 'contact.lookup', slots: { agency: 'soc' } });
    // An exclamation is no question: the news is thanked for.
    expect(p('Fick jobbet idag. Vilken lättnad!').told).toBe(true);
  });

  it('reads STOP in capitals at the end, set off, or among lower-case words as the opt-out; not with a question or a START', () => {
    expect(p('Det här blir mitt sista sms till Lots, jag har bytt nummer. STOPP').intent).toBe('optout');
    expect(p('vad betyder STOPP?').intent).not.toBe('optout');
    // Set 68: said in the middle, in the person's own words.
    expect(p("I'd like to STOP the weekly messages please, they're a bit much at the moment.").intent).toBe('optout');
    expect(p('Jag vill att ni slutar skicka sms tills vidare, alltså STOP, så hör jag av mig när jag orkar igen.').intent).toBe('optout');
    expect(p('Hej, jag skrev STOP förra månaden men nu vill jag ha påminnelserna igen. START').intent).not.toBe('optout');
    expect(p('vi körde förbi en STOPP-skylt').intent).not.toBe('optout');
    // STOP said before and the messages still coming is the opt-out again; only STOP in a condition is asked about.
    expect(p('jag skrev stopp men ni skickar fortfarande').intent).toBe('optout');
    expect(p('i texted stop but you keep texting me').intent).toBe('optout');
    expect(p('Det är för mycket sms för mig nu. Jag vill inte få mer. Därför skriver jag STOPP.').intent).toBe('optout');
    // Mentioned, not meant (a review): written by mistake, in a condition, with a wish to go on.
    for (const text of ['om jag skriver STOPP slutar ni då skicka sms', 'Jag skrev STOPP av misstag, jag vill fortsätta få sms', 'sorry I texted STOP by mistake, please keep sending reminders', 'vad händer om jag svarar STOP', 'Hej, jag skrev STOP förra månaden men nu vill jag ha påminnelserna igen'])
      expect(p(text).intent, text).not.toBe('optout');
  });

  it('reads an opt-out inside a sentence that says what should stop (set 66)', () => {
    // Someone whose partner reads their phone must be able to stop the SMS in their own words.
    expect(p('stopp på alla sms nu, min man läser min telefon').intent).toBe('optout');
    expect(p('kan ni sluta skicka påminnelser, jag har slutat i projektet').intent).toBe('optout');
  });

  it('"kommer!" said first is a yes to the meeting, whatever news follows, but not before a question, another request, a STOP or a no', () => {
    for (const text of ['kommer, men har med mig dottern, hon e 4 år', "I'm coming. The bus is late though"])
      expect(p(text).intent, text).toBe('meeting.confirm');
    expect(p('kommer, men kan vi ta kl 14 istället').intent).toBe('meeting.reschedule');
    expect(p('kommer inte, sjuk').intent).toBe('meeting.cancel');
    expect(p('kommer! 3 idag').intent).toBe('checkin.answer');
    // A review's finds: an opt-out wins, and a no or a question after it is no yes.
    for (const text of ['kommer. STOP', 'Kommer, men STOPP för påminnelserna efter det']) expect(p(text).intent, text).toBe('optout');
    for (const text of ['kommer, tyvärr inte', 'kommer, eller nej', 'kommer, var ligger kontoret', "coming, what's the address"])
      expect(p(text).intent, text).not.toBe('meeting.confirm');
  });

  it('what Lots does not do is not taken for what it does: office life, law, translation, a wrong number, who is writing', () => {
    // Staff (set 116): a room, a key, a Christmas party or a law are no booking, contact or caseload
    // ("boka konferensrummet Ekan kl 14" still books: a real booking may name its room too).
    for (const text of ['har nån bokat konferensrummet på torsdag?', 'vem har nyckeln till förrådet', 'när är julfesten?', 'får vi skicka sms med personnummer enl gdpr?', 'kan du översätta ett brev till somaliska'])
      expect(s(text).intent, text).toBe('unknown');
    // Its phrases and its examples make one row: "not understood" is never ranked twice.
    const ranked = s('kan du översätta ett brev till somaliska').alternatives!.map((a) => a.intent);
    expect(new Set(ranked).size).toBe(ranked.length);
    // Participants (sets 110–115): no contact card for who is writing, a new number or a dose; no thanks for a wrong number.
    for (const text of ['vem e detta', 'Vem är det som skriver? Jag har inte sparat numret', 'sorry fel nummer', 'hjälp mig fylla i ansökan om bostadstillägg', 'tack för numret till soc, fick tag på henne direkt'])
      expect(p(text).intent, text).not.toBe('contact.lookup');
    expect(p('sorry fel nummer').intent).toBe('unknown');
    // …but news that mentions a wrong number, a translation or telling is still news.
    for (const text of ['Måste berätta en sak, jag fick jobbet!!', 'skrev till fel nummer igår, sorry, men mötet gick bra', 'My friend helped translate the letter', 'fick brevet översatt av tolken', 'jag pratade med fel person på fk hela förmiddagen'])
      expect(p(text).intent, text).toBe('smalltalk');
    expect(p('hjälp mig fylla i ansökan om bostadstillägg').intent).toBe('unknown');
    // …while a lunch said as a time still moves a meeting.
    expect(p('Går det att ta mötet efter lunch i stället för kl 9?').intent).not.toBe('unknown');
  });

  it('a question about reaching an agency is answered with the contact there; one about what it does goes to the coach', () => {
    // Not sure enough to answer with the contact card: not understood, and the coach reads it.
    for (const text of ['när betalar fk ut sjukpenningen i december?', 'varför har AF dragit in min ersättning??'])
      expect(p(text).intent, text).toBe('unknown');
    // What an agency decides or pays is no contact question, short or long (set 89, 4 December).
    for (const text of ['hur länge har man på sig att överklaga fk beslutet', 'får man jobba extra på AF fast man är sjukskriven?', 'när kommer pengarna från soc'])
      expect(p(text).slots.agency ?? null, text).toBeNull();
    expect(p('vem ska jag ringa på fk om mitt beslut?')).toMatchObject({ intent: 'contact.lookup', slots: { agency: 'fk' } });
    for (const text of ['när kan man ringa handläggaren på fk', 'när har fk telefontid', 'hur når jag AF', 'när stänger af idag', 'is fk open today', 'när är soc öppet'])
      expect(p(text).intent, text).toBe('contact.lookup');
  });

  it('contact.lookup without an agency has agency null', () => {
    expect(p('vem är min kontakt?')).toMatchObject({ intent: 'contact.lookup', slots: { agency: null } });
  });

  it.each([
    ['Vem är Annas handläggare på FK?', 'Anna', 'fk'],
    ["Who is Anna's caseworker at FK?", 'Anna', 'fk'],
    ['Lina Bergs kontakter', 'Lina Berg', null],
    ['Vem är Lars handläggare på soc', 'Lars', 'soc'],
    ['Omars kontakt på psykiatrin', 'Omar', 'psyk'],
  ])('staff: %s → participant %s, agency %s', (text, participant, agency) => {
    expect(s(text)).toMatchObject({ intent: 'contact.lookup', slots: { participant, agency } });
  });

  it.each(['STOP', 'stopp', 'Sluta', 'AVSLUTA', 'Stopp!', ' stop '])('%s → optout', (text) => {
    expect(p(text)).toMatchObject({ intent: 'optout', confidence: 1 });
  });

  it.each(['START', 'start', 'Starta', 'start igen tack'])('%s → optin', (text) => {
    expect(p(text).intent).toBe('optin');
  });

  it.each(['jag vill inte få sms längre från lots', 'nej tack inga mer meddelande från er', 'stop texting me'])('"%s" opts out', (text) => {
    const u = p(text);
    expect(u.intent).toBe('optout');
    expect(tooUnsure(u)).toBe(false);
  });

  // Not every "no more texts" is a STOP: at night, or only the reminders, is for a person to read.
  it.each(['jag vill inte få sms på natten', 'vill inte få fler påminnelser om mötet imorgon', 'sluta skicka sms på helgen'])('"%s" opts nobody out unasked', (text) => {
    const u = p(text);
    expect(u.intent === 'optout' && !tooUnsure(u)).toBe(false);
  });

  // Found by a helper: wanting the coach to call is a call request, not a question for the number.
  it.each(['vill att min coach ringer', 'kan eva ringa mej imorgon? e stressad över pengarna'])('"%s" → escalation.request', (text) => {
    expect(p(text).intent).toBe('escalation.request');
  });

  // The word Lots' own "no meeting" reply asks for, in both languages.
  it.each(['BOKA', 'BOOK', 'boka tid'])('%s → meeting.request', (text) => {
    expect(p(text)).toMatchObject({ intent: 'meeting.request', confidence: 1 });
  });

  it('does not read a negated or remembered meeting as its cancel, nor "never again" as a confirm', () => {
    for (const text of ['jag kommer inte att missa mötet', 'avboka inte mötet', 'jag kan inte komma ihåg när mötet är']) {
      expect(classify({ text, role: 'participant' }).intent).not.toBe('meeting.cancel');
    }
    expect(classify({ text: 'jag kommer aldrig mer på något möte', role: 'participant' }).intent).not.toBe('meeting.confirm');
  });

  it('a coach: "boka om" moves a meeting; a reminder to oneself or a stop is no reminder to send', () => {
    expect(classify({ text: 'boka om Annas möte till torsdag kl 13', role: 'staff' }).intent).toBe('meeting.reschedule');
    for (const text of ['stoppa sms till Anna', 'påminn mig att ringa Anna imorgon']) expect(classify({ text, role: 'staff' }).intent).not.toBe('reminder.send');
    expect(classify({ text: 'skicka Teams-länk till Anna', role: 'staff' }).intent).not.toBe('checkin.send');
  });

  it('a move with only a clock time after "till" keeps the day said before it, unless that day is past', () => {
    const now = new Date('2027-01-04T09:00:00+01:00'); // a Monday
    const move = (text: string) => classify({ text, role: 'staff', now });
    expect(move('ändra Linneas tid imorn till kl 14 istället').slots).toMatchObject({ participant: 'Linnea', start: '2027-01-05T14:00' });
    expect(move('flytta Omars möte på torsdag till kl 9.30').slots.start).toBe('2027-01-07T09:30');
    // The day after "till" wins; a past day before it says nothing of the new one, so it is asked for.
    expect(move('flytta Omars möte på torsdag till fredag kl 9').slots.start).toBe('2027-01-08T09:00');
    expect(move('Anna ringde igår, flytta hennes möte till kl 14').slots.start).toBeUndefined();
  });

  it('an agency or meeting type written apart is read as one word (särskrivning, voice-to-text)', () => {
    const now = new Date('2027-03-10T11:40:00+01:00');
    expect(classify({ text: 'va har arbets för medlingen för telefon nummer', role: 'participant', now }).slots.agency).toBe('af');
    expect(classify({ text: 'vart ligger vård central en', role: 'participant', now }).slots.agency).toBe('vc');
    expect(classify({ text: 'boka upp följning Nils torsdag kl 11', role: 'staff', now }).slots.meetingType).toBe('uppfoljning');
    expect(classify({ text: 'boka kart läggning med Erik i morgon klockan fjorton', role: 'staff', now }).slots).toMatchObject({ meetingType: 'kartlaggning', start: '2027-03-11T14:00' });
    // A word said as written wins over one joined: "behandlar en" is no "behandlaren" beside soc.
    expect(classify({ text: 'soc behandlar en som skit. vem ska jag prata med där', role: 'participant', now }).slots.agency).toBe('soc');
    // A greeting to Lots is no agency said as written that would keep the joined one out.
    expect(classify({ text: 'hej lots vart ligger vård central en', role: 'participant', now }).slots.agency).toBe('vc');
  });

  it('an arrow is read as "till": staff shorthand for a move, with an hour moved to an hour', () => {
    const now = new Date('2027-01-04T09:00:00+01:00'); // a Monday
    const move = (text: string) => classify({ text, role: 'staff', now });
    expect(move('Karin → fre 13')).toMatchObject({ intent: 'meeting.reschedule', slots: { participant: 'Karin', start: '2027-01-08T13:00' } });
    expect(move('Ali ⇒ tis 10:30').slots).toMatchObject({ participant: 'Ali', start: '2027-01-05T10:30' });
    expect(move('Stefans möte 10 → 13 idag').slots).toMatchObject({ participant: 'Stefan', start: '2027-01-04T13:00' });
    expect(move('Rasmus 14->15 idag, flytta').slots.start).toBe('2027-01-04T15:00');
    // No day said: the new hour is asked for with its day, not guessed.
    expect(move('Gustav 10→11')).toMatchObject({ intent: 'meeting.reschedule', slots: { participant: 'Gustav' } });
    expect(move('Gustav 10→11').slots.start).toBeUndefined();
    // "till" a person stays a person: a check-in sent to Óscar.
    expect(move('checkin → Óscar')).toMatchObject({ intent: 'checkin.send', slots: { participant: 'Óscar' } });
    // A day after the hour is a date, not a clock time (found by a review): "12 till 14 jan kl 10".
    expect(move('flytta Annas möte 12 till 14 jan kl 10').slots.start).toBe('2027-01-14T10:00');
    expect(move('Annas möte fre 13 → 14 jan').slots.start).toBeUndefined();
    // Arrows as phones and keyboards write them, and a time range in a booking.
    expect(move('Karin —> fre 13').slots.start).toBe('2027-01-08T13:00');
    expect(move('Karin ➜ fre 13').slots.start).toBe('2027-01-08T13:00');
    expect(move('boka Ali ons 10->11').slots.start).toBe('2027-01-06T10:00');
  });

  it('STOP is a participant command, not a staff one', () => {
    expect(s('stop').intent).not.toBe('optout');
  });

  it('help and unknown', () => {
    expect(p('HJÄLP').intent).toBe('help');
    expect(p('vad kan du göra?').intent).toBe('help');
    expect(p('blå banan').intent).toBe('unknown');
    expect(p('').intent).toBe('unknown');
  });

  it('explains its decision', () => {
    expect(p('vem är min handläggare på FK').reasons).toEqual(expect.arrayContaining(['phrase "handläggare" +2', 'agency found +1.6']));
  });

  it('folds text and matches tokens with small typos and inflections', () => {
    expect(tokens('Vem ÄR min Handläggare?!')).toEqual(['vem', 'ar', 'min', 'handlaggare', '?']);
    expect(tokens('på af?? ???')).toEqual(['pa', 'af', '?', '?']);
    expect(p('hej vem är min handläggare på af?? ringer aldrig tbx').slots).toEqual({ agency: 'af' });
    expect(editDistance('handlaggare', 'handlagrae')).toBe(2);
    expect(tokenMatches('handlaggaren', 'handlaggare')).toBe(true);
    expect(tokenMatches('fk', 'af')).toBe(false);
  });

  it('folds ASCII and Latin text on its fast path exactly as Unicode normalisation does', () => {
    const slowly = (text: string) =>
      text
        .toLowerCase()
        .normalize('NFKD')
        .replace(/\p{M}/gu, '')
        .replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => String((d.charCodeAt(0) - 0x0660) % 0x90));
    // Latin letters (with Å, İ and ǅ, whose lower case or decomposition grow), then any text.
    const latin = fc.string({ unit: fc.integer({ min: 0, max: 0x24f }).map((c) => String.fromCharCode(c)) });
    fc.assert(fc.property(latin, (text) => fold(text) === slowly(text)), { numRuns: 2000 });
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (text) => fold(text) === slowly(text)), { numRuns: 2000 });
    expect(fold('FÖRSÄKRINGSKASSAN İ ǅ ½ ٣')).toBe(slowly('FÖRSÄKRINGSKASSAN İ ǅ ½ ٣'));
  });

  it('does not take capitalised words it knows for names', () => {
    expect(findParticipantName('Vem är handläggare på FK?')).toBeUndefined();
    expect(findParticipantName('Visa Johan Karlssons kontakter')).toBe('Johan Karlsson');
  });

  it('takes no code with a Swedish ending for a name, and a lower-case name that opens the message first', () => {
    expect(findParticipantName('avboka SIP:en med Liban, soc kan inte')).toBe('Liban');
    expect(findParticipantName('kan vi flytta SIPen för Elin till nästa tisdag kl 14')).toBe('Elin');
    expect(findParticipantName('kasia kom ej till uppf, svarar inte i tel')).toBe('kasia');
    expect(findParticipantName('omar kom idag ändå')).toBe('omar');
    expect(findParticipantName('stryk SIP-mötet med Ahmed på torsdag, FK kan inte')).toBe('Ahmed');
    expect(findParticipantName('@Lots AF-kontakt för Mehdi Karimi')).toBe('Mehdi Karimi');
    // A name does not run on over a sentence's end.
    expect(findParticipantName('Kan du boka ett nätverksmöte för Hodan? Tolk somaliska behövs.')).toBe('Hodan');
    // A name that is also a word is a name when written as one (intents/names-that-are-words.json), not in lower case.
    expect(findParticipantName('Vera kom inte till uppföljningen')).toBe('Vera');
    expect(findParticipantName('påminn Liv om mötet på fredag')).toBe('Liv');
    expect(findParticipantName('flytta Bos möte till tisdag kl 9')).toBe('Bo');
    // An apostrophe after the s: the s is the name's own ("Liis' möte", "Agnes' meeting").
    expect(findParticipantName("cancel Liis' meeting tomorrow")).toBe('Liis');
    // …unless the apostrophe closes a quotation.
    expect(findParticipantName('flytta ‘Kalles’ möte')).toBe('Kalle');
    expect(findParticipantName("flytta 'Kalles' möte")).toBe('Kalle');
    expect(findParticipantName('boka SIP m Inga ons 10/2 kl 11')).toBe('Inga');
    expect(findParticipantName('inga möten idag')).toBeUndefined();
    expect(findParticipantName('när är hans nästa möte?')).toBeUndefined();
    // A capitalised verb that opens a sentence is no name ("Notera att …", "Ville bara …").
    expect(findParticipantName('Notera att Leyla kom för sent till SIP:en')).toBe('Leyla');
    expect(findParticipantName('Hej! Ville bara säga att Amir var där idag')).toBe('Amir');
  });

  it('reads a command in capitals set off at the start, whatever language follows', () => {
    expect(p('STOP. Nie chcę więcej wiadomości').intent).toBe('optout');
    expect(p('START. I am back').intent).toBe('optin');
    // …and the second crisis line stands aside for it (set 108 had made this one look like a crisis).
    expect(p('STOPP لا أريد رسائل').intent).toBe('optout');
    expect(p('STOP. Nie chcę więcej wiadomości').confidence).toBeLessThan(1); // asked about, not done (dialogue.test.ts)
    // …and without punctuation when nothing after it is Swedish or English (blind set 38).
    expect(p('JA geliyorum').intent).toBe('meeting.confirm');
    expect(p('NEJ bugun gelemem hastayim').intent).toBe('meeting.cancel');
    expect(p('STOP nie chce wiecej smsow').intent).toBe('optout');
    expect(p('👍 shukran').intent).toBe('meeting.confirm');
    expect(p('JA har en fråga om mötet').intent).not.toBe('meeting.confirm');
    // Found in review: what follows asks for something else, or is a question or an unfriendly face.
    expect(p('JA, men kan vi flytta till kl 14?').intent).toBe('meeting.reschedule');
    expect(p('JA! vem är min handläggare på FK?').intent).toBe('contact.lookup');
    expect(p('NEJ. Jag mår 2 idag').slots.score).toBe(2);
    expect(p('JA?').confidence).toBeLessThan(0.95);
    expect(p('JA 👎').intent).not.toBe('meeting.confirm');
    expect(p('STOPP. Hejdå och tack').intent).toBe('optout');
  });

  // A command in capitals anywhere in a message in another language (blind sets 191, 194) is acted
  // on, and the whole message goes to the coach too (foreign); not in Swedish or English, not two
  // commands, not with a question.
  it.each([
    ['Так, JA, буду вчасно', 'meeting.confirm', true],
    ['Haa, JA waan imanayaa berri', 'meeting.confirm', true],
    ['آسف، NEJ، ابني مريض اليوم', 'meeting.cancel', true],
    ['Maya NEJ, waan jiranahay maanta', 'meeting.cancel', true],
    ['ارجو STOP', 'optout', true],
    ['Jag sa JA till jobbet', 'smalltalk', false],
    ['مرحبا JA NEJ', 'unknown', true],
    // A greeting known word for word leaves nothing unread (the coach was told Lots read a JA in it).
    ['مرحبا', 'smalltalk', false],
    ['salaan', 'smalltalk', false],
  ])('reads %j as %s, passed to the coach too: %s', (text, intent, foreign) => {
    const u = p(text);
    expect(u.intent).toBe(intent);
    expect(Boolean(u.foreign)).toBe(foreign);
  });

  it('takes no command from a message in another language with a question', () => {
    expect(p('Так, JA? буду вчасно').confidence).toBeLessThan(0.95);
  });

  it('reads a score in a short answer in another script, Persian and Arabic digits too', () => {
    expect(p('سلام، ۴').slots.score).toBe(4);
    expect(p('٣').slots.score).toBe(3);
    expect(p('สบายดี 4 ค่ะ').intent).toBe('checkin.answer');
    // A longer message goes to the coach to read, whatever number stands in it. ("أنا تعبان جدا
    // اليوم ولا أعرف ماذا أفعل", very tired and at a loss, reads as a crisis to the second line
    // since sets 213–217: in these scripts most examples are crises, and it finds as many as it
    // raises falsely on dev, five each. Either way a person reads it.)
    expect(p('عندي سؤال عن الأوراق من مكتب العمل 3').intent).toBe('unknown');
  });

  it('keeps a name with an initial and a stop together, and takes no greeting for a name', () => {
    expect(findParticipantName('Anna K. Berg kom inte idag')).toBe('Anna K Berg');
    expect(findParticipantName('tjena boka nytt möte kasia imorgon')).toBe('kasia');
  });

  it('reads no check-in score in an age', () => {
    expect(p('Min dotter fyller 5 idag').slots.score).toBeUndefined();
    expect(p('mår typ 3 idag').slots.score).toBe(3);
  });
});

describe('slots of every kind', () => {
  const now = new Date('2026-11-23T09:00:00+01:00');
  // Found by a new user: "Hassan" was read as a typo of "kassan" (Försäkringskassan), so a question
  // about someone called Hassan was answered with the asker's own contact there.
  it('reads a first name one letter from a known word as the name (intents/names-not-typos.json), and the typo as the word', () => {
    expect(classify({ text: 'vad har Omar Hassan för nummer?', role: 'participant', now }).slots.agency ?? null).toBeNull();
    expect(classify({ text: 'ringde kasan idag', role: 'participant', now }).slots.agency).toBe('fk');
    expect(classify({ text: 'boka SIP med Hassan tis kl 10', role: 'staff', now }).slots).toMatchObject({ participant: 'Hassan', meetingType: 'sip' });
    expect(classify({ text: 'boka SIP med Hassan tis kl 10', role: 'staff', now }).slots.agency).toBeUndefined();
  });
  it.each([
    ['boka SIP med Anna tis kl 10', { participant: 'Anna', meetingType: 'sip', start: '2026-11-24T10:00' }],
    ['boka ärendemöte med Lina Berg den 3 december kl 13', { participant: 'Lina Berg', meetingType: 'arendemote', start: '2026-12-03T13:00' }],
    ['boka nätverksmöte med omar 1/12 kl 13', { participant: 'omar', meetingType: 'natverksmote', start: '2026-12-01T13:00' }],
    ['book a follow-up with Emma tomorrow at 2pm', { participant: 'Emma', meetingType: 'uppfoljning', start: '2026-11-24T14:00' }],
  ])('meeting.book: %s', (text, slots) => {
    expect(classify({ text, role: 'staff', now })).toMatchObject({ intent: 'meeting.book', slots });
  });

  it.each([
    ['Omar uteblev', false],
    ['Anna kom på mötet', true],
    ['Lina dök inte upp', false],
    ['Mikael no show', false],
    ['Omar närvarade inte', false], // was read as present (probe, 3 December)
    ['Anna kom inte förrän efter halva mötet', true], // late, but came
  ])('meeting.attendance: %s → attended %s', (text, attended) => {
    expect(classify({ text, role: 'staff', now })).toMatchObject({ intent: 'meeting.attendance', slots: { attended } });
  });

  it.each([
    ['3', 3],
    ['tre', 3],
    ['typ en 2a', 2],
    ['fyra', 4],
    ['five', 5],
    ['😢', 2],
    ['٣', 3],
    ['kolme', 3], // Finnish, as Somali, Arabic, Persian and Tigrinya number words are read
    ['cztery', 4], // Polish
    ['jag mår typ 4 av 5', 4],
    // set off at the start or the end, after a word on how it is
    ['tvåa, ont i ryggen', 2],
    // A stop between the score and what it counts: a score, then news (set 62).
    ['two. kids are sick again and i havent slept', 2],
    ['2. barnen är sjuka igen', 2],
    ['trött som ett as men ok. 3', 3],
    ['lite yrsel men bättre humör. fyra', 4],
    ['3 dödstrött men ok', 3],
    ['Hej Lots, jag svarar en Trea på frågan. Mvh Bengt', 3],
    ['jag dricker inte alls längre. Svaret på checkin är 5', 5],
  ])('checkin.answer: %s → score %d', (text, score) => {
    expect(classify({ text, role: 'participant', now })).toMatchObject({ intent: 'checkin.answer', slots: { score } });
  });

  it('reads a digit after a check-in, and OK after a booking request, in their light', () => {
    // A celebration emoji ending a sentence is no score; a number inside a question is no answer.
    expect(classify({ text: 'fick min lägenhet!!! 🎉', role: 'participant', now }).intent).not.toBe('checkin.answer');
    expect(classify({ text: 'kan vi ses kl. 3', role: 'participant', now }).intent).not.toBe('checkin.answer');
    // A number in a sentence about something else is no mood; nor is a greeting's smile.
    for (const text of ['jag har 4 barn', 'buss 4 var sen', 'hej 🙂', 'good morning 🙂']) expect(classify({ text, role: 'participant', now }).intent, text).not.toBe('checkin.answer');
    // Units, numbered things and the ends of the scale are no score; of two, today's counts (probe, 3 December).
    for (const text of ['jag sov 3 timmar', 'rum 3?', '4 av 10', '5 minuter sen']) expect(classify({ text, role: 'participant', now }).slots.score, text).toBeUndefined();
    expect(classify({ text: '1 på en skala 1-5', role: 'participant', now }).slots.score).toBe(1);
    // Yesterday's or a denied score is not today's; "min" is also "my" (review, 3 December).
    for (const [text, score] of [['igår var det 5 men idag bara 1', 1], ['5 idag, igår 1', 5], ['jag mår 2 idag men igår 5', 2], ['4 men inte 5', 4], ['inte 5 men 4', 4], ['2, min rygg värker', 2], ['3 är ok', 3], ['sov dåligt igår. En fyra.', 4], ['vaknar kl 3 varje natt. idag typ en trea', 3], ['ont i huvudet hela veckan. 2/5', 2], ['ont i magen hela dagen. 3 av 5 idag', 3], ['jobbig natt men nu lugnt. tvåa kanske', 2]] as const) {
      expect(classify({ text, role: 'participant', now, expecting: 'checkin' }).slots.score, text).toBe(score);
    }
    // A number said of today is a score, first or last (set 90, 4 December).
    for (const [text, score] of [['Three today. Kids are sick again and the car broke down', 3], ['ryggen värker nåt så fruktansvärt, haha. 2 idag', 2]] as const) {
      expect(classify({ text, role: 'participant', now }), text).toMatchObject({ intent: 'checkin.answer', slots: { score } });
    }
    // Only a friendly face leaves a command as it is.
    for (const text of ['ja 👎', 'end?']) expect(classify({ text, role: 'participant', now }).intent, text).toBe('unknown');
    // After a booking request, a meeting answer with an emoji is still that answer.
    expect(classify({ text: 'Kommer!! 😊', role: 'participant', now, expecting: 'booking' }).intent).toBe('meeting.confirm');
    expect(classify({ text: 'nej 😔', role: 'participant', now, expecting: 'booking' }).intent).toBe('meeting.cancel');
    expect(classify({ text: 'nej tyvärr', role: 'participant', now, expecting: 'booking' }).intent).toBe('meeting.cancel');
    expect(classify({ text: '👍', role: 'participant', now, expecting: 'checkin' })).toMatchObject({ intent: 'checkin.answer', slots: { score: 4 } });
    expect(classify({ text: '👍', role: 'participant', now })).toMatchObject({ intent: 'meeting.confirm' });
    expect(classify({ text: 'ok', role: 'participant', now, expecting: 'booking' }).intent).toBe('meeting.confirm');
    expect(classify({ text: 'ok', role: 'participant', now }).intent).toBe('smalltalk');
  });

  it.each([
    ['JA', 'meeting.confirm'],
    ['NEJ', 'meeting.cancel'],
    ['FLYTTA', 'meeting.reschedule'],
    ['RING', 'escalation.request'],
  ])('without context, %s is the answer to the usual prompt: %s', (text, intent) => {
    expect(classify({ text, role: 'participant', now }).intent).toBe(intent);
  });

  it('marks a date without a time as partial, for the question back', () => {
    expect(classify({ text: 'boka SIP med Anna på tisdag', role: 'staff', now })).toMatchObject({
      intent: 'meeting.book',
      partialStart: { start: '2026-11-24T00:00', hasDate: true, hasTime: false },
    });
  });

  it('flags a message in a script Lots does not read', () => {
    expect(classify({ text: 'أحتاج مساعدة في الأوراق', role: 'participant', now })).toMatchObject({ intent: 'unknown', foreign: true });
  });
});
