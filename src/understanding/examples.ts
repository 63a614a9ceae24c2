// The second signal beside phrases: labelled example messages (the "train" lines of
// intents/eval/*.jsonl; "test" lines are held out and never read here). A message is compared
// with every example by TF-IDF cosine over canonical words — a written word is mapped to the
// lexicon word it matches, typos included, else to its first five letters — and each intent
// gets the similarity of its nearest example.
import fs from 'node:fs';
import path from 'node:path';
import type { Role } from '../model/index.js';
import { projectRoot } from '../util/paths.js';
import type { Lexicon } from './lexicon.js';
import { tokens } from './text.js';

export interface ExampleIndex {
  /** For each intent, the similarity (0–1) of the nearest example of that role. */
  nearest(words: string[], role: Role, exclude?: string): Map<string, { similarity: number; example: string }>;
}

interface Example {
  intent: string;
  role: Role;
  text: string;
  weights: Map<string, number>;
  norm: number;
}

const EVAL_DIR = path.join(projectRoot, 'intents', 'eval');

export function canonical(lex: Lexicon, word: string): string {
  const ids = lex.idsOf(word);
  if (ids.length) return `#${ids[0]}`;
  return word.length > 5 ? word.slice(0, 5) : word;
}

export function loadExamples(lex: Lexicon): ExampleIndex {
  const raw: { intent: string; role: Role; text: string }[] = [];
  if (fs.existsSync(EVAL_DIR)) {
    for (const file of fs.readdirSync(EVAL_DIR).filter((f) => f.endsWith('.jsonl'))) {
      for (const line of fs.readFileSync(path.join(EVAL_DIR, file), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const ex = JSON.parse(line) as { intent: string; role: Role; text: string; split: string };
        if (ex.split === 'train' && ex.intent !== 'crisis') raw.push(ex);
      }
    }
  }
  // A lone "?" says nothing about what is asked.
  const terms = (text: string) => tokens(text).filter((w) => w !== '?').map((w) => canonical(lex, w));
  const docs = raw.map((ex) => ({ ...ex, terms: terms(ex.text) }));
  const df = new Map<string, number>();
  for (const d of docs) for (const term of new Set(d.terms)) df.set(term, (df.get(term) ?? 0) + 1);
  const idf = (term: string) => Math.log((docs.length + 1) / ((df.get(term) ?? 0) + 1)) + 1;
  const vector = (terms: string[]) => {
    const w = new Map<string, number>();
    for (const term of terms) w.set(term, (w.get(term) ?? 0) + 1);
    for (const [term, tf] of w) w.set(term, tf * idf(term));
    return w;
  };
  const examples: Example[] = docs.map((d) => {
    const weights = vector(d.terms);
    return { intent: d.intent, role: d.role, text: d.text, weights, norm: Math.hypot(...weights.values()) };
  });
  // Inverted index: term → examples containing it.
  const postings = new Map<string, number[]>();
  examples.forEach((ex, i) => {
    for (const term of ex.weights.keys()) {
      const list = postings.get(term) ?? [];
      list.push(i);
      postings.set(term, list);
    }
  });

  return {
    nearest(words, role, exclude) {
      const query = vector(words.filter((w) => w !== '?').map((w) => canonical(lex, w)));
      const qnorm = Math.hypot(...query.values());
      const dots = new Map<number, number>();
      for (const [term, qw] of query) for (const i of postings.get(term) ?? []) dots.set(i, (dots.get(i) ?? 0) + qw * examples[i]!.weights.get(term)!);
      const best = new Map<string, { similarity: number; example: string }>();
      for (const [i, dot] of dots) {
        const ex = examples[i]!;
        if (ex.role !== role || ex.text === exclude) continue;
        const similarity = dot / (qnorm * ex.norm || 1);
        if (similarity > (best.get(ex.intent)?.similarity ?? 0)) best.set(ex.intent, { similarity, example: ex.text });
      }
      return best;
    },
  };
}
