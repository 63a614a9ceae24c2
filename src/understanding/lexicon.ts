// The intent and slot data of intents/, compiled once: every known word gets an id, and every
// phrase (of an intent, an agency, a meeting type, a score…) becomes a sequence of ids indexed
// by its first word. A written word is matched to ids once and cached, typos included, so
// classifying is a few array look-ups per word.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../util/paths.js';
import { AGENCIES, type Agency, type Role } from '../model/index.js';
import { editDistance, fold, INTENT_TOLERANCE, tokenMatches, tokens } from './text.js';
import { remembered } from '../util/remembered.js';

const INTENTS_DIR = path.join(projectRoot, 'intents');
/** A data file of intents/ (intents, agencies, slot vocabularies…), as written. */
export const readIntentsFile = (file: string) => JSON.parse(fs.readFileSync(path.join(INTENTS_DIR, file), 'utf8'));

/** What a phrase stands for when it is found. */
export type Meaning =
  | { kind: 'intent'; intent: number; weight: number }
  | { kind: 'agency'; agency: Agency }
  | { kind: 'meetingType'; meetingType: string }
  | { kind: 'score'; score: number }
  | { kind: 'attended'; attended: boolean };

export interface Phrase {
  ids: number[];
  source: string;
  meaning: Meaning;
}

export interface IntentEntry {
  name: string;
  roles: Role[];
  exact: Set<string>;
  /** Points for each slot found in the message, as [slot, points]. */
  slotBoosts: [string, number][];
}

export interface Lexicon {
  intents: IntentEntry[];
  /** Phrases by the id of their first word. */
  byFirst: Map<number, Phrase[]>;
  /** Folded words that are never a name. */
  vocabulary: Set<string>;
  namesEndingInS: Set<string>;
  /** First names that are also words ("Dag", "Hans"): a name when written with a capital in a staff message. */
  namesThatAreWords: Set<string>;
  /** The ids a written word matches (exactly, inflected or with a typo); cached. */
  idsOf(word: string): readonly number[];
}

interface IntentData {
  roles: Role[];
  exact?: string[];
  phrases?: Record<string, Record<string, number>>;
  slotBoost?: Record<string, number>;
}

/** intents/slots.json, read once: the vocabularies of the slots and of the words handlers look for. */
export const slotData = readIntentsFile('slots.json') as {
  meetingType: Record<string, string[]>;
  score: Record<string, string[]>;
  attendedFalse: string[];
  attendedTrue: string[];
  interpreterLanguage: Record<string, string[]>;
  interpreterWords: string[];
  ownPhoneWords: string[];
  contactStems: string[];
};

const withoutComments = <T>(o: Record<string, T | string>) => Object.entries(o).filter((e): e is [string, T] => !e[0].startsWith('_'));
const CACHE_LIMIT = 50_000;

export function loadLexicon(): Lexicon {
  const intentData = withoutComments(readIntentsFile('intents.json') as Record<string, IntentData>);
  const agencyData = readIntentsFile('agencies.json') as Record<string, string[]>;
  const stopwords = withoutComments(readIntentsFile('stopwords.json') as Record<string, string[]>);

  const ids = new Map<string, number>();
  const words: string[] = [];
  const idOf = (w: string) => {
    let id = ids.get(w);
    if (id === undefined) {
      id = words.length;
      words.push(w);
      ids.set(w, id);
    }
    return id;
  };
  const byFirst = new Map<number, Phrase[]>();
  const add = (source: string, meaning: Meaning) => {
    const phraseIds = tokens(source).map(idOf);
    if (!phraseIds.length) return;
    const list = byFirst.get(phraseIds[0]!) ?? [];
    list.push({ ids: phraseIds, source, meaning });
    byFirst.set(phraseIds[0]!, list);
  };

  const intents: IntentEntry[] = intentData.map(([name, d], index) => {
    for (const byPhrase of Object.values(d.phrases ?? {})) for (const [source, weight] of Object.entries(byPhrase)) add(source, { kind: 'intent', intent: index, weight });
    return { name, roles: d.roles, exact: new Set((d.exact ?? []).map((e) => tokens(e).join(' ') || e)), slotBoosts: Object.entries(d.slotBoost ?? {}) };
  });
  for (const agency of AGENCIES) for (const source of agencyData[agency] ?? []) add(source, { kind: 'agency', agency });
  for (const [meetingType, list] of Object.entries(slotData.meetingType)) for (const source of list) add(source, { kind: 'meetingType', meetingType });
  for (const [score, list] of Object.entries(slotData.score)) for (const source of list) add(source, { kind: 'score', score: Number(score) });
  for (const source of slotData.attendedFalse) add(source, { kind: 'attended', attended: false });
  for (const source of slotData.attendedTrue) add(source, { kind: 'attended', attended: true });

  const vocabulary = new Set<string>();
  for (const [, list] of stopwords) for (const w of list) vocabulary.add(fold(w));
  for (const w of words) vocabulary.add(w);

  // The known words a written one can match otherwise than exactly, by length: five letters or
  // more, up to three fewer (an inflection) or two more (typos) than the written word.
  const byLength: number[][] = [];
  words.forEach((w, id) => {
    if (w.length >= 5) (byLength[w.length] ??= []).push(id);
  });
  const notTypos = new Set((readIntentsFile('names-not-typos.json') as { names: string[] }).names.map(fold));
  const idsOf = remembered((word: string): readonly number[] => {
    // Only the closest matches count: "handlägare" is "handläggare" (one letter off), not
    // also "handledare" (two off). An inflected form ("handläggaren") counts as exact.
    let found: number[] = [];
    const exact = ids.get(word);
    if (exact !== undefined) found.push(exact);
    else if (word.length >= 4 && !notTypos.has(word)) {
      let best = Infinity;
      for (let length = word.length - 3; length <= word.length + 2; length++) {
        for (const id of byLength[length] ?? []) {
          const known = words[id]!;
          if (!tokenMatches(word, known, INTENT_TOLERANCE)) continue;
          const distance = word.startsWith(known) ? 0 : editDistance(word, known, 2);
          if (distance < best) {
            best = distance;
            found = [id];
          } else if (distance === best) found.push(id);
        }
      }
      found.sort((a, b) => a - b); // in the lexicon's order, as the first of several is the one shown
    }
    return found;
  }, CACHE_LIMIT);

  return { intents, byFirst, vocabulary, namesEndingInS: new Set((readIntentsFile('names-ending-in-s.json') as string[]).map(fold)), namesThatAreWords: new Set((readIntentsFile('names-that-are-words.json') as { names: string[] }).names.map(fold)), idsOf };
}

