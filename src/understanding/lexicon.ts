// The intent and slot data of intents/, compiled once into folded token phrases.
import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../util/paths.js';
import { AGENCIES, type Agency, type Role } from '../model/index.js';
import { fold, tokens } from './text.js';

const INTENTS_DIR = path.join(projectRoot, 'intents');
const read = (file: string) => JSON.parse(fs.readFileSync(path.join(INTENTS_DIR, file), 'utf8'));

export interface Phrase {
  words: string[];
  weight: number;
  source: string;
}

export interface IntentEntry {
  name: string;
  roles: Role[];
  exact: Set<string>;
  phrases: Phrase[];
  slotBoost: Record<string, number>;
}

export interface Lexicon {
  intents: IntentEntry[];
  agencies: { agency: Agency; words: string[]; source: string }[];
  /** Folded words that are never a name. */
  vocabulary: Set<string>;
  namesEndingInS: Set<string>;
}

interface IntentData {
  roles: Role[];
  exact?: string[];
  phrases?: Record<string, Record<string, number>>;
  slotBoost?: Record<string, number>;
}

export function loadLexicon(): Lexicon {
  const intentData = read('intents.json') as Record<string, IntentData | string>;
  const agencyData = read('agencies.json') as Record<string, string[] | string>;
  const stopwords = read('stopwords.json') as Record<string, string[] | string>;
  const intents: IntentEntry[] = Object.entries(intentData)
    .filter((e): e is [string, IntentData] => !e[0].startsWith('_'))
    .map(([name, d]) => ({
      name,
      roles: d.roles,
      exact: new Set((d.exact ?? []).map((e) => tokens(e).join(' ') || e)),
      phrases: Object.values(d.phrases ?? {}).flatMap((byPhrase) =>
        Object.entries(byPhrase).map(([source, weight]) => ({ words: tokens(source), weight, source })),
      ),
      slotBoost: d.slotBoost ?? {},
    }));
  const agencies = AGENCIES.flatMap((agency) =>
    ((agencyData[agency] ?? []) as string[]).map((source) => ({ agency, words: tokens(source), source })),
  );
  const vocabulary = new Set<string>();
  for (const list of Object.entries(stopwords)) if (!list[0].startsWith('_')) for (const w of list[1] as string[]) vocabulary.add(fold(w));
  for (const i of intents) for (const p of i.phrases) for (const w of p.words) vocabulary.add(w);
  for (const a of agencies) for (const w of a.words) vocabulary.add(w);
  return { intents, agencies, vocabulary, namesEndingInS: new Set((read('names-ending-in-s.json') as string[]).map(fold)) };
}
