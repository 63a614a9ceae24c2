// Crisis detection (suicide, self-harm) in the languages participants write. The data, its phrase
// syntax and the decisions on idioms and negation are in intents/crisis.json; it is compiled once,
// at module load, into a trie of folded word sequences (Latin scripts) and into normalised
// substrings (Arabic, Persian, Kurdish Sorani, Ethiopic, Cyrillic and Thai scripts).
//
// Recall first: a missed crisis can cost a life. Only an idiom mask, a phrase's own guard or (in
// the substring scripts) an everyday saying can stop a phrase from firing, and a negation never
// does ("jag vill inte dö" is a crisis).
import { editDistance, fold, NON_LATIN_SCRIPT, tokenize, tokenMatches, tokens } from './text.js';
import { remembered } from '../util/remembered.js';
import { escapeRegExp } from '../util/text.js';
import { readIntentsFile } from './lexicon.js';

export interface CrisisFinding {
  crisis: boolean;
  /** Not a crisis, but words a person should read (the safety net: concern.words in crisis.json). */
  concern?: boolean;
  /**
   * When crisis.json read some of the words as everyday talk (an idiom, a phrase its guard
   * suppressed): the message's words without them, for the likeness to the crisis examples
   * (classify.ts) to read instead, so a decision of the lists is not overruled and the rest of the
   * message still counts (a pair's '!' exception judges the pair's words so). Empty when a
   * substring saying (Arabic script, Cyrillic …) decided: that is not tied to words here, so the
   * whole message stands decided.
   */
  wordsLeft?: readonly string[];
  /** What fired: the phrase pattern as written in crisis.json, or a guarded phrase's id. */
  matched?: string;
  /** The language key in crisis.json of what fired. */
  lang?: string;
}

// ---- the data (intents/crisis.json) ---------------------------------------------------------

interface GuardData {
  id: string;
  why?: string;
  phrases: string[];
  unlessHumour?: boolean;
  unlessBefore?: string[];
  beforeWindow?: number;
  /** The words before may stand in an earlier sentence: a story's context ("min hamster dog igår. ingen respawn …"). */
  beforeAcrossSentences?: boolean;
  unlessAfter?: string[];
  afterWindow?: number;
  fireWhenPrecededBy?: string[];
}

interface LanguageData {
  review: boolean;
  match: 'tokens' | 'substring';
  phrases: string[];
  /** Substring languages: everyday sayings that hold a phrase ("this job is killing me"), masked before matching. */
  everyday?: string[];
  guarded?: GuardData[];
}

interface CrisisData {
  /** Patterns several guards share, named in unlessBefore/unlessAfter as '@name'. */
  guardLists?: Record<string, string[] | string>;
  signs: { concepts: Record<string, string[]>; together: string[][]; throughMasks?: string[]; inTheirSentence?: string[] };
  concern: { words: string[] };
  humourWindow: number;
  /** A guard's humour marker is any of them; only a laugh (not 'jag skämtar inte') stops the second crisis line. */
  humour: { laughs: string[]; aboutJoking: string[]; patterns: string[]; emoji: string[]; denials: string[] };
  negators: string[];
  exceptionDeniers: string[];
  neverTypoOf: Record<string, string[] | string>;
  idioms: Record<string, string[] | string>;
  languages: Record<string, LanguageData>;
  /** Crisis words that say it is done or happening now (an overdose taken): see actedOn. */
  actedOn: { phrases: string[] };
}

/**
 * A pattern's slots, separated by spaces: `a|b` alternatives, `(a|b)` optional, `a_b` several
 * words. Each alternative is a sequence of folded tokens, `stem*` or `<number>`.
 */
function slotsOf(source: string): { optional: boolean; alternatives: string[][] }[] {
  return source
    .trim()
    .split(/\s+/)
    .map((slot) => {
      const optional = slot.startsWith('(') && slot.endsWith(')');
      const alternatives = (optional ? slot.slice(1, -1) : slot)
        .split('|')
        .filter(Boolean)
        .map((alt) => {
          if (alt === '<number>') return [alt];
          const star = alt.endsWith('*');
          const toks = [...tokens(alt.replace(/\*$/, '').replace(/_/g, ' '))];
          if (toks.length === 0) throw new Error(`crisis.json: "${alt}" in "${source}" has no word`);
          if (star) toks[toks.length - 1] += '*';
          return toks;
        });
      if (alternatives.length === 0) throw new Error(`crisis.json: an empty slot in "${source}"`);
      return { optional, alternatives };
    });
}

/** The word sequences a pattern stands for (the guards' short lists; the tries add slot by slot). */
export function expandPattern(source: string): string[][] {
  let sequences: string[][] = [[]];
  for (const { optional, alternatives } of slotsOf(source)) {
    const next: string[][] = [];
    for (const seq of sequences) {
      if (optional) next.push(seq);
      for (const w of alternatives) next.push([...seq, ...w]);
    }
    sequences = next;
  }
  const result = sequences.filter((s) => s.length > 0);
  if (result.length === 0) throw new Error(`crisis.json: "${source}" matches nothing`);
  return result;
}

/** Arabic, Persian, Ethiopic, Cyrillic and Thai text folded for substring matching; see crisis.json _syntax. */
export function normaliseScript(text: string): string {
  return fold(text)
    .replace(/[\u064B-\u065F\u0670\u0640]/g, '') // harakat, hamza and madda left by NFKD, tatweel
    .replace(/[\u0649\u06CC\u06D2]/g, '\u064A') // ى ی ے → ي
    .replace(/\u06A9/g, '\u0643') // ک → ك
    .replace(/[\u0629\u06C0\u06D5]/g, '\u0647') // ة ۀ ە → ه
    .replace(/[\u0671-\u0673\u0675]/g, '\u0627') // ٱ and other alef forms → ا
    .replace(/[^\p{L}\p{N}]+/gu, ''); // spaces, ZWNJ/ZWJ, punctuation, Ethiopic word space
}

