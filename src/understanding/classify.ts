// Deterministic, explainable intent classification: whole-message commands first, then
// weighted phrases and slot evidence from intents/. Every decision leaves a reason.
import type { Agency, Role } from '../model/index.js';
import { loadLexicon, type Lexicon } from './lexicon.js';
import { findPhrase, fold, tokens } from './text.js';

export interface Slots {
  agency?: Agency | null;
  participant?: string;
}

export interface Understanding {
  intent: string;
  confidence: number;
  slots: Slots;
  /** Why: the rules and phrases that decided, for logs of decisions and for evaluation. */
  reasons: string[];
}

export interface ClassifyInput {
  text: string;
  role: Role;
  now?: Date;
}

/** Below this score nothing is understood well enough to act on. */
const MIN_SCORE = 1;

let shared: Lexicon | undefined;
const lexicon = () => (shared ??= loadLexicon());

export function findAgency(words: string[], lex: Lexicon = lexicon()): { agency: Agency; source: string } | null {
  let best: { agency: Agency; source: string; at: number; len: number } | null = null;
  for (const a of lex.agencies) {
    const at = findPhrase(words, a.words);
    // The longest alias wins; among equals, the first mentioned.
    if (at >= 0 && (!best || a.words.length > best.len || (a.words.length === best.len && at < best.at))) {
      best = { agency: a.agency, source: a.source, at, len: a.words.length };
    }
  }
  return best && { agency: best.agency, source: best.source };
}

/**
 * A participant's name as a staff member wrote it: capitalised words that are not known
 * vocabulary, joined ("Lina Berg"), the possessive removed ("Annas" → "Anna", "Anna's" → "Anna").
 */
export function findParticipantName(text: string, lex: Lexicon = lexicon()): string | undefined {
  const words = text.split(/[^\p{L}'’-]+/u).filter(Boolean);
  let run: string[] = [];
  let found: string[] | undefined;
  for (const word of words) {
    const bare = word.replace(/['’]s$/i, '').replace(/['’-]+$/, '');
    const f = fold(bare);
    const isName =
      /^\p{Lu}/u.test(bare) && !(bare === bare.toUpperCase() && bare.length <= 4) && !lex.vocabulary.has(f) && bare.length > 1;
    if (isName) run.push(bare);
    else if (run.length) {
      found ??= run;
      run = [];
    }
  }
  if (run.length) found ??= run;
  if (!found) return undefined;
  const last = found[found.length - 1]!;
  if (/s$/i.test(last) && last.length > 3 && !lex.namesEndingInS.has(fold(last))) found[found.length - 1] = last.slice(0, -1);
  return found.join(' ');
}

export function classify(input: ClassifyInput, lex: Lexicon = lexicon()): Understanding {
  const words = tokens(input.text);
  const whole = words.join(' ') || input.text.trim();
  const candidates = lex.intents.filter((i) => i.roles.includes(input.role));

  for (const intent of candidates) {
    if (intent.exact.has(whole)) return { intent: intent.name, confidence: 1, slots: {}, reasons: [`exact: "${whole}" → ${intent.name}`] };
  }

  const agency = findAgency(words, lex);
  const participant = input.role === 'staff' ? findParticipantName(input.text, lex) : undefined;
  const scored = candidates.map((intent) => {
    const reasons: string[] = [];
    let score = 0;
    for (const p of intent.phrases) {
      if (findPhrase(words, p.words) >= 0) {
        score += p.weight;
        reasons.push(`phrase "${p.source}" +${p.weight}`);
      }
    }
    if (agency && intent.slotBoost.agency) {
      score += intent.slotBoost.agency;
      reasons.push(`agency "${agency.source}" +${intent.slotBoost.agency}`);
    }
    return { intent, score, reasons };
  });
  scored.sort((a, b) => b.score - a.score);
  const [top, second] = scored;
  if (!top || top.score < MIN_SCORE) {
    return { intent: 'unknown', confidence: 0, slots: {}, reasons: [`best score ${top?.score ?? 0} below ${MIN_SCORE}`] };
  }
  // Confidence grows with the winning score and with its margin over the runner-up.
  const margin = top.score - (second?.score ?? 0);
  const confidence = Math.round(Math.min(1, (1 - Math.exp(-top.score / 2)) * (0.5 + Math.min(margin, 2) / 4)) * 100) / 100;
  const slots: Slots = {};
  if (top.intent.name === 'contact.lookup') {
    slots.agency = agency?.agency ?? null;
    if (participant) slots.participant = participant;
  }
  return { intent: top.intent.name, confidence, slots, reasons: top.reasons };
}
