// Crisis detection: recall first (every positive fires), idioms and everyday talk never fire.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectCrisis, expandPattern, normaliseScript } from '../src/understanding/crisis.js';
import { projectRoot } from '../src/util/paths.js';

const positives: [string, string][] = [
  // Swedish, as written and without å/ä/ö
  ['orkar inte leva', 'sv'],
  ['orkar int leva', 'sv'],
  ['jag orkar inte leva längre', 'sv'],
  ['jag vill inte finnas', 'sv'],
  ['vill int finnas mer', 'sv'],
  ['jag tänker ta mitt liv', 'sv'],
  ['jag ska ta livet av mig', 'sv'],
  ['ta livet avmig', 'sv'],
  ['jag tar livet av mig', 'sv'],
  ['jag kommer ta livet av mig', 'sv'],
  ['skada mig själv', 'sv'],
  ['skada mej sjalv', 'sv'],
  ['jag skär mig', 'sv'],
  ['jag vill skära mig igen', 'sv'],
  ['jag har tagit alla tabletterna', 'sv'],
  ['tagit alla tabletter', 'sv'],
  ['jag har tagit en överdos', 'sv'],
  ['vill dö', 'sv'],
  ['vill do', 'sv'],
  ['jag vill bara dö', 'sv'],
  ['jag vill inte leva längre', 'sv'],
  ['det är ingen mening längre', 'sv'],
  ['det finns ingen mening att leva', 'sv'],
  ['ingen mening med livet', 'sv'],
  ['alla vore bättre utan mig', 'sv'],
  ['jag har skrivit ett avskedsbrev', 'sv'],
  ['jag tänker hoppa framför tåget', 'sv'],
  ['ska hoppa från bron ikväll', 'sv'],
  ['jag ska hänga mig', 'sv'],
  ['jag kommer inte finnas imorgon', 'sv'],
  ['jag vill inte vakna', 'sv'],
  ['vill försvinna för alltid', 'sv'],
  ['självmord', 'sv'],
  ['jag har självmordstankar hela tiden', 'sv'],
  ['suicid', 'sv'],
  ['jag har skadat mig själv igen', 'sv'],
  ['jag har självskadat', 'sv'],
  ['det vore bättre om jag var död', 'sv'],
  ['jag önskar att jag var död', 'sv'],
  ['jag svalde alla piller', 'sv'],
  ['tog alla mina tabletter', 'sv'],
  ['jag har tagit alla mina tabletter idag', 'sv'],
  ['ärligt talat tar jag livet av mig snart', 'sv'],
  ['jag skär mig i armarna en gång i veckan', 'sv'],
  ['jag vill inte leva på det här sättet', 'sv'],
  ['livet är meningslöst', 'sv'],
  ['jag vill inte vara här längre', 'sv'],
  ['ingen skulle sakna mig', 'sv'],
  ['jag vill somna och aldrig vakna', 'sv'],
  ['jag har skurit mig i armarna igen', 'sv'],
  ['jag är så livstrött', 'sv'],
  // Swedish typos
  ['jag vil dö', 'sv'],
  ['jag vill int leva längre', 'sv'],
  ['skadda mig själv', 'sv'],
  ['självmort', 'sv'],
  ['jag har tagit alla tabeletterna', 'sv'],
  ['orakr inte leva', 'sv'],
  ['VILL INTE FINNAS MER!!!', 'sv'],
  // embedded in longer messages, inverted word order
  ['2. och jag vill inte leva längre', 'sv'],
  ['Hej! Mötet gick bra. Men ärligt talat orkar jag inte leva längre...', 'sv'],
  ['jag vet inte, vill jag ens leva? vill bara dö', 'sv'],
  ['tack för hjälpen med FK. jag har funderat på att ta livet av mig', 'sv'],
  // negation is still a crisis (recall first)
  ['jag vill inte dö', 'sv'],
  ['jag vill inte ta livet av mig men tankarna kommer', 'sv'],
  // the idiom guard's first-person overrides
  ['jag vill ta livet av mig haha', 'sv'],
  ['skolan gör att jag vill ta livet av mig 😂', 'sv'],
  // documented decisions (see crisis.json _decisions)
  ['självmordslinjen – vilket nummer?', 'sv'],
  ['min bror tog livet av sig', 'sv'],
  // English
  ['I want to kill myself', 'en'],
  ["i'm killing myself", 'en'],
  ['I want to end it all', 'en'],
  ["I'm going to end my life", 'en'],
  ['I want to die', 'en'],
  ['i wanna die', 'en'],
  ['I keep wanting to hurt myself', 'en'],
  ['I cut myself again last night', 'en'],
  ['I cut myself a lot when I was younger and now again', 'en'],
  ['I took all my pills today, I am sorry', 'en'],
  ['I took an overdose', 'en'],
  ['overdose', 'en'],
  ['I took all the pills', 'en'],
  ['there is no reason to live', 'en'],
  ["I'd be better off dead", 'en'],
  ['everyone would be better off without me', 'en'],
  ['suicide', 'en'],
  ["I don't want to be alive anymore", 'en'],
  ["I don't want to be alive", 'en'],
  ["I don't want to die", 'en'],
  ['kms', 'en'],
  ['I wish I was dead', 'en'],
  ["i'm suicidal", 'en'],
  ['i want to kil myself', 'en'],
  ['i feel like i have nothing to live for', 'en'],
  ["i'm going to jump off a bridge", 'en'],
  ["I can't go on anymore", 'en'],
  ['kill myself lol', 'en'],
  ['sorry for the late reply. honestly i want to die', 'en'],
  ['nobody would miss me', 'en'],
  ['i have been cutting myself', 'en'],
  ["i wish i wasn't alive", 'en'],
  ['i want to unalive myself', 'en'],
  // other languages (need native review, see crisis.json)
  ['أريد أن أموت', 'ar'],
  ['اريد ان اموت', 'ar'],
  ['أُرِيدُ أَنْ أَمُوتَ', 'ar'],
  ['انتحار', 'ar'],
  ['أفكر في الانتحار', 'ar'],
  ['أقتل نفسي', 'ar'],
  ['بدي موت', 'ar'],
  ['is dil', 'so'],
  ['waan is dilayaa', 'so'],
  ['waxaan rabaa inaan dhinto', 'so'],
  ['خودکشی', 'fa'],
  ['می‌خواهم بمیرم', 'fa'],
  ['میخواهم بمیرم', 'fa'],
  ['می خواهم بمیرم', 'fa'],
  ['ميخواهم بميرم', 'fa'],
  ['ክሞት እደሊ', 'ti'],
  ['haluan kuolla', 'fi'],
  ['chcę umrzeć', 'pl'],
  ['quiero morir', 'es'],
  ['ölmek istiyorum', 'tr'],
  ['želim umrijeti', 'bs'],
  ['ich will sterben', 'de'],
  // Found by a helper probing for unsafe misreads (2 December)
  ['jag kommer döda mig', 'sv'],
  ['vill sluta mitt liv', 'sv'],
  ['har tagit 20 stesolid', 'sv'],
  ['tog alla zopiklon', 'sv'],
  ['jag står på tågspåret', 'sv'],
  ['ni kommer aldrig höra av mig igen', 'sv'],
  ['jag borde dö', 'sv'],
  ['mitt liv är över', 'sv'],
  ['har pistolen i munnen', 'sv'],
  ['jag har bestämt mig för att dö', 'sv'],
  ['jag har pillren framför mig nu', 'signs'],
  // Set 17's misses, written blind by a helper
  ['Jag har bestämt mig att sluta leva', 'sv'],
  ['jag vill sluta leva', 'sv'],
  ['vill bara att allt ska sluta', 'sv'],
  ['jag vill att det tar slut nu', 'sv'],
  ['har läst hur många man ska ta för att inte vakna', 'sv'],
  ['förlåt att jag alltid var ett problem. nu blir det lugnt för er', 'signs'],
  ['det finns ingen framtid för mig ändå, jag har bestämt mig', 'signs'],
  ['har köpt rakblad. ska använda dom ikväll', 'signs'],
  ['kan du hälsa min mamma att jag älskar henne. jag ska gå nu', 'signs'],
  ["sorry can't make it tmrw. won't matter anyway", 'signs'],
  // Danger from someone else: a threat on the writer's life, or violence with fear (112 in the reply).
  ['jag är rädd att han dödar mig', 'sv'],
  ['han hotar att döda mig om jag går', 'sv'],
  ['han sa att han kommer döda mig om jag lämnar honom', 'sv'],
  ['han slår mig och är kvar i lägenheten jag är rädd, hjälp', 'sv'],
  ['he threatened to kill me', 'en'],
  ['he said he will kill me if i leave', 'en'],
  ['he hits me and im scared', 'en'],
  // From blind set 18: letters doubled, easy Swedish, Swenglish, Arabic in Latin letters, signs together.
  ['vill inte leeva mer', 'sv'],
  ['jag ta många tablett nu. huvud snurrar', 'sv'],
  ['ingen hjälpa mig. bättre jag dö', 'sv'],
  ['cuttade mig igår natt, det e värre än förut', 'sv'],
  ['har googlat hur många tabletter som behövs', 'sv'],
  ['jag är rädd för mig själv ikväll', 'sv'],
  ['ana ta3ban kteer w bdi mout', 'ar-latn'],
  ['sitter i bilen i garaget med motorn igång', 'signs'],
  ['förlåt för allt besvär jag ställt till med. hejdå', 'signs'],
  ['KAN NI RINGA MIG NU JAG HAR TAGIT TABLETTER', 'sv'],
  ['har satt på gasen på spisen. förlåt', 'signs'],
  ['min exman har hittat min adress. han står utanför dörren. jag är så rädd', 'signs'],
  ['min man slå mig igen. jag rädd. barnen är här', 'signs'],
  ['🔪😭 orkar inte', 'signs'],
  ['i cant do this anymore. im done', 'en'],
  ['om ni hittar mig, säg till mamma att jag älskar henne', 'signs'],
  ['skriver detta innan jag går ner till sjön. det är bäst så', 'signs'],
  // From blind set 20 (five personas): drugs by name, compounds, formal letters, research, easy Swedish.
  ['har sparat metadon en vecka, tänker ta allt på en gång ikväll', 'signs'],
  ['googlar hur mycket fentanyl som är dödligt', 'sv'],
  ['Hej Lots, jag har köpt en Slang på Biltema och jag vet vad jag ska använda den till. Bengt', 'signs'],
  ['Hej Lots, jag kör just nu ut mot Älvsborgsbron och tänker inte köra tillbaka. Hälsningar Bengt', 'signs'],
  ['familj till min man säga de ska döda mig för jag vill skilja. de vet var jag bor', 'sv'],
  ['jag står vid vatten nu, kallt. jag tänka gå i', 'signs'],
  ['gänget jag är skyldig pengar stod utanför min dörr inatt med pistol, de kommer tillbaka', 'signs'],
  ['byebye alla detta är sista sms:et från mig 👋', 'signs'],
  ['det är snart över...', 'sv'],
  // From a helper's probe of 1,135 messages (3 December): direct words no list had.
  ['kan inte sluta tänka på att dö', 'sv'],
  ['sluta. jag orkar inte mer', 'sv'],
  ['avboka mötet, jag kommer inte leva då', 'sv'],
  ['jag kommer göra nåt dumt ikväll', 'sv'],
  ['jag dödar mig själv', 'sv'],
  ['min man slår mig', 'sv'],
  ['min familj vill gifta bort mig och hotar mig', 'sv'],
  ['jag har mörka tankar', 'sv'],
  ['jag har ätit 20 tabletter', 'signs'],
  ['svalde en burk alvedon', 'signs'],
  ['adjö. jag älskar er', 'signs'],
  ['jag sitter med en kniv', 'signs'],
  ['om jag dog skulle ingen bry sig', 'signs'],
  ['I was raped last night', 'en'],
  ['i want to unalive', 'en'],
  ['jag är en fara för mig själv', 'sv'],
  ['han låser in mig', 'sv'],
  ['ring ambulans', 'sv'],
  ['mitt ex förföljer mig', 'sv'],
  ['jag vill lämna världen', 'sv'],
  ['jag ber till gud att jag får dö', 'sv'],
  ['cant do this anymore, goodbye', 'en'],
  ['jag hatar att leva', 'sv'],
  ['jag har valt en dag', 'sv'],
  ['jag har ont efter att han slog mig', 'sv'],
  ['flytta mötet, jag ligger på akuten efter att jag skadat mig', 'signs'],
];

