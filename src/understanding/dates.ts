// A small, deterministic date-and-time grammar for Swedish and English chat messages.
//
// How it works: the message is folded (lower case, no diacritics: "på måndag" → "pa mandag"),
// a handful of precompiled regexes find *components* (a relative day, a weekday, "nästa vecka",
// "om två dagar", an absolute date, a time of day), overlapping finds are dropped (earliest,
// then longest wins), neighbouring components joined only by small connector words ("på",
// "at", ",", "runt", …) form a group, and the first group that makes sense is resolved with
// luxon in Europe/Stockholm.
//
// Decisions (keep the tests in test/dates.test.ts in step):
// - Ambiguous hours: in a meeting context an hour 1–7 written without am/pm, fm/em, "på
//   morgonen"/"på kvällen" and without a leading zero means the afternoon: "kl 3" → 15:00,
//   "klockan tre" → 15:00, "halv sju" → 18:30, "3:30" → 15:30. "kl 03", "03:30", "kl 3 fm" and
//   "3am" stay 03. Hours 8–12 are taken as written ("kl 9" → 09:00, "halv ett" → 12:30).
// - Weekdays: a weekday name means the next such day AFTER today (said on a Monday, "måndag" is
//   next week's Monday); "kommande måndag" / "coming Monday" the same. "nästa tisdag" / "next
//   Tuesday" and "tisdag nästa vecka" / "Tuesday next week" mean that weekday in the next ISO
//   week: said on a Monday, next week's Tuesday, not tomorrow (why else say "nästa"; every blind
//   labeller read it so), and said on a Wednesday, "fredag nästa vecka" is nine days later.
// - A date without a year is this year, or next year if it has already passed; "den 15:e" is
//   this month, or next month if passed. An explicit date ("idag kl 8" at 09:00, "2025-01-01")
//   is returned as is even when in the past — the caller decides what to do with it.
// - Only a time ("kl 14"): today if still ahead of `now`, else tomorrow (hasDate false).
// - Only a date: start at 00:00 of that day, hasTime false. Vague parts of the day
//   ("onsdag eftermiddag", "förmiddag") give no time.
// - Non-existent local times (02:00–02:59 on the spring-forward Sunday) are moved forward by the
//   gap, as luxon and calendar apps do: "söndag kl 02:30" → 03:30. Repeated times on the
//   fall-back Sunday take the first (summer-time) occurrence. Day arithmetic is on calendar
//   days, so wall-clock hours survive DST changes.
// - Caution against false finds: a bare number is never a time on its own; it is one only right
//   after a date ("imorgon 14", "3 dec 13") and not before a unit ("tisdag 10 personer").
//   "9.30" needs a date next to it; "3/12" needs "den", a weekday or a time next to it; three-
//   letter weekday abbreviations ("tis", "fre", "man", "son", "sat", "sun") need a time or a
//   "på"/"on"/"nästa" before them, and those that are also words (man, son, sat, sun, tor) a firm
//   time ("mån kl 9", not "mån 9"); short month names before a day ("Dec 3", "mår 3" → "mar 3")
//   need a time. Past days ("i tisdags kl 10", "igår", "last Monday") give nothing. Phone
//   numbers, scores and ranges ("1–5") give nothing.
import { DateTime, IANAZone } from 'luxon';
import { fold, readArrows } from './text.js';
import { remembered } from '../util/remembered.js';

export interface FoundTime {
  /** Local 'YYYY-MM-DDTHH:mm' in Europe/Stockholm. */
  start: string;
  hasDate: boolean;
  hasTime: boolean;
  /** The span of the original text that was read. */
  matched: string;
}

const ZONE = 'Europe/Stockholm';

// ---------------------------------------------------------------------------------------------
// Vocabulary (folded forms)

const HOUR_WORDS: Record<string, number> = {
  ett: 1, tva: 2, tre: 3, fyra: 4, fem: 5, sex: 6, sju: 7, atta: 8, nio: 9, tio: 10, elva: 11, tolv: 12,
  tretton: 13, fjorton: 14, femton: 15, sexton: 16, sjutton: 17, arton: 18, nitton: 19, tjugo: 20,
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11,
  twelve: 12,
};

const COUNT_WORDS: Record<string, number> = {
  en: 1, ett: 1, a: 1, an: 1, one: 1, tva: 2, two: 2, tre: 3, three: 3, fyra: 4, four: 4, fem: 5, five: 5,
  sex: 6, six: 6, sju: 7, seven: 7, atta: 8, eight: 8, nio: 9, nine: 9, tio: 10, ten: 10, elva: 11,
  eleven: 11, tolv: 12, twelve: 12, tretton: 13, thirteen: 13, fjorton: 14, fourteen: 14,
};

const MONTHS: Record<string, number> = {
  jan: 1, januari: 1, january: 1,
  feb: 2, februari: 2, february: 2,
  mar: 3, mars: 3, march: 3,
  apr: 4, april: 4,
  maj: 5, may: 5,
  jun: 6, juni: 6, june: 6,
  jul: 7, juli: 7, july: 7,
  aug: 8, augusti: 8, august: 8,
  sep: 9, sept: 9, september: 9,
  okt: 10, oct: 10, oktober: 10, october: 10,
  nov: 11, november: 11,
  dec: 12, december: 12,
};

// Minutes relative to the named hour for "fem över", "kvart i", "half past", …
const OFFSET_WORDS: Record<string, number> = { fem: 5, tio: 10, kvart: 15, tjugo: 20, tjugofem: 25, quarter: 15, half: 30 };

// Minutes said after the hour ("nio och trettio", "ten thirty"): fives from a quarter on only, so
// "tre fem" or "nio tio" (a count, a score) is never a time.
const MINUTE_WORDS: Record<string, number> = {
  femton: 15, tjugo: 20, tjugofem: 25, trettio: 30, trettiofem: 35, fyrtio: 40, fyrtiofem: 45, femtio: 50, femtiofem: 55,
  fifteen: 15, twenty: 20, twentyfive: 25, thirty: 30, thirtyfive: 35, forty: 40, fortyfive: 45, fifty: 50, fiftyfive: 55,
};