/**
 * Substring phrases this long (normalised, 8 letters or more: two or three words) are found with
 * one letter dropped or added too ("نمخوام" for "نمیخوام", "хчу" for "хочу"). Only inside a word
 * of 4 letters or more, never its first letter, nor its last (its last two in the phrase's last
 * word): in these scripts a word's first and last letters are its negation, person and pronoun
 * ("میخوام" is no "نمیخوام", "сказал любить себя" no "убить себя", "أريد الموعد" no "أريد الموت",
 * "بیدار نشدم" no "بیدار نشم"), and a letter changed makes another word ("أقبل نفسي" is no
 * "أقتل نفسي", "اشرح" no "اجرح"), so none is changed.
 */
const NEARLY_FROM = 8;
const NEARLY_WORD = 4;

/**
 * Phrase words read only as written: a letter dropped from them leaves an everyday word
 * ("جوازي" → "جوزي" my husband, "بدون" → "بدن" body, "خوردم" → "خودم" myself, "میکشه" → "میشه",
 * "کارمو" → "کارو", "بریدم" → "بردم", "ارمي" → "امي" my mother, "اخدهن" → "ادهن" paint) or another
 * person ("سامحوني" → "سامحني", "تشوفوني" → "تشوفني", "بوسولي" → "بوسلي": one person, everyday;
 * "прокинутися" → "прокинуться", they will wake up; "простите" → "просите", "померла" → "помела").
 */
const NEVER_NEARLY = new Set(
  ['جوازي', 'بدون', 'خوردم', 'میکشه', 'میکشد', 'کارمو', 'بریدم', 'ارمي', 'اخدهن', 'سامحوني', 'تشوفوني', 'بوسولي', 'померла', 'простите', 'прокинутися'].map((w) => normaliseScript(w)),
);

/** A long substring phrase's letters and where one may be dropped or added, as bits (at most 31 letters). */
interface Nearly {
  /** The bit of the phrase's last letter (its 31st at most): set when the whole phrase stands. */
  done: number;
  masks: Map<number, number>;
  /** Bit j: the phrase's letter j may be missing. */
  drop: number;
  /** Bit j: a letter may stand between the phrase's letters j and j+1. */
  add: number;
}

function nearlyOf(source: string): Nearly | undefined {
  const words = source.trim().split(/\s+/).map(normaliseScript).filter(Boolean);
  const pattern = words.join('');
  if (pattern.length < NEARLY_FROM) return undefined;
  const masks = new Map<number, number>();
  for (let i = 0; i < Math.min(pattern.length, 31); i++) masks.set(pattern.charCodeAt(i), (masks.get(pattern.charCodeAt(i)) ?? 0) | (1 << i));
  let drop = 0;
  let add = 0;
  let at = 0;
  words.forEach((word, w) => {
    const kept = w === words.length - 1 ? 2 : 1; // letters at the word's end never dropped
    const open = word.length >= NEARLY_WORD && !NEVER_NEARLY.has(word);
    const mayDrop = (k: number) => open && k >= 1 && k <= word.length - 1 - kept;
    for (let k = 0; k < word.length && at + k < 31; k++) {
      // A letter written twice is one place: dropping either is dropping the last ("پیامم").
      let from = k;
      let to = k;
      while (from > 0 && word[from - 1] === word[k]) from--;
      while (to < word.length - 1 && word[to + 1] === word[k]) to++;
      let may = true;
      for (let q = from; q <= to; q++) may &&= mayDrop(q);
      if (may) drop |= 1 << (at + k);
      if (open && k + 1 <= word.length - kept) add |= 1 << (at + k);
    }
    at += word.length;
  });
  return drop || add ? { done: 1 << (Math.min(pattern.length, 31) - 1), masks, drop, add } : undefined;
}

/**
 * Whether a phrase stands in `text` with at most one letter dropped or added where `nearly` allows
 * it: Wu and Manber's bit-parallel matching, where bit j of `exact` says the phrase's first j+1
 * letters end here as written, and of `oneOff` with one slip.
 */
function nearlyIncludes(text: string, nearly: Nearly): boolean {
  let exact = 0;
  let oneOff = 0;
  for (let i = 0; i < text.length; i++) {
    const letter = nearly.masks.get(text.charCodeAt(i)) ?? 0;
    const nextExact = ((exact << 1) | 1) & letter;
    // As written after a slip; one letter added in the text; one dropped from it.
    oneOff = ((oneOff << 1) & letter) | (exact & nearly.add) | ((nextExact << 1) & nearly.drop);
    exact = nextExact;
    if ((exact | oneOff) & nearly.done) return true;
  }
  return false;
}

// ---- compiled form --------------------------------------------------------------------------

/** The id of the `<number>` word: any number written in digits. */
const NUMBER = -1;
type Sequence = readonly number[];

interface Guard {
  id: string;
  humour: boolean;
  before: Sequence[];
  beforeWindow: number;
  beforeAcrossSentences: boolean;
  after: Sequence[];
  afterWindow: number;
  fireWhen: Sequence[];
}

interface Phrase {
  source: string;
  lang: string;
  guard?: Guard;
}

/**
 * A trie over word ids; `ends` are the phrases whose words lead to this node. `also` are nodes a
 * walk goes on to without reading a word: where a pattern's alternatives meet again (addPattern).
 */
class Node<T> {
  readonly next = new Map<number, Node<T>>();
  readonly ends: T[] = [];
  also?: Node<T>[];

  /** The node the words lead to, made where missing. */
  path(ids: Sequence): Node<T> {
    let node: Node<T> = this;
    for (const id of ids) {
      let child = node.next.get(id);
      if (!child) node.next.set(id, (child = new Node<T>()));
      node = child;
    }
    return node;
  }

