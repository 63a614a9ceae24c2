// Text folding and fuzzy token matching shared by every part of understanding.
import { rememberedLast } from '../util/remembered.js';

/**
 * Lower case without diacritics: "Försäkringskassan" → "forsakringskassan". The last answer is
 * remembered: crisis detection and the date grammar fold the same message one after the other.
 */
export const fold = rememberedLast(foldText);

function foldText(text: string): string {
  const lower = text.toLowerCase();
  // Most messages are ASCII, or Latin with å, ä, ö, é: folded without Unicode normalisation.
  if (!NON_ASCII.test(lower)) return lower;
  if (!BEYOND_LATIN.test(lower)) return lower.replace(LATIN_LETTER, (c) => LATIN_FOLDED.get(c)!);
  return foldFully(lower);
}

function foldFully(lower: string): string {
  return lower
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(EASTERN_DIGITS, (d) => String((d.charCodeAt(0) - 0x0660) % 0x90));
}

/** Arabic-Indic and Persian digits, folded to 0–9: digits, not a sign of another language on their own. */
export const EASTERN_DIGITS = /[\u0660-\u0669\u06f0-\u06f9]/g;

const NON_ASCII = /[^\x00-\x7f]/;
const BEYOND_LATIN = /[^\x00-\u024f]/;
const LATIN_LETTER = /[\u0080-\u024f]/g;
/** Each Latin character folded as foldFully folds it: a character's decomposition does not depend on its neighbours. */
const LATIN_FOLDED = new Map(Array.from({ length: 0x250 - 0x80 }, (_, i) => String.fromCharCode(0x80 + i)).map((c) => [c, foldFully(c)]));

const EMOJI = /\p{Extended_Pictographic}/gu;

/**
 * A script other than Latin: Cyrillic, Hebrew, Arabic (with its presentation forms), Thai and
 * Ethiopic. Crisis phrases in these are matched as substrings, and a participant writing in one is
 * read as writing in another language.
 */
export const NON_LATIN_SCRIPT = /[\u0400-\u04FF\u0590-\u08FF\u0E00-\u0E7F\u1200-\u139F\u2D80-\u2DDF\uAB00-\uAB2F\uFB50-\uFDFF\uFE70-\uFEFF]/u;

/**
 * Folded word tokens; letters repeated three or more times are squeezed to two ("hejjjj" →
 * "hejj"); each emoji is a token of its own ("tack👍" → "tack", "👍"); a "?" is kept as a token (one, however many were written).
 * The last answer is remembered: crisis detection and classification read the same message in turn.
 */
export const tokens: (text: string) => readonly string[] = rememberedLast(tokenize);

/** "3", "5!": a message that is a number and nothing else. */
export const loneNumber = (text: string) => /^\d+[.!]*$/.test(fold(text).trim());

/** `tokens` without remembering: for parts of a text, so the whole text's tokens stay remembered. */
export function tokenize(text: string): string[] {
  const folded = squeezeRepeats(fold(readArrows(NON_ASCII.test(text) ? text.replace(EMOJI, ' $& ') : text)));
  const out: string[] = [];
  for (const t of folded.split(/[^\p{L}\p{N}?\p{Extended_Pictographic}]+/u)) {
    // "fk??" and "fk?" are both "fk" and one "?"; "???" is one "?".
    let end = t.length;
    while (end > 0 && t.charCodeAt(end - 1) === QUESTION_MARK) end--;
    if (end > 0) out.push(end === t.length ? t : t.slice(0, end));
    if (end < t.length) out.push('?');
  }
  return out;
}
const QUESTION_MARK = 63;

/** An arrow between words or times, as staff write a move ("Karin → fre 13", "Gustav 10->11"). */
const ARROW = /\s*(?:[-–—=]>|[→⇒⟶➔➡➜⇨]\uFE0F?)\s*/gu;
/**
 * Arrows read as the word they stand for, "till" ("to"), by every part that reads words: a move's
 * new time comes after it as after "till", and "Ali → mån" is a name before "till", not "Ali man …".
 */
export const readArrows = (text: string) => (text.includes('>') || NON_ASCII.test(text) ? text.replace(ARROW, ' till ') : text);

/** A letter written three or more times in a row, as two ("hejjjj" → "hejj"): how tokens see it. */
export const squeezeRepeats = (text: string) => text.replace(/(\p{L})\1{2,}/gu, '$1$1');

/** Letters counted by their code's last six bits (collisions only make the bound lower). */
const bag = new Int32Array(64);
/** Three rows of the distance table, reused: a word is compared with every known word of its length. */
let rows = [new Int32Array(32), new Int32Array(32), new Int32Array(32)];

/**
 * Damerau–Levenshtein distance (optimal string alignment), stopping early above `max`. Each edit
 * changes the letters' counts by at most one, so counts that differ by more than `max` say "too
 * far" before any table is filled (most known words of a written word's length are).
 */
export function editDistance(a: string, b: string, max = 2): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  for (let i = 0; i < a.length; i++) bag[a.charCodeAt(i) & 63]!++;
  for (let j = 0; j < b.length; j++) bag[b.charCodeAt(j) & 63]!--;
  // Read back through the two words' own letters (each bucket once, then cleared for the next call).
  let more = 0;
  let fewer = 0;
  for (let i = 0; i < a.length; i++) {
    const k = a.charCodeAt(i) & 63;
    if (bag[k]! > 0) more += bag[k]!;
    if (bag[k]! >= 0) bag[k] = 0;
  }
  for (let j = 0; j < b.length; j++) {
    const k = b.charCodeAt(j) & 63;
    if (bag[k]! < 0) fewer -= bag[k]!;
    bag[k] = 0;
  }
  if (Math.max(more, fewer) > max) return max + 1;
  if (rows[0]!.length <= b.length) rows = [0, 1, 2].map(() => new Int32Array(b.length + 1));
  let [prev2, prev, cur] = rows as [Int32Array, Int32Array, Int32Array];
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a.charCodeAt(i - 1) === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === b.charCodeAt(j - 1)) v = Math.min(v, prev2[j - 2]! + 1);
      cur[j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[b.length]!;
}

/** How tolerant matching is: crisis detection keeps the wider net (recall first). */
export interface Tolerance {
  /** Shortest known word that may be matched with a typo. */
  typoFrom: number;
  /** Shortest known word that may be matched with two typos. */
  twoTyposFrom: number;
}
/** For intents and slots: five-letter words are too close to names and each other ("malin" ~ "malen"). */
export const INTENT_TOLERANCE: Tolerance = { typoFrom: 6, twoTyposFrom: 9 };
export const CRISIS_TOLERANCE: Tolerance = { typoFrom: 5, twoTyposFrom: 8 };

/**
 * Whether a written token matches a known token: exactly; for words of 5+ letters as an
 * inflected form (the known word is a prefix: "handlaggare" ~ "handlaggaren"); or with one
 * typo (two for longer words) as the tolerance allows.
 */
export function tokenMatches(written: string, known: string, tolerance: Tolerance = CRISIS_TOLERANCE): boolean {
  if (written === known) return true;
  if (known.length < 5 || written.length < 4) return false;
  if (written.startsWith(known) && written.length - known.length <= 3) return true;
  if (known.length < tolerance.typoFrom) return false;
  const max = known.length >= tolerance.twoTyposFrom ? 2 : 1;
  return editDistance(written, known, max) <= max;
}