const alt = (words: string[]): string => [...words].sort((a, b) => b.length - a.length).join('|');

const HOURW = alt(Object.keys(HOUR_WORDS));
const COUNTW = alt(Object.keys(COUNT_WORDS));
const MONTHW = alt(Object.keys(MONTHS));

// Weekdays, Monday first: full names with cheap typo tolerance, then abbreviations.
const WEEKDAY_FULL = [
  String.raw`m[ao]n?dag(?:en)?|mandg|monday|mondy`,
  String.raw`tis?dag(?:en)?|tisdg|tuesday|tuseday|teusday|tuesdy`,
  String.raw`onsd?ag(?:en)?|onsdg|wed(?:ne|en|n)?sday|wensday|wendsday`,
  String.raw`tors?dag(?:en)?|torsdg|thu?rsday|thrusday`,
  String.raw`fre?dag(?:en)?|fredg|fri?day`,
  String.raw`lor?dag(?:en)?|lordg|saturday|satruday|saterday`,
  String.raw`son?dag(?:en)?|sondg|sunday|sundy`,
];
const WEEKDAY_ABBR = ['mand|man|mon', 'tues|tisd|tis|tue', 'onsd|ons|wed', 'thurs|thur|torsd|tors|thu|tor', 'fre|fri', 'lord|lor|sat', 'sond|son|sun'];

// Am/pm and their Swedish equivalents after a time. Group 1: morning; group 2: afternoon/evening.
const MARK = String.raw`(?:\s*(?:(a\.?m\.?|f\.?m\.?|(?:pa|i)\s+(?:formiddagen|morgonen)|in\s+the\s+morning)|(p\.?m\.?|e\.?m\.?|(?:pa|i)\s+(?:eftermiddagen|kvallen)|in\s+the\s+(?:afternoon|evening)))(?![a-z]))?`;
// After an hour: not another digit, nor a decimal/ratio continuation.
const END = String.raw`(?!\d|[:.,/]\d)`;
const ORD = String.raw`(?::?e|:?a|st|nd|rd|th)?`;

// ---------------------------------------------------------------------------------------------
// Component regexes (precompiled, applied to the folded text)

const RE_REL = new RegExp(
  String.raw`\b(?:(i\s?dag|today|tdy)|(i\s?mo(?:rgon|rgn|rrn|rron|rn|ron|gon|rgo)|imrgn|imrn|tomorrow|tomorow|tommorow|tommorrow|tmrw|tmrow|tmr)|((?:i\s?)?over\s?mo(?:rgon|rrn|rn)|(?:the\s+)?day\s+after\s+tomorrow)|(i\s?kvall|ikvell|tonight|tonite|i\s?eftermiddag|this\s+(?:afternoon|evening)))\b`,
  'g',
);
const RE_WEEKDAY = new RegExp(
  String.raw`\b(?:(pa|on|this|denna|nu\s+pa)\s+)?(?:(nasta|nastkommande|kommande|next|coming)\s+)?(?:` +
    WEEKDAY_FULL.map((w) => `(${w})`).join('|') +
    String.raw`)\b|\b(?:(pa|on|this|denna|nu\s+pa)\s+)?(?:(nasta|nastkommande|kommande|next|coming)\s+)?(?:` +
    WEEKDAY_ABBR.map((w) => `(${w})`).join('|') +
    String.raw`)\b\.?`,
  'g',
);
// Past days ("i tisdags", "igår", "last Monday"): read so that they shadow the weekday inside
// them, and make their group yield nothing rather than a wrong future date.
const RE_PAST = new RegExp(
  String.raw`\bi\s?(?:mandags|tisdags|onsdags|torsdags|fredags|lordags|sondags|gar|forrgar|morse|fjol)\b|\b(?:yesterday|igar)\b|\b(?:last|forra)\s+(?:week|veckan|vecka|` +
    WEEKDAY_FULL.join('|') +
    String.raw`)\b`,
  'g',
);
// A week number ("v.50", "vecka 50", "week 50"): with a weekday it is a day ("v.50 tisdag").
const RE_WEEK_NUMBER = /\b(?:v\.?\s?|vecka\s?|veckonummer\s?|week\s?|wk\.?\s?)(\d{1,2})\b(?![.:]\d)/g;
const RE_NEXT_WEEK = /\b(?:(?:i|pa|under)\s+)?(?:nasta|nastkommande|kommande)\s+veck(?:a|an)\b|\b(?:the\s+)?next\s+week\b/g;
const RE_IN = new RegExp(
  String.raw`\b(?:om|in)\s+(\d{1,2}|${COUNTW})\s+(dag(?:ar)?|dygn|veck(?:a|or)|manad(?:er)?|days?|weeks?|months?)\b`,
  'g',
);
const RE_DAY_MONTH = new RegExp(
  String.raw`(?<![\d:./–-])(?:\b(den|the)\s+)?(\d{1,2})${ORD}\.?\s*(?:of\s+)?(${MONTHW})\b\.?(?:,?\s*(20\d{2})(?!\d|[:.]\d))?`,
  'g',
);
const RE_MONTH_DAY = new RegExp(
  String.raw`\b(${MONTHW})\.?\s+(?:the\s+)?(\d{1,2})${ORD}(?!\d|[:.,]\d)(?:,?\s*(20\d{2})(?!\d|[:.]\d))?`,
  'g',
);
const RE_NUMERIC = /(?<![\d:./–-])(?:\b(den|the)\s+)?(\d{1,2})\/(\d{1,2})(?:[/-](20\d{2}))?(?![\d/]|[.,:]\d)/g;
const RE_DEN = /\b(den|the)\s+(\d{1,2})(:?e|:?a|st|nd|rd|th)?(?!\d|[:./]\d)/g;
// "torsdag 7:e kl 14": a day of the month by its ordinal, without "den" (set 124); a weekday or a firm time beside it, as for "3/12".
const RE_ORDINAL_DAY = /(?<![\d:./–-])\b(\d{1,2}):(e|a)\b/g;
/** "en 2:a", "typ en 3:a": a score, not the second of the month. */
const SCORE_BEFORE_ORDINAL = /\b(?:en|a|typ|ca|kanske|mar)\s*$/;
const RE_ISO = /(?<![\d:./–-])(20\d{2})-(\d{1,2})-(\d{1,2})(?:t(\d{2}):(\d{2}))?(?!\d)/g;