  /**
   * Every word sequence a pattern stands for, added slot by slot. Where a slot's alternatives end
   * on several nodes, they lead on to one new node of this pattern's own (`also`), and the rest of
   * the pattern is added once, after it: alternatives multiply (one pattern stands for 65,000
   * sequences), and a tree of them all was half a million nodes and two seconds of every start.
   */
  addPattern(source: string, end: T): void {
    const slots = slotsOf(source);
    let at = new Set<Node<T>>([this]);
    slots.forEach(({ optional, alternatives }, s) => {
      const ids = alternatives.map((seq) => seq.map(wordId));
      const next = new Set<Node<T>>(optional ? at : []);
      for (const node of at) for (const seq of ids) next.add(node.path(seq));
      // The root stays itself: the first words are looked up in its `next` alone.
      const inner = [...next].filter((node) => node !== this);
      if (s < slots.length - 1 && inner.length > 1) {
        const meet = new Node<T>();
        for (const node of inner) (node.also ??= []).push(meet);
        at = new Set(next.has(this) ? [this, meet] : [meet]);
      } else at = next;
    });
    at.delete(this);
    if (at.size === 0) throw new Error(`crisis.json: "${source}" matches nothing`);
    for (const node of at) if (!node.ends.includes(end)) node.ends.push(end);
  }
}

/** Whether a phrase ends at `node` or at a node it goes on to. */
function endsAt<T>(node: Node<T>): boolean {
  if (node.ends.length > 0) return true;
  if (node.also) for (const on of node.also) if (endsAt(on)) return true;
  return false;
}

/** The phrase words: `token` folded, `star` for a stem that any longer word may continue. */
const words: { token: string; star: boolean }[] = [];
const plainIds = new Map<string, number>();
const stemIds = new Map<string, number>();
/** One-letter deletions of the 5+ letter words (a symmetric-delete index for one typo). */
const deletionIndex = new Map<string, number[]>();
/** Words of 8+ letters (tokenMatches allows them two typos), by length, with letter histograms. */
const longWords = new Map<number, { id: number; token: string; histogram: Uint8Array }[]>();
let longestFuzzy = 0;
let longestStem = 0;
let shortestStem = Infinity;

const neverTypo = new Set<string>();
const negators = new Set<string>();
/** Laughs ("haha", "lol"), and words about joking ("skämtar"): a guard reads both as humour. */
const laughWords = new Set<string>();
const jokeWords = new Set<string>();
let humourPatterns: RegExp[] = [];
let humourEmoji: RegExp | null = null;
let humourWindow = 8;
/** Words that say a message is no joke ("det e inget skämt", "skämt åsido", "på riktigt"): then nothing in it is humour. */
let jokingDenials: Sequence[] = [];
let actedOnPhrases: Sequence[] = [];
const phrases = new Node<Phrase>();
const idioms = new Node<true>();
const substrings: { text: string; source: string; lang: string; nearly?: Nearly }[] = [];
/** The substring languages' everyday sayings, normalised: masked before their phrases are matched. */
const everydaySubstrings: string[] = [];
/** Warning-sign concepts by index: names (from crisis.json) and tries of their phrases. */
const conceptNames: string[] = [];
const conceptTries: Node<true>[] = [];
/** By concept index, 1 when the concept is read inside masked idioms too (signs.throughMasks). */
let throughMasks = new Uint8Array(0);
/** By concept index, 1 for an exception that explains a word beside it (signs.inTheirSentence): it stops a pair only in a sentence of the pair's. */
let inTheirSentence = new Uint8Array(0);
/** By word id, the concepts a phrase of which starts with that word, with the node after it. */
const conceptStarts = new Map<number, { concept: number; node: Node<true> }[]>();
/**
 * Pairs of concepts (by index) that together are a crisis, each with the concepts that stop it
 * ('!accident') and whether humour does ('!humour': the guards' own test of a laugh, not a list of its own).
 */
let together: { all: number[]; unless: number[]; unlessHumour: boolean }[] = [];
/** The pair exception that is no concept: a laugh or an undenied joke word in the message (Message.humourAt). */
const HUMOUR = '!humour';
/** The pairs by their first concept: only pairs whose first concept a message holds are read. */
let pairsStartingWith: number[][] = [];
/** The concepts a message holds, by index (reused from message to message, cleared after each). */
let present = new Uint8Array(0);
/** Concepts a pair names with '!' (an exception), and those of them the message holds undenied (`heldConcepts`). */
let exceptionConcept = new Uint8Array(0);
let affirmed = new Uint8Array(0);
/** With the negators, words that deny an exception just after them ("ingen fasta"): crisis.json's exceptionDeniers. */
const exceptionDeniers = new Set<string>();
const concern = new Node<true>();

function deletions(word: string): Set<string> {
  const out = new Set<string>([word]);
  for (let i = 0; i < word.length; i++) out.add(word.slice(0, i) + word.slice(i + 1));
  return out;
}

/** Letter counts in 32 buckets: two typos change them by at most 4 in all. */
function histogram(word: string): Uint8Array {
  const h = new Uint8Array(32);
  for (let i = 0; i < word.length; i++) h[word.charCodeAt(i) & 31]!++;
  return h;
}

function wordId(word: string): number {
  if (word === '<number>') return NUMBER;
  const star = word.endsWith('*');
  const token = star ? word.slice(0, -1) : word;
  const ids = star ? stemIds : plainIds;
  const known = ids.get(token);
  if (known !== undefined) return known;
  const id = words.length;
  words.push({ token, star });
  ids.set(token, id);
  // tokenMatches lets 5+ letter words match with 1 typo (2 from 8 letters); a stem, as a whole word, 1.
  if (token.length >= 5) {
    for (const d of deletions(token)) {
      const list = deletionIndex.get(d) ?? [];
      list.push(id);
      deletionIndex.set(d, list);
    }
    longestFuzzy = Math.max(longestFuzzy, token.length);
    if (!star && token.length >= 8) {
      const list = longWords.get(token.length) ?? [];
      list.push({ id, token, histogram: histogram(token) });
      longWords.set(token.length, list);
    }
  }
  if (star) {
    longestStem = Math.max(longestStem, token.length);
    shortestStem = Math.min(shortestStem, token.length);
  }
  return id;
}

/** Short word lists (a guard's words before and after): each sequence, as word ids. */
const compileAll = (patterns: string[]) => patterns.flatMap(expandPattern).map((seq) => seq.map(wordId));
const list = (v: string[] | string | undefined): string[] => (Array.isArray(v) ? v : []);