const negatives: string[] = [
  'jag dör av skratt',
  // Hyperbole about being told off (a person still reads the first: the concern words).
  'brorsan kommer döda mig om jag glömmer hans födelsedag',
  'mamma kommer döda mig när hon ser mitt rum haha',
  'my boss will kill me if im late again',
  'pappa slog mig när jag var liten och jag var rädd för honom',
  'mamma säger att hon dödar mig om jag missar ett möte till 😂',
  'det slog mig att jag är rädd för intervjun',
  'kan ni sluta skicka sms, alla påminnelser tar livet av mig 😤',
  'har gett bort en massa kläder till röda korset idag, skönt att rensa',
  'jag har satt på gasen för att koka pasta',
  'förlåt för allt strul jag ställt till med idag, vi ses imorgon!',
  // From blind sets 20 and 21: the same words in everyday life.
  'köpt nya knivar på Clas Ohlson, nu går det fort att skära grönsaker 🔪🥕',
  'sitter på balkongen och dricker kaffe i solen ☀️ skönt',
  'en kille från NA-gruppen dog av en överdos förra månaden, vi hade minnesstund igår. det var fint ändå',
  'Vi åker till Somalia och hälsar på familjen 3 veckor. Hejdå så länge, jag hör av mig när jag kommer hem',
  'This is my last message before I leave. Flight to Erbil tomorrow 6am, back in January 🙂',
  'Jag var med om våld i mitt förra förhållande för 10 år sen, det är bearbetat nu med terapeut.',
  'det är snart över, bara en vecka kvar på kursen!',
  'tänker på det hela tiden, hur jag ska göra det med cv:t',
  'tack för allt, ni har varit så snälla mot mig. nu börjar jag på nya jobbet',
  // …and from the same probe's everyday messages.
  'jag har ont i armen',
  'jag står på taket och skottar snö',
  'jag står på bron och väntar på bussen',
  'tåget står still vid spåret',
  'jag har tagit alla mina tabletter idag som läkaren sa',
  'jag kommer inte finnas här nästa vecka, jag är i Polen',
  'det här är mitt sista meddelande innan jag åker på semester',
  'jag tar en överdos kaffe varje morgon haha',
  'jag ska hoppa bungyjump',
  'jag orkar inte mer idag, ska sova tidigt',
  'det kommer inte att finnas tid imorgon',
  'chefen hotar mig med uppsägning',
  'han slog mig i fotboll igen',
  'jag har valt en dag för mötet',
  'jag har tagit tabletter mot huvudvärk',
  'jag blöder näsblod',
  'jag ska hoppa från 10-metern på badhuset',
  'jag är uppe på taket och lagar antennen',
  'jag vill inte vara kvar på kursen',
  'min lilla bror spelar fortnite och skriker jag dödade dig hela kvällen',
  'kan vi flytta mötet? har tid för blodprov samma tid, dom ska kolla dosen på mina tabletter',
  'det här tar livet av mig lol',
  'det här jobbet tar livet av mig haha',
  'this traffic is killing me',
  'killing it at work',
  'dödstrött',
  'jag är dödstrött idag',
  'jag skär grönsaker',
  'tog mina tabletter i morse',
  'tabletterna hjälper',
  'jag vill leva ett bra liv',
  'livet är bra nu',
  'dör för en kaffe',
  "I'm dead tired",
  'skadade foten',
  'min mamma dog förra året',
  'trafiken tar livet av mig',
  'skolan tar livet av mig 😂',
  'du tar livet av mig haha',
  'tror jobbet tar livet av mig haha',
  'det här tar livet av mig xD',
  'jag skar mig i fingret när jag lagade mat',
  'kan du skära mig en bit tårta?',
  'jag vill inte finnas med på listan',
  'jag vill inte leva på bidrag',
  'det är ingen mening att ringa dem',
  'jag vill inte vakna tidigt imorgon',
  'vi hoppade från bron och badade i somras',
  'jag vill dö av skratt',
  'jag vill leva längre',
  'jag vill skapa mig själv en ny framtid',
  'självskattningsformuläret är ifyllt',
  'jag vill försvinna till Thailand på semester',
  'ska vi hänga imorgon?',
  'jag har tagit alla mina tabletter idag som vanligt',
  'ska jag ta alla tabletterna på en gång?',
  'glöm inte att ta alla tabletterna med maten',
  'läkaren sa att jag ska ta alla tabletterna',
  'I took all my pills as prescribed',
  'I cut myself a slice of cake',
  'jag vill ta mitt liv tillbaka',
  'jag hoppas det blir bättre',
  'ska hämta ut mina tabletter på apoteket',
  'jag mår bättre nu, tack',
  'vem är min handläggare på FK?',
  'jag orkar inte mer med skolan',
  'I hurt myself at the gym',
  'I cut myself shaving',
  'the bill is overdue',
  "don't overdo it",
  "I'm dying to see you",
  'I was killing myself laughing',
  'I could die laughing',
  '5 kms away',
  'putting myself first',
  'I want to take my life back',
  "I don't want to live in Stockholm",
  'I want to dye my hair',
  'killing me softly',
  'should I take all the pills at once?',
  'drowning myself in work this week',
  'shot myself in the foot with that email',
  'filling myself up with pasta',
  'أموت من الضحك',
  'بمیرم برات',
  'jag dör om jag inte får kaffe',
  'ingen mening med att stressa',
  'det kommer inte att finnas tid imorgon',
  'jag har tagit alla papper till fk',
  'orkar inte vänta längre',
  'I have no reason to complain',
  'I could kill for a burger',
  'suicide squad is a good movie',
  '',
  // Everyday words one letter from a crisis word ('svara'/'snara', 'nära'/'snara', 'borta'/'börda',
  // 'tagit'/'tåget', 'katten'/'kanten'): real words are read only as themselves (crisis-real-words.json)
  'kan du svara, jag har ringt flera gånger',
  'jag har en nära vän som hjälper mig',
  'jag har tagit mina mediciner och tänker på mötet',
  'katten står på bordet',
  'har du tid snarast',
  'min telefon är borta',
  'hejdå och tack för hjälpen',
  'det här är mitt sista sms innan semestern',
  'morsan kommer döda mig om jag glömmer hennes födelsedag',
  'jag står vid bron, var är ni?',
  // Everyday messages that once fired (found by probing, 2 December)
  'du behöver inte ringa mig, jag kommer',
  'jag vill att regnet ska sluta',
  'ni behöver inte sms:a mig mer, stop',
  'jag har köpt ett nytt rep till båten',
  'jag har sparat pengar',
  'vad har Sara för kontakt på af',
  'det var ett inslag om självmordslinjen på nyheterna',
];