const RE_KL = new RegExp(String.raw`\b(?:kl|klockan|klocka|klo)\.?\s*(\d{1,2})(?:[:.](\d{2}))?${END}` + MARK, 'g');
// "kl 0930", "kl 930": hours and minutes run together after "kl", as written (never moved to the afternoon).
const RE_KL_COMPACT = /\b(?:kl|klockan)\.?\s*(0\d|1\d|2[0-3]|[6-9])([0-5]\d)(?![\d:.,/]\d|\d)/g;
const RE_AT = new RegExp(String.raw`(?:\bat\s*|@\s*)(\d{1,2})(?:[:.](\d{2}))?${END}` + MARK, 'g');
const RE_NUM = new RegExp(String.raw`(?<![\d:.,/–-])(\d{1,2})(?:([:.])(\d{2}))?${END}(-?tiden\b)?` + MARK, 'g');
// "imorgon 930", "fre 1415", "16/12 0930": hours and minutes written together, as bare as a bare hour. Only
// daytime hours and minutes in fives, so a year ("2025") or an amount is not read as a time.
const RE_COMPACT = /(?<![\d:.,/–-])(0?[6-9]|1\d)([0-5][05])(?!\d|[:.,/]\d)/g;
const RE_PHRASE = new RegExp(
  String.raw`\b(?:(kl|klockan)\.?\s*)?(?:(${alt(Object.keys(OFFSET_WORDS))})\s+(over|i|past|to)\s+)?(halv\s+)?(${HOURW}|\d{1,2})\b` + MARK,
  'g',
);
// "måndag nio och trettio", "at ten thirty": as firm as "kl 9.30" after "kl" or "at", else a time only
// beside a day ("nio trettio på måndag"), as "9.30" is.
// Tens and fives are written apart or with a hyphen too ("forty-five", "fyrtio fem").
const MINUTEW = alt(Object.keys(MINUTE_WORDS)).replace(/(twenty|thirty|forty|fifty|tjugo|trettio|fyrtio|femtio)(five|fem)\b/g, '$1[\\s-]?$2');
const RE_HOUR_MINUTE_WORDS = new RegExp(String.raw`\b(?:(kl|klockan|at)\.?\s*)?(${HOURW})\s+(?:och\s+)?(${MINUTEW})\b` + MARK, 'g');
const RE_NOON = /\b(?:at\s+)?(?:12\s+)?(?:noon|midday)\b/g;

// What may follow a bare number for it still to be a time ("tisdag 10 personer" is not).
const RE_UNIT =
  /\s*(?:%|:-|\$|€|kr\b|kronor|sek\b|st\b|st\.|ar\b|dagar|dag\b|dygn|veck|manad|timm|tim\b|h\b|min|sek|pers|gang|ggr|av\b|of\b|out\b|x\b|years?\b|days?\b|weeks?\b|months?\b|hours?\b|hrs?\b|people|times\b|procent|percent|kg\b|km\b|mil\b|meter|m\b|poang|points?\b|grader|degrees|mg\b|ml\b|euro|dollar)/y;

// Words before "son"/"man" that make them nouns.
const RE_OWNER = /\b(?:min|din|sin|hans|hennes|var|er|deras|en|my|your|his|her|our|their|a|the)\s+$/;

// What may follow a bare number for it to be an hour: the end, punctuation, a range, or a small
// word ("imorgon 14 funkar det?"); not a noun ("imorgon 2 barn"). Missing a time costs a
// question; a wrong time costs a wrong booking.
const RE_BARE_NEXT =
  /\s*(?:$|[?!.,;:)]|[-–]\s*\d|(?:och|eller|men|pa|i|hos|med|till|da|sa|om|ok|okej|funkar|fungerar|passar|gar|blir|kan|vore|istallet|instead|or|and|at|on|in|works|would|is|then|please|tack|thanks)\b)/y;

// What may stand between two components of one date-time.
const RE_GAP = /^(?:[\s,–-]|\b(?:pa|on|at|och|and|runt|kring|ca|cirka|vid|around|about|typ|sag|say|from|fran|efter|after|till|istallet|i\s+stallet|instead|bitti|lunch(?:en)?|eftermiddag(?:en)?|formiddag(?:en)?|kvall(?:en)?)\b)*$/;
/** Between the two ends of a range of times ("kl 10 till kl 12", "10–12"). */
const RE_RANGE_GAP = /^\s*(?:till|to|och|and|[-–])\s*$/;
// Weekday abbreviations that are also ordinary words ("man" = one, "son", "sat", "sun", "tor"):
// a bare number after them is not read as an hour.
const RE_WORDLIKE_ABBREV = /^(man|son|sat|sun|tor)$/;