export interface Hit {
  phrase: Phrase;
  /** Index of the first and one past the last word it covers. */
  from: number;
  to: number;
}

/** A word the lexicon knows, written apart, is joined back from this many letters: "upp följning", not "på minn". */
const JOINED_MIN = 7;
/** What a word written apart can be: the slots said by one known word ("försäkringskassan", "uppföljning"). */
const JOINABLE: ReadonlySet<Phrase['meaning']['kind']> = new Set(['agency', 'meetingType']);

/**
 * The agencies and meeting types written apart, where a part is no word by itself: Swedish
 * särskrivning and voice-to-text ("for säkrings kassan", "kart läggning", "upp följning"), as hits
 * over the words as written. The words themselves stay as written for everything else ("check in",
 * "psyk kontakten" are read as the phrases that know them apart). Three words are tried before two.
 */
function joinedSlotHits(lex: Lexicon, words: readonly string[]): Hit[] {
  const known = (w: string) => lex.vocabulary.has(w);
  let joined: string[] | undefined;
  const starts: number[] = [];
  for (let i = 0; i < words.length; i++) {
    const two = i + 1 < words.length ? words[i]! + words[i + 1]! : '';
    const three = i + 2 < words.length ? two + words[i + 2]! : '';
    const apart = !known(words[i]!) || !known(words[i + 1] ?? '');
    const n =
      three.length >= JOINED_MIN && known(three) && (apart || !known(words[i + 2]!)) ? 3 : two.length >= JOINED_MIN && known(two) && apart ? 2 : 1;
    if (n > 1) joined ??= words.slice(0, i);
    starts.push(i);
    joined?.push(n === 3 ? three : n === 2 ? two : words[i]!);
    i += n - 1;
  }
  if (!joined) return [];
  starts.push(words.length);
  const wasApart = (h: Hit) => starts[h.to]! - starts[h.from]! > h.to - h.from;
  return findHits(lex, joined)
    .filter((h) => JOINABLE.has(h.phrase.meaning.kind) && wasApart(h))
    .map((h) => ({ ...h, from: starts[h.from]!, to: starts[h.to]! }));
}

/** Every phrase found in the words, wherever it starts; agencies and meeting types also where written apart. */
export function findAll(lex: Lexicon, words: readonly string[]): Hit[] {
  const hits = findHits(lex, words);
  // Not over a word of the same kind as written: "soc behandlar en som skit" names soc, not "behandlaren".
  const overlapsFound = (j: Hit) => hits.some((h) => h.phrase.meaning.kind === j.phrase.meaning.kind && h.from < j.to && j.from < h.to);
  for (const h of joinedSlotHits(lex, words)) if (!overlapsFound(h)) hits.push(h);
  return hits;
}

function findHits(lex: Lexicon, words: readonly string[]): Hit[] {
  const wordIds = words.map((w) => lex.idsOf(w));
  const hits: Hit[] = [];
  for (let i = 0; i < words.length; i++) {
    for (const id of wordIds[i]!) {
      for (const phrase of lex.byFirst.get(id) ?? []) {
        const n = phrase.ids.length;
        if (i + n > words.length) continue;
        let k = 1;
        while (k < n && wordIds[i + k]!.includes(phrase.ids[k]!)) k++;
        if (k === n) hits.push({ phrase, from: i, to: i + n });
      }
    }
  }
  return hits;
}