function compile(data: CrisisData): void {
  humourWindow = data.humourWindow;
  for (const w of data.humour.laughs) for (const t of tokens(w)) laughWords.add(t);
  for (const w of data.humour.aboutJoking) for (const t of tokens(w)) jokeWords.add(t);
  humourPatterns = data.humour.patterns.map((p) => new RegExp(p, 'u'));
  jokingDenials = compileAll(data.humour.denials);
  actedOnPhrases = compileAll(data.actedOn.phrases);
  if (data.humour.emoji.length > 0) humourEmoji = new RegExp(data.humour.emoji.map(escapeRegExp).join('|'), 'gu');
  for (const w of data.negators) negators.add(fold(w));
  for (const w of data.exceptionDeniers) exceptionDeniers.add(fold(w));
  for (const [key, ws] of Object.entries(data.neverTypoOf)) if (!key.startsWith('_')) for (const w of list(ws)) neverTypo.add(fold(w));
  for (const [key, patterns] of Object.entries(data.idioms)) if (!key.startsWith('_')) for (const p of list(patterns)) idioms.addPattern(p, true);
  const index = new Map<string, number>();
  for (const [name, patterns] of Object.entries(data.signs.concepts)) {
    const trie = new Node<true>();
    for (const p of patterns) trie.addPattern(p, true);
    index.set(name, conceptNames.length);
    conceptNames.push(name);
    conceptTries.push(trie);
  }
  for (const p of data.concern.words) concern.addPattern(p, true);
  conceptTries.forEach((trie, concept) => {
    for (const [id, node] of trie.next) (conceptStarts.get(id) ?? conceptStarts.set(id, []).get(id)!).push({ concept, node });
  });
  const named = new Set(data.signs.together.flat().filter((n) => n !== HUMOUR).map((n) => n.replace(/^!/, '')));
  for (const name of named) if (!index.has(name)) throw new Error(`crisis.json: signs.together names an unknown concept "${name}"`);
  // A concept in no pair is never read: a left-over from an edit, not a sign.
  for (const name of conceptNames) if (!named.has(name)) throw new Error(`crisis.json: the concept "${name}" is in no signs.together pair`);
  const ids = (names: string[]) => names.map((n) => index.get(n)!);
  throughMasks = new Uint8Array(conceptNames.length);
  for (const name of list(data.signs.throughMasks)) {
    if (!index.has(name)) throw new Error(`crisis.json: signs.throughMasks names an unknown concept "${name}"`);
    throughMasks[index.get(name)!] = 1;
  }
  inTheirSentence = new Uint8Array(conceptNames.length);
  for (const name of list(data.signs.inTheirSentence)) {
    if (!index.has(name)) throw new Error(`crisis.json: signs.inTheirSentence names an unknown concept "${name}"`);
    inTheirSentence[index.get(name)!] = 1;
  }
  together = data.signs.together.map((names) => ({
    all: ids(names.filter((n) => !n.startsWith('!'))),
    unless: ids(names.filter((n) => n.startsWith('!') && n !== HUMOUR).map((n) => n.slice(1))),
    unlessHumour: names.includes(HUMOUR),
  }));
  pairsStartingWith = conceptNames.map(() => []);
  together.forEach((rule, i) => pairsStartingWith[rule.all[0]!]!.push(i));
  present = new Uint8Array(conceptNames.length);
  affirmed = new Uint8Array(conceptNames.length);
  exceptionConcept = new Uint8Array(conceptNames.length);
  for (const rule of together) for (const c of rule.unless) exceptionConcept[c] = 1;
  const add = (source: string, phrase: Phrase) => {
    phrases.addPattern(source, phrase);
    if (phrases.next.has(NUMBER)) throw new Error(`crisis.json: "${source}" may not start with <number>`);
  };
  // '@name' in a guard's list is the shared list guardLists.name.
  const withLists = (patterns: string[]) =>
    patterns.flatMap((p) => {
      if (!p.startsWith('@')) return [p];
      const shared = data.guardLists?.[p.slice(1)];
      if (!Array.isArray(shared)) throw new Error(`crisis.json: no guardLists.${p.slice(1)} for "${p}"`);
      return shared;
    });
  for (const [lang, language] of Object.entries(data.languages)) {
    if (language.match === 'substring') {
      for (const source of language.phrases) {
        const text = normaliseScript(source);
        if (text.length < 3) throw new Error(`crisis.json: "${source}" is too short to match as a substring`);
        const nearly = nearlyOf(source);
        substrings.push({ text, source, lang, ...(nearly ? { nearly } : {}) });
      }
      for (const saying of language.everyday ?? []) everydaySubstrings.push(normaliseScript(saying));
      continue;
    }
    if (language.match !== 'tokens') throw new Error(`crisis.json: language ${lang} has an unknown match "${String(language.match)}"`);
    for (const source of language.phrases) {
      const phrase: Phrase = { source, lang };
      add(source, phrase);
    }
    for (const g of language.guarded ?? []) {
      const guard: Guard = {
        id: g.id,
        humour: g.unlessHumour ?? false,
        before: compileAll(withLists(g.unlessBefore ?? [])),
        beforeWindow: g.beforeWindow ?? 3,
        beforeAcrossSentences: g.beforeAcrossSentences ?? false,
        after: compileAll(withLists(g.unlessAfter ?? [])),
        afterWindow: g.afterWindow ?? 3,
        fireWhen: compileAll(g.fireWhenPrecededBy ?? []),
      };
      const phrase: Phrase = { source: g.id, lang, guard };
      for (const source of g.phrases) add(source, phrase);
    }
  }
}

compile(readIntentsFile('crisis.json') as CrisisData);
// Real words near crisis words ("svara" near "snara"), generated from a Swedish dictionary: read
// only as themselves. Required: without it everyday words raise the crisis alarm.
for (const w of (readIntentsFile('crisis-real-words.json') as { sv: string[] }).sv) neverTypo.add(w);