// What may stand between a date and a bare number read as its hour: the afternoon or the morning
// ("imorgon eftermiddag 15", an hour that fits it) and "vid"/"runt". Not a comma: "bra idag, 4" is
// a check-in score, not 16:00. Not "kväll": "tisdag kväll 9" is asked about.
const RE_BARE_GAP = /^\s*(?:(?:eftermiddag(?:en)?|formiddag(?:en)?|bitti)\s+)?(?:(?:vid|runt|kring|ca|cirka|typ|around|about)\s*)?$/;
/** A bare hour after a part of the day must fit it ("imorgon eftermiddag 15", not "… eftermiddag 9"). */
const partOfDayFits = (gap: string, hour: number) =>
  /eftermiddag/.test(gap) ? (hour >= 12 && hour <= 18) || (hour >= 1 && hour <= 6) : /formiddag|bitti/.test(gap) ? hour >= 6 && hour <= 11 : true;

// ---------------------------------------------------------------------------------------------
// Components

type Quality = 'explicit' | 'dot' | 'bare';

interface TimeComp {
  kind: 'time';
  /** The named hour (0–23 as written; for "halv tio" the 10). */
  hour: number;
  /** Minutes relative to hour:00 (may be negative: "kvart i tio" → hour 10, offset −15). */
  offset: number;
  marker: 'am' | 'pm' | null;
  /** May be read as afternoon by the 1–7 rule (no leading zero, no marker). */
  shiftable: boolean;
  quality: Quality;
}
interface RelComp { kind: 'rel'; days: number; evening: boolean }
interface InComp { kind: 'in'; n: number; unit: 'days' | 'weeks' | 'months' }
interface WeekdayComp { kind: 'wd'; weekday: number; abbrev: boolean; prefixed: boolean; nextWeek: boolean }
interface NextWeekComp { kind: 'nextweek' }
interface WeekNumberComp { kind: 'weekno'; n: number }
interface PastComp { kind: 'past' }
interface AbsComp { kind: 'abs'; year?: number; month?: number; day: number; needsTime: boolean; numeric: boolean }

type Comp = (TimeComp | RelComp | InComp | WeekdayComp | NextWeekComp | WeekNumberComp | PastComp | AbsComp) & { start: number; end: number };

const isDate = (c: Comp): boolean => c.kind === 'rel' || c.kind === 'in' || c.kind === 'wd' || c.kind === 'abs' || c.kind === 'weekno';

function marker(am: string | undefined, pm: string | undefined): 'am' | 'pm' | null {
  return am ? 'am' : pm ? 'pm' : null;
}

function unitFollows(f: string, at: number): boolean {
  RE_UNIT.lastIndex = at;
  return RE_UNIT.test(f);
}

function scan(re: RegExp, f: string, out: Comp[], make: (m: RegExpExecArray) => Comp | null): void {
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(f)) !== null) {
    const c = make(m);
    if (c) out.push(c);
    if (m[0].length === 0) re.lastIndex++;
  }
}

const skipScan: typeof scan = () => {};