describe('crisis detection', () => {
  it.each(positives)('%s → crisis (%s)', (text, lang) => {
    const finding = detectCrisis(text);
    expect(finding).toMatchObject({ crisis: true, lang });
    expect(finding.matched).toBeTruthy();
  });

  it.each(negatives)('%j → no crisis', (text) => {
    expect(detectCrisis(text).crisis).toBe(false);
  });

  it('has the tables the brief asks for', () => {
    expect(positives.length).toBeGreaterThanOrEqual(60);
    expect(negatives.length).toBeGreaterThanOrEqual(30);
  });

  it('names the guarded phrase that fired', () => {
    expect(detectCrisis('jag tar livet av mig')).toEqual({ crisis: true, matched: 'sv.tar-livet-av-mig', lang: 'sv' });
  });

  it('expands the pattern syntax', () => {
    expect(expandPattern('vill|vil (inte) dö_nu självmord*')).toEqual([
      ['vill', 'do', 'nu', 'sjalvmord*'],
      ['vill', 'inte', 'do', 'nu', 'sjalvmord*'],
      ['vil', 'do', 'nu', 'sjalvmord*'],
      ['vil', 'inte', 'do', 'nu', 'sjalvmord*'],
    ]);
    expect(() => expandPattern('(...)')).toThrow();
  });

  it('normalises Arabic-script spelling variants to one form', () => {
    expect(normaliseScript('می‌خواهم')).toBe(normaliseScript('مي خواهم'));
    expect(normaliseScript('أَمُوتُ')).toBe(normaliseScript('اموت'));
  });

  it('marks every language but Swedish and English as needing native review', () => {
    const data = JSON.parse(fs.readFileSync(path.join(projectRoot, 'intents', 'crisis.json'), 'utf8')) as {
      languages: Record<string, { review: boolean }>;
    };
    for (const [lang, { review }] of Object.entries(data.languages)) expect(review, lang).toBe(lang !== 'sv' && lang !== 'en');
  });
  // Speed is measured in `npm run bench` (understandingParts.crisisMicrosPerMessage), not in a timed test.
});

// The safety net: hints no crisis phrase catches still reach a person (the coach reads them);
// everyday talk without such words does not.
describe('concern: words a person should read', () => {
  it.each([
    'ja e bara en belastning. ni slipper mej snart',
    'måste avboka imorrn. o alla andra möten. de e över nu',
    'no need to book the next meeting, I wont be here',
    'gör så ont inuti att ja inte vet om ja klarar natten',
    // Violence, threats and acute illness: not Lots' crisis reply, but a person must read them.
    'jag är rädd för min pojkvän, han hotar mig',
    'jag blev våldtagen',
    'jag har lust att skada någon',
    'bröstsmärtor och kan inte andas',
  ])('%j → concern (or crisis)', (text) => {
    const found = detectCrisis(text);
    expect(found.crisis || found.concern).toBe(true);
  });

  it.each(['när är mitt nästa möte', 'vem är min handläggare på fk', 'tack, ses på tisdag', 'jag mår sådär idag, 3'])('%j → nothing', (text) => {
    expect(detectCrisis(text)).toEqual({ crisis: false });
  });
});