/** The phrase words matching reads with a typo (5+ letters), folded: for scripts/crisis-real-words.mjs. */
export const fuzzyWords = (): string[] => words.filter((w) => w.token.length >= 5).map((w) => w.token);

// ---- matching -------------------------------------------------------------------------------

const NONE: readonly number[] = [];
const NONE_LONG: { id: number; token: string; histogram: Uint8Array }[] = [];
const NO_STARTS: { concept: number; node: Node<true> }[] = [];
/** How many written words' matches are remembered (messages repeat their words). */
const WORDS_REMEMBERED = 50_000;

function pushNew(out: number[], id: number | undefined): void {
  if (id !== undefined && !out.includes(id)) out.push(id);
}

/** Stems this long are read with a typo inside longer words too (shorter ones would find real words). */
const LONG_STEM = 7;
/** What follows a crisis stem in the words it makes (självmord-s, -et, -linjen, -tankar, -beteende …). */
const STEM_GOES_ON = /^(?:s|a|e(?:[bnt]|$)|er$|erna$|ning|or$|orna$|tank|gedank|fors|linj|brev|beteend|plan|risk)/;

/**
 * The phrase words `word` matches, the most literal first: exactly; a stem it starts with
 * (longest first); with a letter doubled; as an inflection (tokenMatches: a 5+ letter word it
 * starts with); as a typo.
 */
const idsFor = remembered((word: string): readonly number[] => {
  const out: number[] = [];
  if (/^\d+$/.test(word)) out.push(NUMBER);
  pushNew(out, plainIds.get(word));
  for (let len = Math.min(word.length, longestStem); len >= shortestStem; len--) pushNew(out, stemIds.get(word.slice(0, len)));
  // A letter written twice ("leeva", "dööö" → "döö"): the word without one of the two, for short
  // words too, which get no other typo tolerance.
  if (!neverTypo.has(word)) for (let i = 1; i < word.length; i++) if (word[i] === word[i - 1]) pushNew(out, plainIds.get(word.slice(0, i) + word.slice(i + 1)));
  if (word.length >= 4 && !neverTypo.has(word)) {
    for (let len = word.length - 1; len >= Math.max(5, word.length - 3); len--) pushNew(out, plainIds.get(word.slice(0, len)));
    if (word.length <= longestFuzzy + 2) {
      for (const d of deletions(word))
        for (const id of deletionIndex.get(d) ?? NONE) {
          if (out.includes(id)) continue;
          const w = words[id]!;
          if (w.star ? editDistance(word, w.token, 1) <= 1 : tokenMatches(word, w.token)) out.push(id);
        }
      if (word.length >= 6) {
        const h = histogram(word);
        for (let len = Math.max(8, word.length - 2); len <= word.length + 2; len++)
          for (const w of longWords.get(len) ?? NONE_LONG) {
            if (out.includes(w.id)) continue;
            let diff = 0;
            for (let b = 0; b < 32 && diff <= 4; b++) diff += Math.abs(h[b]! - w.histogram[b]!);
            if (diff <= 4 && tokenMatches(word, w.token)) out.push(w.id);
          }
      }
    }
    // A long stem with a letter left out or added inside a longer word ("självmrdslinjen",
    // "självmorrdstankar"): a beginning of the word that far from the stem, followed by what
    // follows such a stem. Not a letter changed, nor the stem's last left out: "självskattning" is
    // no "självskad*", "självsådda" no "självmord*".
    for (let len = LONG_STEM - 1; len <= Math.min(word.length - 1, longestStem + 1); len++) {
      if (!STEM_GOES_ON.test(word.slice(len))) continue;
      const start = word.slice(0, len);
      for (const d of deletions(start))
        for (const id of deletionIndex.get(d) ?? NONE) {
          const w = words[id]!;
          if (w.star && w.token.length >= LONG_STEM && w.token.length !== len && !w.token.startsWith(start) && !out.includes(id) && editDistance(start, w.token, 1) <= 1) out.push(id);
        }
    }
  }
  return out.length === 0 ? NONE : out;
}, WORDS_REMEMBERED);

class Message {
  readonly words: readonly string[];
  readonly ids: (readonly number[])[];
  masked: Uint8Array | null = null;
  /** The words of crisis phrases a guard read as everyday talk. */
  guarded: Uint8Array | null = null;

  /** Words in a script the token phrases are not written in (Arabic, Cyrillic …): matched as substrings instead. */
  readonly otherScript: readonly string[] = [];

  /** Each word's sentence (0, 1, …), or null when the message is one sentence; read when a guard first asks. */
  private sentence: readonly number[] | null | undefined;

  /** Every word as written, other scripts included: what a sentence split is counted against. */
  private readonly written: readonly string[];

  constructor(private readonly text: string) {
    const words = (this.written = wordsOf(text));
    // Left out of the token phrases' words, so a phrase reads across a gloss in another script
    // ("hela tiden tänker jag på مرگ, döden", set 131): no token phrase holds such a word.
    if (NON_LATIN_SCRIPT.test(text)) {
      this.words = words.filter((w) => !NON_LATIN_SCRIPT.test(w));
      this.otherScript = words.filter((w) => NON_LATIN_SCRIPT.test(w));
    } else this.words = words;
    this.ids = this.words.map(idsFor);
  }

  /** Each word's sentence, or null for one sentence: split when first asked (a guard's or an exception's question). */
  sentences(): readonly number[] | null {
    if (this.sentence === undefined) {
      const sentence = sentencesOf(this.text, this.written.length);
      // Words in another script are not among `words` (the constructor says why): nor their sentences.
      this.sentence = sentence && this.otherScript.length ? sentence.filter((_, i) => !NON_LATIN_SCRIPT.test(this.written[i]!)) : sentence;
    }
    return this.sentence;
  }

  /** Whether words `a` and `b` stand in one sentence: a guard's words before a phrase count only there. */
  together(a: number, b: number): boolean {
    const sentence = this.sentences();
    return !sentence || sentence[a] === sentence[b];
  }