function collect(f: string): Comp[] {
  const out: Comp[] = [];
  const span = (m: RegExpExecArray) => ({ start: m.index, end: m.index + m[0].length });
  // Most messages hold no digit, and the patterns that need one are the slowest to run.
  const scanDigits: typeof scan = /\d/.test(f) ? scan : skipScan;

  scan(RE_REL, f, out, (m) => ({ kind: 'rel', days: m[2] ? 1 : m[3] ? 2 : 0, evening: !!m[4], ...span(m) }));

  scan(RE_WEEKDAY, f, out, (m) => {
    // Groups: 1 prefix, 2 nästa, 3–9 full names; 10 prefix, 11 nästa, 12–18 abbreviations.
    for (let i = 0; i < 7; i++) {
      if (m[3 + i]) return { kind: 'wd', weekday: i + 1, abbrev: false, prefixed: !!(m[1] || m[2]), nextWeek: m[2] === 'nasta' || m[2] === 'next', ...span(m) };
      if (m[12 + i]) {
        // "min son kl 14", "en man kl 9": the nouns, not "sön"/"mån".
        if (!m[10] && !m[11] && RE_OWNER.test(f.slice(Math.max(0, m.index - 8), m.index))) return null;
        return { kind: 'wd', weekday: i + 1, abbrev: true, prefixed: !!(m[10] || m[11]), nextWeek: m[11] === 'nasta' || m[11] === 'next', ...span(m) };
      }
    }
    return null;
  });

  scan(RE_NEXT_WEEK, f, out, (m) => ({ kind: 'nextweek', ...span(m) }));
  scanDigits(RE_WEEK_NUMBER, f, out, (m) => {
    const n = Number(m[1]);
    return n >= 1 && n <= 53 ? { kind: 'weekno', n, ...span(m) } : null;
  });
  scan(RE_PAST, f, out, (m) => ({ kind: 'past', ...span(m) }));

  scan(RE_IN, f, out, (m) => {
    const n = /\d/.test(m[1]!) ? Number(m[1]) : COUNT_WORDS[m[1]!]!;
    const u = m[2]!;
    const unit = u.startsWith('d') ? 'days' : u.startsWith('v') || u.startsWith('w') ? 'weeks' : 'months';
    return n > 0 ? { kind: 'in', n, unit, ...span(m) } : null;
  });

  scanDigits(RE_DAY_MONTH, f, out, (m) => ({
    kind: 'abs', day: Number(m[2]), month: MONTHS[m[3]!]!, year: m[4] ? Number(m[4]) : undefined,
    needsTime: false, numeric: false, ...span(m),
  }));
  scanDigits(RE_MONTH_DAY, f, out, (m) => {
    if (!m[3] && unitFollows(f, m.index + m[0].length)) return null;
    return {
      kind: 'abs', day: Number(m[2]), month: MONTHS[m[1]!]!, year: m[3] ? Number(m[3]) : undefined,
      // Short month names before a number need a time: "mår 3" folds to "mar 3", "may 3" is a verb.
      needsTime: m[1]!.length <= 4, numeric: false, ...span(m),
    };
  });
  scanDigits(RE_NUMERIC, f, out, (m) => ({
    kind: 'abs', day: Number(m[2]), month: Number(m[3]), year: m[4] ? Number(m[4]) : undefined,
    needsTime: !m[1], numeric: true, ...span(m),
  }));
  scanDigits(RE_DEN, f, out, (m) => {
    if (!m[3] && unitFollows(f, m.index + m[0].length)) return null;
    return { kind: 'abs', day: Number(m[2]), needsTime: !m[3], numeric: false, ...span(m) };
  });
  scanDigits(RE_ORDINAL_DAY, f, out, (m) => (SCORE_BEFORE_ORDINAL.test(f.slice(0, m.index)) ? null : { kind: 'abs', day: Number(m[1]), needsTime: true, numeric: true, ...span(m) }));
  scanDigits(RE_ISO, f, out, (m) => {
    const abs: Comp = { kind: 'abs', year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), needsTime: false, numeric: false, ...span(m) };
    if (!m[4]) return abs;
    // "2026-12-03T13:00": the date and an explicit time in one token.
    const split = m.index + m[1]!.length + m[2]!.length + m[3]!.length + 2;
    out.push({ ...abs, end: split });
    return {
      kind: 'time', hour: Number(m[4]), offset: Number(m[5]), marker: null, shiftable: false, quality: 'explicit',
      start: split, end: abs.end,
    };
  });

  const digitsTime = (h: string, min: string | undefined, am?: string, pm?: string): TimeComp => ({
    kind: 'time',
    hour: Number(h),
    offset: min ? Number(min) : 0,
    marker: marker(am, pm),
    shiftable: h.length === 1,
    quality: 'explicit',
  });

  scanDigits(RE_KL, f, out, (m) => ({ ...digitsTime(m[1]!, m[2], m[3], m[4]), ...span(m) }));
  scanDigits(RE_KL_COMPACT, f, out, (m) => (unitFollows(f, m.index + m[0].length) ? null : { ...digitsTime(m[1]!, m[2]), shiftable: false, ...span(m) }));
  scanDigits(RE_AT, f, out, (m) => {
    if (!m[2] && !m[3] && !m[4] && unitFollows(f, m.index + m[0].length)) return null;
    return { ...digitsTime(m[1]!, m[2], m[3], m[4]), ...span(m) };
  });
  scanDigits(RE_NUM, f, out, (m) => {
    const t = digitsTime(m[1]!, m[3], m[5], m[6]);
    if (m[2] === ':' || m[4] || m[5] || m[6]) return { ...t, ...span(m) };
    const end = m.index + m[0].length;
    if (m[2] === '.') return unitFollows(f, end) ? null : { ...t, quality: 'dot', ...span(m) };
    RE_BARE_NEXT.lastIndex = end;
    return RE_BARE_NEXT.test(f) ? { ...t, quality: 'bare', ...span(m) } : null;
  });
  scanDigits(RE_COMPACT, f, out, (m) => {
    const end = m.index + m[0].length;
    RE_BARE_NEXT.lastIndex = end;
    // "730" is half past seven in the morning: a time written so is not moved to the afternoon.
    return RE_BARE_NEXT.test(f) && !unitFollows(f, end) ? { ...digitsTime(m[1]!, m[2]), shiftable: false, quality: 'bare', ...span(m) } : null;
  });
  scan(RE_PHRASE, f, out, (m) => {
    const [, kl, offWord, dir, halv, hourText, am, pm] = m;
    const word = !/\d/.test(hourText!);
    if (!offWord && !halv && !(kl && word)) return null; // plain "kl 10" is RE_KL's; "tio" alone is nothing
    if (offWord && (dir === 'past' || dir === 'to') !== (offWord === 'quarter' || offWord === 'half')) return null;
    if (offWord === 'half' && dir === 'to') return null;
    const hour = word ? HOUR_WORDS[hourText!]! : Number(hourText);
    let offset = halv ? -30 : 0;
    if (offWord) offset += (dir === 'over' || dir === 'past' ? 1 : -1) * OFFSET_WORDS[offWord]!;
    return {
      kind: 'time', hour, offset, marker: marker(am, pm), shiftable: word || hourText!.length === 1,
      quality: 'explicit', ...span(m),
    };
  });
  scan(RE_HOUR_MINUTE_WORDS, f, out, (m) => {
    const [, at, hourText, minuteText, am, pm] = m;
    if (unitFollows(f, m.index + m[0].length)) return null;
    const offset = MINUTE_WORDS[minuteText!.replace(/[\s-]/g, '')]!;
    return { kind: 'time', hour: HOUR_WORDS[hourText!]!, offset, marker: marker(am, pm), shiftable: true, quality: at ? 'explicit' : 'dot', ...span(m) };
  });
  scan(RE_NOON, f, out, (m) => ({ kind: 'time', hour: 12, offset: 0, marker: null, shiftable: false, quality: 'explicit', ...span(m) }));

  // Earliest first, then longest; drop anything overlapping a kept component.
  out.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: Comp[] = [];
  let lastEnd = -1;
  for (const c of out) {
    if (c.start >= lastEnd) {
      kept.push(c);
      lastEnd = c.end;
    }
  }
  return kept;
}

// ---------------------------------------------------------------------------------------------
// Grouping and resolution

function canJoin(group: Comp[], c: Comp): boolean {
  const has = (k: Comp['kind']) => group.some((g) => g.kind === k);
  if (c.kind === 'time') return !has('time');
  if (c.kind === 'past') return !has('past') && !group.some(isDate) && !has('nextweek');
  if (has('past')) return false; // only a time may join a past day (above), to be discarded with it
  if (c.kind === 'nextweek') return !has('nextweek') && !has('rel') && !has('in') && !has('abs');
  const dates = group.filter(isDate);
  if (has('nextweek') && c.kind !== 'wd') return false;
  if (dates.length === 0) return true;
  if (dates.length > 1) return false;
  const d = dates[0]!;
  const inWeeks = (x: Comp) => (x.kind === 'in' && x.unit === 'weeks') || x.kind === 'weekno';
  return (d.kind === 'wd' && (c.kind === 'abs' || inWeeks(c)) && !has('nextweek')) || ((d.kind === 'abs' || inWeeks(d)) && c.kind === 'wd');
}

/** Minutes after midnight of a time component, or null when impossible. */
function minutesOf(t: TimeComp, evening: boolean): number | null {
  let h = t.hour;
  if (h > 23 || t.offset > 59 || t.offset < -59) return null;
  if (t.marker === 'am') {
    if (h > 12) return null;
    if (h === 12) h = 0;
  } else if (t.marker === 'pm' || evening) {
    if (h < 12) h += 12;
  } else if (t.shiftable && h >= 1 && h <= 7) {
    h += 12; // meeting context: "kl 3" is 15:00 (see the header)
  }
  const total = h * 60 + t.offset;
  return total >= 0 && total < 24 * 60 ? total : null;
}

const FORMAT = "yyyy-MM-dd'T'HH:mm";

function resolve(group: Comp[], f: string, now: Now): { start: string; hasDate: boolean; hasTime: boolean; from: number; to: number } | null {
  if (group.some((c) => c.kind === 'past')) return null;
  let parts = group;
  const gapBefore = (i: number) => f.slice(parts[i - 1]!.end, parts[i]!.start);

  // The time, if it holds up in its surroundings.
  let supported: Comp | undefined;
  const ti = parts.findIndex((c) => c.kind === 'time');
  if (ti >= 0) {
    const t = parts[ti] as TimeComp & Comp;
    const dateLike = (c: Comp | undefined) => !!c && (isDate(c) || c.kind === 'nextweek');
    let ok = true;
    if (t.quality === 'bare') {
      // "imorgon 14" and "tis 14", but not "man 14" or "son 14": an abbreviation that is also a
      // word needs a firm time (see the header).
      const prev = parts[ti - 1];
      // After a week number ("v.49 mån 10") the abbreviation can only be the weekday.
      const afterWeekNumber = parts[ti - 2]?.kind === 'weekno';
      const wordLike = prev?.kind === 'wd' && prev.abbrev && !prev.prefixed && !afterWeekNumber && RE_WORDLIKE_ABBREV.test(f.slice(prev.start, prev.end));
      const gap = prev ? gapBefore(ti) : '';
      ok = dateLike(prev) && !wordLike && RE_BARE_GAP.test(gap) && partOfDayFits(gap, t.hour);
      // The hour right after "tis" or "16/12" supports that day ("16/12 0930", set 116).
      if (ok && (prev?.kind === 'wd' || (prev?.kind === 'abs' && prev.numeric))) supported = prev;
    } else if (t.quality === 'dot') ok = dateLike(parts[ti - 1]) || dateLike(parts[ti + 1]);
    if (!ok) parts = parts.filter((c) => c !== t);
  }
  const time = parts.find((c) => c.kind === 'time') as TimeComp | undefined;
  const firmTime = !!time && time.quality !== 'bare';

  // Dates that need support ("tis", "3/12", "den 3") lose it without a firm time (or, for "tis 9", the hour right after).
  parts = parts.filter((c) => {
    if (c.kind === 'wd') return !c.abbrev || c.prefixed || firmTime || c === supported;
    if (c.kind === 'abs' && c.needsTime) return firmTime || c === supported || (c.numeric && parts.some((p) => p.kind === 'wd'));
    return true;
  });
  const dates = parts.filter(isDate);
  const nextWeek = parts.some((c) => c.kind === 'nextweek');
  if (dates.length === 0 && (nextWeek || !time || time.quality !== 'explicit')) return null;
  if (dates.length === 0) parts = parts.filter((c) => c.kind === 'time');

  const evening = parts.some((c) => c.kind === 'rel' && c.evening);
  const minutes = time ? minutesOf(time, evening) : null;
  if (time && minutes === null) return null;

  const today = now.day;
  let day: Ymd | null = null;
  const d = (dates.find((c) => c.kind === 'abs') ?? dates[0]) as (RelComp | InComp | WeekdayComp | AbsComp) | undefined;
  let unsure = false;
  const inWeeks = dates.find((c) => c.kind === 'in') as InComp | undefined;
  const wdInWeeks = inWeeks && (dates.find((c) => c.kind === 'wd') as WeekdayComp | undefined);
  const weekNumber = dates.find((c) => c.kind === 'weekno') as WeekNumberComp | undefined;
  if (weekNumber) {
    // "v.50 tisdag": that weekday in ISO week 50, this year or, when the week is over, next year.
    // A week number alone is no day (a booking asks which).
    const said = dates.find((c) => c.kind === 'wd') as WeekdayComp | undefined;
    const monday = (y: number) => {
      const jan4 = { y, m: 1, d: 4 };
      return addDays(jan4, 7 * (weekNumber.n - 1) - (weekday(jan4) - 1));
    };
    const year = before(addDays(monday(today.y), 6), today) ? today.y + 1 : today.y;
    day = addDays(monday(year), (said?.weekday ?? 1) - 1);
    // Week 53 in a year that has none would be next year's week 1 (an ISO week's Thursday is in
    // its own year): no day, a booking asks.
    unsure = !said || addDays(monday(year), 3).y !== year;
  } else if (inWeeks && wdInWeeks) {
    // "torsdag om två veckor": a day only when both readings give the same one — that weekday
    // in the week N weeks on, and that weekday's next date N weeks on (said on a Monday, both are
    // the 10th; said on a Friday, the 10th and the 17th: no day, a booking asks).
    const wd = weekday(today);
    day = addDays(today, 7 * inWeeks.n - wd + wdInWeeks.weekday);
    const weeksAfterNext = addDays(today, ((wdInWeeks.weekday - wd + 7) % 7 || 7) + 7 * inWeeks.n);
    unsure = before(day, weeksAfterNext) || before(weeksAfterNext, day);
  } else if (d) {
    switch (d.kind) {
      case 'rel':
        day = addDays(today, d.days);
        break;
      case 'in':
        day = d.unit === 'months' ? addMonths(today, d.n) : addDays(today, d.unit === 'weeks' ? 7 * d.n : d.n);
        break;
      case 'wd': {
        const wd = weekday(today);
        day = nextWeek || d.nextWeek ? addDays(today, 7 - wd + d.weekday) : addDays(today, (d.weekday - wd + 7) % 7 || 7);
        break;
      }
      case 'abs':
        if (d.month === undefined) {
          day = { y: today.y, m: today.m, d: d.day };
          if (!valid(day) || before(day, today)) {
            const next = addMonths({ ...today, d: 1 }, 1);
            day = { ...next, d: d.day };
          }
        } else {
          day = { y: d.year ?? today.y, m: d.month, d: d.day };
          if (d.year === undefined && valid(day) && before(day, today)) day = { ...day, y: day.y + 1 };
        }
        if (!valid(day)) return null;
        break;
    }
  }

  let start: string;
  if (minutes === null) start = format(day!, 0);
  else if (day) start = format(day, minutes);
  else start = format(minutes * 60 > now.seconds ? today : addDays(today, 1), minutes);
  return { start, hasDate: !!day && !unsure, hasTime: minutes !== null, from: parts[0]!.start, to: parts[parts.length - 1]!.end };
}