  private denied: boolean | undefined;
  /** Whether the message says it is no joke ("det e inget skämt", "nej men på riktigt"). */
  deniesJoking(): boolean {
    if (this.denied === undefined) {
      this.denied = false;
      for (let s = 0; s < this.words.length && !this.denied; s++) for (const seq of jokingDenials) if (this.matchAt(seq, s) >= 0) this.denied = true;
    }
    return this.denied;
  }

  has(pos: number, id: number): boolean {
    return this.ids[pos]!.includes(id);
  }

  /** Where `seq` ends (exclusive) if it starts at `start`, else -1. One negator may stand between its words. */
  matchAt(seq: Sequence, start: number): number {
    let j = start;
    let skipped = false;
    for (let k = 0; k < seq.length; ) {
      if (j >= this.words.length) return -1;
      if (this.has(j, seq[k]!)) {
        j++;
        k++;
      } else if (k > 0 && !skipped && negators.has(this.words[j]!)) {
        skipped = true;
        j++;
      } else return -1;
    }
    return j;
  }

  // The two trie walks below follow the words from `start` (`j` is the next word to read), with
  // one negator allowed between a phrase's words as in matchAt. No closures: this is the hot path.

  /** Masks the words of every idiom in the message. */
  maskIdioms(): void {
    for (let i = 0; i < this.words.length; i++) this.maskIdiomsFrom(idioms, i, i, false);
  }

  /** Masks the words of every idiom that starts at `start`. */
  maskIdiomsFrom(node: Node<true>, start: number, j: number, skipped: boolean): void {
    if (node !== idioms && endsAt(node)) (this.masked ??= new Uint8Array(this.words.length)).fill(1, start, j);
    // A saying stands in one sentence: "I want to kill myself. Laughing about it won't help" is no "kill myself laughing".
    if (j >= this.words.length || (j > start && !this.together(start, j))) return;
    this.maskIdiomsOn(node, start, j, skipped);
    if (node !== idioms && !skipped && negators.has(this.words[j]!)) this.maskIdiomsFrom(node, start, j + 1, true);
  }

  /** Reads word `j` from `node` and from the nodes it goes on to (Node.also). */
  maskIdiomsOn(node: Node<true>, start: number, j: number, skipped: boolean): void {
    for (const id of this.ids[j]!) {
      const child = node.next.get(id);
      if (child) this.maskIdiomsFrom(child, start, j + 1, skipped);
    }
    if (node.also) for (const on of node.also) this.maskIdiomsOn(on, start, j, skipped);
  }

  /** The first crisis phrase that starts at `start` and is not suppressed by its guard. */
  phraseFrom(node: Node<Phrase>, start: number, j: number, skipped: boolean): Phrase | undefined {
    const ended = node === phrases ? undefined : this.phraseEndingAt(node, start, j);
    if (ended) return ended;
    if (j >= this.words.length || this.masked?.[j]) return undefined;
    const found = this.phraseOn(node, start, j, skipped);
    if (found) return found;
    return node !== phrases && !skipped && negators.has(this.words[j]!) ? this.phraseFrom(node, start, j + 1, true) : undefined;
  }

  /** The first phrase ending at `node` (or a node it goes on to) that its guard lets fire; the words of those it stops are marked. */
  phraseEndingAt(node: Node<Phrase>, start: number, j: number): Phrase | undefined {
    for (const p of node.ends) {
      if (!p.guard || !this.suppressed(p.guard, start, j)) return p;
      (this.guarded ??= new Uint8Array(this.words.length)).fill(1, start, j);
    }
    if (node.also)
      for (const on of node.also) {
        const p = this.phraseEndingAt(on, start, j);
        if (p) return p;
      }
    return undefined;
  }

  /**
   * Reads word `j` from the nodes `node` goes on to, then from `node`: a pattern's own rest first.
   * Which of several matching phrases a reason names depends on the order; this one names a phrase
   * of the same language as the tree of all sequences did, over every eval and audit text.
   */
  phraseOn(node: Node<Phrase>, start: number, j: number, skipped: boolean): Phrase | undefined {
    if (node.also)
      for (const on of node.also) {
        const found = this.phraseOn(on, start, j, skipped);
        if (found) return found;
      }
    for (const id of this.ids[j]!) {
      const child = node.next.get(id);
      const found = child && this.phraseFrom(child, start, j + 1, skipped);
      if (found) return found;
    }
    return undefined;
  }

  /** Whether a phrase of the trie stands anywhere in the message, outside masked idioms. */
  contains(trie: Node<true>): boolean {
    for (let i = 0; i < this.words.length; i++) if (!this.masked?.[i] && this.conceptFrom(trie, trie, i, false)) return true;
    return false;
  }

  /** Whether a phrase of `root` goes on from `node` at word `j`; inside masked idioms only `throughMask`. */
  conceptFrom(root: Node<true>, node: Node<true>, j: number, skipped: boolean, throughMask = false): boolean {
    return this.conceptEnd(root, node, j, skipped, throughMask) >= 0;
  }

  /** Where that phrase ends (exclusive), or -1. */
  conceptEnd(root: Node<true>, node: Node<true>, j: number, skipped: boolean, throughMask = false): number {
    if (node !== root && endsAt(node)) return j;
    if (j >= this.words.length || (this.masked?.[j] && !throughMask)) return -1;
    const end = this.conceptEndOn(root, node, j, skipped, throughMask);
    if (end >= 0) return end;
    return node !== root && !skipped && negators.has(this.words[j]!) ? this.conceptEnd(root, node, j + 1, true, throughMask) : -1;
  }

  /** Reads word `j` from `node` and from the nodes it goes on to. */
  conceptEndOn(root: Node<true>, node: Node<true>, j: number, skipped: boolean, throughMask: boolean): number {
    for (const id of this.ids[j]!) {
      const child = node.next.get(id);
      const end = child ? this.conceptEnd(root, child, j + 1, skipped, throughMask) : -1;
      if (end >= 0) return end;
    }
    if (node.also)
      for (const on of node.also) {
        const end = this.conceptEndOn(root, on, j, skipped, throughMask);
        if (end >= 0) return end;
      }
    return -1;
  }