// ---------------------------------------------------------------------------------------------
// Calendar arithmetic on local dates. Adding calendar days to a local date and then putting the
// wall-clock time on it is what keeps "måndag kl 9" at 09:00 across a DST change; it is also
// ~20× faster than doing the same with zoned luxon DateTimes.

interface Ymd { y: number; m: number; d: number }

const dayMs = 86_400_000;
const toUtc = (x: Ymd) => Date.UTC(x.y, x.m - 1, x.d);
const fromUtc = (ms: number): Ymd => {
  const t = new Date(ms);
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
};
const addDays = (x: Ymd, n: number): Ymd => fromUtc(toUtc(x) + n * dayMs);
const daysInMonth = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** Like luxon: the day is clamped to the target month's length (31 jan + 1 month → 28 feb). */
const addMonths = (x: Ymd, n: number): Ymd => {
  const k = x.y * 12 + (x.m - 1) + n;
  const y = Math.floor(k / 12);
  const m = (k % 12) + 1;
  return { y, m, d: Math.min(x.d, daysInMonth(y, m)) };
};
/** ISO weekday, Monday 1 … Sunday 7. */
const weekday = (x: Ymd) => new Date(toUtc(x)).getUTCDay() || 7;
const valid = (x: Ymd) => x.m >= 1 && x.m <= 12 && x.d >= 1 && x.d <= daysInMonth(x.y, x.m);
const before = (a: Ymd, b: Ymd) => toUtc(a) < toUtc(b);
const pad = (n: number) => String(n).padStart(2, '0');

function format(x: Ymd, minutes: number): string {
  const hour = Math.floor(minutes / 60);
  const minute = minutes % 60;
  if (hour === 2) {
    // Local times in Stockholm's spring-forward gap (02:00–02:59 on the last Sunday of March)
    // do not exist; luxon moves them forward by the gap (02:30 → 03:30), and so do we.
    const dt = DateTime.fromObject({ year: x.y, month: x.m, day: x.d, hour, minute }, { zone: ZONE });
    if (dt.isValid && (dt.hour !== hour || dt.day !== x.d)) return dt.toFormat(FORMAT);
  }
  return `${x.y}-${pad(x.m)}-${pad(x.d)}T${pad(hour)}:${pad(minute)}`;
}

interface Now { day: Ymd; seconds: number }

// Stockholm's UTC offset only changes on whole UTC hours, so it is cached per hour: asking the
// zone (Intl underneath) costs ~6 µs, more than the whole grammar.
const zone = IANAZone.create(ZONE);
const offsetInHour = remembered((hour: number) => zone.offset(hour * 3_600_000), 10_000);

function localNow(now: Date): Now {
  const ms = now.getTime();
  const offset = offsetInHour(Math.floor(ms / 3_600_000));
  const t = new Date(ms + offset * 60_000);
  return {
    day: { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() },
    seconds: t.getUTCHours() * 3600 + t.getUTCMinutes() * 60 + t.getUTCSeconds(),
  };
}

/** The day `now` falls on in Stockholm, 'YYYY-MM-DD'. */
export function stockholmDay(now: Date): string {
  const { day } = localNow(now);
  return `${day.y}-${pad(day.m)}-${pad(day.d)}`;
}

/** Folded text with, when folding changed lengths, a map from folded to original indices. */
function foldWithMap(text: string): { f: string; map: number[] | null } {
  const f = spelledAsSaid(fold(text));
  if (f.length === text.length && !/[\u0300-\u036f]/.test(text)) return { f, map: null };
  let out = '';
  const map: number[] = [];
  let i = 0;
  for (const ch of text) {
    const g = fold(ch);
    for (let k = 0; k < g.length; k++) map.push(i);
    out += g;
    i += ch.length;
  }
  map.push(i);
  return { f: spelledAsSaid(out), map };
}

/** "nesta" as it is said for "nästa" ("måndag nesta vecka"); the same length, so positions hold. */
const spelledAsSaid = (f: string) => f.replace(/\bnesta\b/g, 'nasta');

/** Day words the grammar does not read; a weekday beside them is not the day meant. */
const UNREAD_DAY_WORDS = /\b(?:nastnasta|overnasta|nast nasta)\b|\bveckan\s?\d{1,2}\b(?![.:]\d)|\bveckan efter nasta\b|\befter nasta vecka\b|\ba week from\b|\bweek after next\b/;
/** Right after a later time, "instead": it is the one meant ("…går det på torsdag kl 10 istället?"). */
const RE_INSTEAD_AFTER = /^[\s,.!?]*(istallet|i stallet|instead)\b/;
/** Between two times, a correction: the later is the one meant ("torsdag kl 10, nej förresten kl 11"). */
const RE_CORRECTION_GAP = /^[\s,.!–-]*(nej\s+)?(forresten|jag menar|menar jag|eller nej|nej vanta|i mean|sorry i meant|actually|no wait make it|no wait|make it)[\s,.!–-]*$/;
/** Between two times, alternatives: neither is taken ("torsdag eller fredag kl 13", "kl 10 eller kl 14"). */
const RE_ALTERNATIVE = /^\s*,?\s*(eller|or)\s*$/;
/** Right before a day, words that refuse it (folded): "kan inte (på)", "funkar inte", "can't (on)". */
const RE_REFUSED_BEFORE = /(?:kan (?:inte|int|ej)|funkar (?:inte|int)|gar (?:inte|int)|can'?t|cannot|can not)\s+(?:(?:pa|on)\s+)?$/;
const weekdayOf = (localIso: string) => weekday({ y: Number(localIso.slice(0, 4)), m: Number(localIso.slice(5, 7)), d: Number(localIso.slice(8, 10)) });

/** Finds a date and/or time in a message, relative to `now` (the message time), in Europe/Stockholm. Returns null when none. */
export function findTime(written: string, now: Date): FoundTime | null {
  if (!Number.isFinite(now.getTime())) return null;
  // An arrow is "till", as for every part that reads words: "ons 10->11" is 10 till 11.
  const text = readArrows(written);
  const { f, map } = foldWithMap(text);
  const comps = collect(f);
  if (comps.length === 0) return null;
  const nowZ = localNow(now);

  let group: Comp[] = [];
  const groups: Comp[][] = [];
  for (const c of comps) {
    const prev = group[group.length - 1];
    if (prev && RE_GAP.test(f.slice(prev.end, c.start)) && canJoin(group, c)) group.push(c);
    else {
      if (group.length) groups.push(group);
      group = [c];
    }
  }
  groups.push(group);

  // Which of several times is meant. The first, usually: a day said first stays the day meant
  // ("på torsdag, hon jobbar till kl 15 idag" is Thursday, its time asked). A later full time wins
  // over a time without a day ("kl 10 … kl 11 idag istället"), unless it ends a range ("från kl 10
  // till kl 12 på fredag": no day, asked). A correction standing between two times takes the later,
  // on the day said before it ("torsdag kl 10, nej förresten kl 11" is Thursday 11).
  const gapBefore = (g: Comp[]) => {
    const i = groups.indexOf(g);
    return i > 0 ? f.slice(groups[i - 1]!.at(-1)!.end, g[0]!.start) : '';
  };
  const resolvedOf = (g: Comp[]) => {
    const r = resolve(g, f, nowZ);
    return r ? { g, r } : undefined;
  };
  const resolved = groups.map(resolvedOf).filter((x) => x !== undefined);
  const first = resolved[0];
  // A later time said "instead" is a correction too ("kan inte på tisdag, går det på torsdag kl 10
  // istället?", "mötet på onsdag, kan vi ta det kl 15 istället?"), on the day said before it.
  const saidInstead = (g: Comp[]) => RE_INSTEAD_AFTER.test(f.slice(g.at(-1)!.end, g.at(-1)!.end + 12));
  const correction = resolved.find((x) => RE_CORRECTION_GAP.test(gapBefore(x.g)) || (x !== resolved[0] && saidInstead(x.g)));
  const dayBefore = correction && !correction.r.hasDate ? (groups[groups.indexOf(correction.g) - 1] ?? []).filter(isDate) : [];
  const laterFull = first && !first.r.hasDate ? resolved.find((x) => x.r.hasDate && x.r.hasTime && !RE_RANGE_GAP.test(gapBefore(x.g))) : undefined;
  // A day refused first ("kan inte på tisdag. Går det nästa tisdag kl 9.30?") is not the one meant:
  // a later full time is.
  const refused = first && RE_REFUSED_BEFORE.test(f.slice(Math.max(0, first.g[0]!.start - 24), first.g[0]!.start));
  const afterRefusal = refused ? resolved.find((x) => x !== first && x.r.hasDate && x.r.hasTime) : undefined;
  const best = (dayBefore.length ? resolvedOf([...dayBefore, ...correction!.g]) : undefined) ?? correction ?? laterFull ?? afterRefusal ?? first;
  if (!best) return null;
  const { g, r } = best;
  // A day said two ways that disagree ("tisdag 9/12", a Wednesday), or with words this grammar
  // does not read ("nästnästa tisdag", "veckan 2", a weekday beside "v.50" it is not said with), or times
  // offered as alternatives ("torsdag eller fredag kl 13"): no day is guessed (a coach's booking
  // asks for it), since the plain weekday would book the wrong one.
  const said = g.find((c) => c.kind === 'wd') as WeekdayComp | undefined;
  const disagree = said !== undefined && g.some((c) => c.kind === 'abs') && weekdayOf(r.start) !== said.weekday;
  // A weekday beside "om två veckor" or "v.50" that is not read with it.
  const weekWords = (c: Comp) => c.kind === 'in' || c.kind === 'weekno';
  const weekdayAndIn = comps.some((c) => c.kind === 'wd') && comps.some(weekWords) && !(g.some((c) => c.kind === 'wd') && g.some(weekWords));
  const unread = UNREAD_DAY_WORDS.test(f) || weekdayAndIn || groups.some((x) => RE_ALTERNATIVE.test(gapBefore(x)));
  const from = map ? map[r.from]! : r.from;
  const to = map ? map[r.to]! : r.to;
  return { start: r.start, hasDate: r.hasDate && !disagree && !unread, hasTime: r.hasTime, matched: text.slice(from, to) };
}