  /**
   * Whether an exception's words at [start, end) are denied, so they do not excuse a pair: a negator
   * read past inside them ("kommer inte tillbaka" is no move), a negator or "ingen" just before them
   * ("inte nån olycka", "ingen fasta"), or a negator that ends the sentence after them ("råkade inte.",
   * but not "till färgskrapan, inte för att raka mig"; audit of 5 December).
   */
  deniedAt(root: Node<true>, node: Node<true>, start: number, end: number, through: boolean): boolean {
    const denies = (w: string | undefined) => w !== undefined && (negators.has(w) || exceptionDeniers.has(w));
    if (denies(this.words[start - 1]) || denies(this.words[start - 2])) return true;
    const after = this.words[end];
    if (after !== undefined && negators.has(after) && (end + 1 === this.words.length || !this.together(end, end + 1))) return true;
    return this.conceptEnd(root, node, start + 1, true, through) < 0;
  }

  /** Marks as judged (with the guarded words) every word of these concepts, where they stand outside masks. */
  excuse(concepts: readonly number[]): void {
    for (let i = 0; i < this.words.length; i++) {
      if (this.masked?.[i]) continue;
      for (const id of this.ids[i]!)
        for (const start of conceptStarts.get(id) ?? NO_STARTS) {
          if (!concepts.includes(start.concept)) continue;
          const end = this.conceptEnd(conceptTries[start.concept]!, start.node, i + 1, false);
          if (end >= 0) (this.guarded ??= new Uint8Array(this.words.length)).fill(1, i, end);
        }
    }
  }


  /** Humour at word `j`: a laugh, or a word about joking that is not denied ("jag skämtar inte", "not joking"). */
  humourAt(j: number): boolean {
    const word = this.words[j]!;
    if (!isHumour(word) || this.deniesJoking()) return false;
    return !(jokeWords.has(word) && (negators.has(this.words[j - 1] ?? '') || negators.has(this.words[j + 1] ?? '')));
  }

  /** Humour anywhere in the message, as a pair's '!humour' asks. */
  hasHumour(): boolean {
    for (let j = 0; j < this.words.length; j++) if (this.humourAt(j)) return true;
    return false;
  }

  /** Whether a guarded phrase found at [start, end) is everyday talk rather than a crisis. */
  suppressed(g: Guard, start: number, end: number): boolean {
    const n = this.words.length;
    if (g.fireWhen.length > 0) {
      let last = start - 1;
      if (last >= 0 && negators.has(this.words[last]!)) last--;
      for (const seq of g.fireWhen)
        for (let s = Math.max(0, last - seq.length); s <= last; s++) if (this.matchAt(seq, s) === last + 1) return false;
    }
    if (g.humour)
      for (let j = Math.max(0, start - humourWindow); j < Math.min(n, end + humourWindow); j++) if (this.humourAt(j)) return true;
    // Before a phrase, only words of its own sentence: "soc tog barnen. tar livet av mig nu" is no idiom
    // about soc (unless the guard reads a story's context, beforeAcrossSentences). After it, the next
    // sentence may still tell what it was ("my last message before I leave. Flight to Erbil tomorrow").
    for (let s = Math.max(0, start - g.beforeWindow); s < start; s++) {
      if (!g.beforeAcrossSentences && !this.together(s, start)) continue;
      for (const seq of g.before) {
        const e = this.matchAt(seq, s);
        if (e >= 0 && e <= start) return true;
      }
    }
    for (let s = end; s < Math.min(n, end + g.afterWindow); s++) for (const seq of g.after) if (this.matchAt(seq, s) >= 0) return true;
    return false;
  }
}

/** A laugh: a laugh word or a laughing pattern ("hahaha", "xDD"); humour emoji are read as "lol". */
const isLaugh = (word: string): boolean => laughWords.has(word) || humourPatterns.some((r) => r.test(word));
/** What a guard reads as humour: a laugh, or a word about joking. */
const isHumour = (word: string): boolean => jokeWords.has(word) || isLaugh(word);

/** Humour emoji and emoticons become the humour word "lol". */
const withLaughWords = (text: string) => (humourEmoji ? text.replace(humourEmoji, ' lol ') : text);
const wordsOf = (text: string) => tokens(withLaughWords(text));

/** A sentence ends at ".", "!" or "?" before a space, or at a line break; not at "…" or "..." (a pause: "jag vill dö... av pinsamhet"), nor inside "kl 10.30". */
const SENTENCE_END = /(?<=[^.]\.|[!?])\s+|\n+/u;

/** Each of the message's `count` words' sentence (as `wordsOf` reads them), or null when it has one sentence. */
function sentencesOf(text: string, count: number): number[] | null {
  const parts = text.split(SENTENCE_END);
  if (parts.length < 2) return null;
  const sentence: number[] = [];
  parts.forEach((part, i) => {
    for (let k = tokenize(withLaughWords(part)).length; k > 0; k--) sentence.push(i);
  });
  // Tokens read across a break the split made differently (never seen): then one sentence, as before.
  return sentence.length === count ? sentence : null;
}

/** Whether a message laughs somewhere: a laugh, a laughing pattern, emoji or emoticon of crisis.json ("jag skämtar inte" does not). */
export const laughs = (text: string): boolean => wordsOf(text).some(isLaugh);

/**
 * The warning-sign concepts a message holds outside masked idioms (inside them too for a concept of
 * signs.throughMasks: a story masked as everyday talk still tells what "the same" is), each read
 * from where its first word stands; marked in `present` (the caller clears it).
 */
function heldConcepts(m: Message): number[] {
  const held: number[] = [];
  for (let i = 0; i < m.words.length; i++) {
    const masked = m.masked?.[i] === 1;
    for (const id of m.ids[i]!)
      for (const start of conceptStarts.get(id) ?? NO_STARTS) {
        const c = start.concept;
        const through = throughMasks[c] === 1;
        const exception = exceptionConcept[c] === 1;
        if ((masked && !through) || (present[c] && (!exception || affirmed[c]))) continue;
        const end = m.conceptEnd(conceptTries[c]!, start.node, i + 1, false, through);
        if (end < 0) continue;
        if (!present[c]) {
          present[c] = 1;
          held.push(c);
        }
        if (exception && !m.deniedAt(conceptTries[c]!, start.node, i, end, through)) affirmed[c] = 1;
      }
  }
  return held;
}

/** The names of the warning-sign concepts a message holds (for `lots classify --why`: which half of a pair is there). */
export function signsIn(text: string): string[] {
  const m = new Message(text.trim());
  m.maskIdioms();
  const held = heldConcepts(m);
  for (const concept of held) present[concept] = affirmed[concept] = 0;
  return held.map((c) => conceptNames[c]!);
}

/**
 * The sentences in which a concept stands (undenied, for an exception), read as `heldConcepts` reads
 * it. A walk of its own: it runs only when an exception of signs.inTheirSentence meets its pair, so
 * `heldConcepts`, which runs on every message, records no positions for it.
 */
function sentencesHolding(m: Message, sentence: readonly number[], concept: number, undenied: boolean): Set<number> {
  const out = new Set<number>();
  const root = conceptTries[concept]!;
  const through = throughMasks[concept] === 1;
  for (let i = 0; i < m.words.length; i++) {
    if (m.masked?.[i] === 1 && !through) continue;
    for (const id of m.ids[i]!)
      for (const start of conceptStarts.get(id) ?? NO_STARTS) {
        if (start.concept !== concept) continue;
        const end = m.conceptEnd(root, start.node, i + 1, false, through);
        if (end >= 0 && !(undenied && m.deniedAt(root, start.node, i, end, through))) out.add(sentence[i]!);
      }
  }
  return out;
}

/**
 * Whether a held exception stops a pair: anywhere in the message, or for an exception of
 * signs.inTheirSentence only in a sentence that holds one of the pair's concepts ("skär i
 * handleden. sitter i köket" is no accident in the kitchen; "skar mig i köket" may be).
 */
function stops(m: Message, exception: number, pair: readonly number[]): boolean {
  if (!affirmed[exception]) return false;
  const sentence = inTheirSentence[exception] === 1 ? m.sentences() : null;
  if (!sentence) return true;
  const there = sentencesHolding(m, sentence, exception, true);
  return pair.some((c) => [...sentencesHolding(m, sentence, c, false)].some((s) => there.has(s)));
}

/**
 * Whether a crisis message says it is done or happening now ("har tagit alla mina tabletter",
 * "can't breathe"): the reply then begins with 112 now, not "if it is urgent" (crisis.json actedOn).
 */
export function actedOn(text: string): boolean {
  const m = new Message(text);
  for (let start = 0; start < m.words.length; start++) for (const seq of actedOnPhrases) if (m.matchAt(seq, start) >= 0) return true;
  return false;
}

/** Whether a message signals a crisis: suicidal thoughts or plans, self-harm, an overdose. */
export function detectCrisis(text: string): CrisisFinding {
  if (!text) return { crisis: false };
  const m = new Message(text);
  let idiom = false;
  let phrase = false;
  for (const ids of m.ids)
    for (const id of ids) {
      idiom ||= idioms.next.has(id);
      phrase ||= phrases.next.has(id);
    }
  if (idiom) m.maskIdioms();
  if (phrase)
    for (let i = 0; i < m.words.length; i++) {
      if (m.masked?.[i]) continue;
      const found = m.phraseFrom(phrases, i, i, false);
      if (found) return { crisis: true, matched: found.source, lang: found.lang };
    }
  // Warning signs that together are a crisis ("no point" + "living", pills + "saved up"): every
  // concept the message holds; then the pairs of them, the first in written order named whatever
  // the message.
  const held = heldConcepts(m);
  let first = -1;
  let excepted: number[] | undefined;
  for (const concept of held)
    for (const i of pairsStartingWith[concept]!) {
      if (first >= 0 && i > first) continue;
      const rule = together[i]!;
      if (!rule.all.every((c) => present[c])) continue;
      if (rule.unless.some((c) => stops(m, c, rule.all)) || (rule.unlessHumour && m.hasHumour())) (excepted ??= []).push(...rule.all);
      else first = i;
    }
  for (const concept of held) present[concept] = affirmed[concept] = 0;
  const signs: CrisisFinding | undefined = first >= 0 ? { crisis: true, matched: `signs: ${together[first]!.all.map((c) => conceptNames[c]).join(' + ')}`, lang: 'signs' } : undefined;
  if (signs) return signs;
  // An excepted pair's words were judged everyday talk, like a guarded phrase's: the likeness reads
  // the rest of the message (before, it read nothing, and a second crisis in the same message went
  // unheard).
  if (excepted) m.excuse(excepted);
  let sayingMasked = false;
  if (NON_LATIN_SCRIPT.test(text)) {
    let normalised = normaliseScript(text);
    // "|" is no letter: a phrase cannot match across a masked saying.
    for (const saying of everydaySubstrings)
      if (normalised.includes(saying)) {
        normalised = normalised.split(saying).join('|');
        sayingMasked = true;
      }
    for (const s of substrings) if (normalised.includes(s.text)) return { crisis: true, matched: s.source, lang: s.lang };
    // Then with a slip of the keys: a long phrase with one letter dropped or added inside a word.
    const parts = normalised.split('|');
    for (const s of substrings) if (s.nearly && parts.some((part) => nearlyIncludes(part, s.nearly!))) return { crisis: true, matched: `${s.source} (one letter off)`, lang: s.lang };
  }
  const wordsLeft = sayingMasked ? [] : m.masked || m.guarded ? [...m.words.filter((_, i) => !m.masked?.[i] && !m.guarded?.[i]), ...m.otherScript] : undefined;
  return { crisis: false, ...(m.contains(concern) ? { concern: true } : {}), ...(wordsLeft ? { wordsLeft } : {}) };
}
