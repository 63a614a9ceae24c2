// What a coach's booking message says beyond the intent's slots: which agencies are invited,
// which colleagues, an interpreter and language, a video link or place, a length.
import type { Agency } from '../model/index.js';
import { findAll, slotData } from '../understanding/lexicon.js';
import { lexicon } from '../understanding/classify.js';
import { fold, tokens } from '../understanding/text.js';

export interface BookingDetails {
  agencies: Agency[];
  /** The interpreter's language code when an interpreter was asked for; 'participant' means theirs. */
  interpreter: string | null;
  videoLink: string | null;
  place: string | null;
  durationMinutes: number | null;
  /** Folded words of the message, for matching colleagues' first names. */
  words: readonly string[];
}

const languageOf = new Map(Object.entries(slotData.interpreterLanguage).flatMap(([code, words]) => words.map((w) => [fold(w), code] as const)));
const interpreterWords = new Set(slotData.interpreterWords.map(fold));

const URL_RE = /\bhttps:\/\/[^\s<>"]+/i;
// The place runs to the next comma, and on over one that a town's name follows ("Hemliga gatan 7,
// Tumba"); what else a booking says after a comma ("tolk arabiska", "60 min") is lower case.
const PLACE_RE = /\b(?:[Pp]lats|[Ll]okal|[Aa]dress|[Pp]lace|[Ll]ocation|PLATS)\s*:?\s*([^,;\n]+?(?:,\s*\p{Lu}[\p{L}-]*(?:\s+\p{Lu}[\p{L}-]*)?)?)(?=\s*(?:[,;\n]|$|\.\s))/u;
const MINUTES_RE = /\b(\d{2,3})\s*(?:min|minuter|minutes)\b/i;
const HOURS_RE = /\b(\d(?:[.,]5)?)\s*(?:h|tim|timmar|timme|hours?)\b/i;

export function bookingDetails(text: string): BookingDetails {
  const words = tokens(text);
  const agencies = [
    ...new Set(
      findAll(lexicon(), words)
        .map((h) => h.phrase.meaning)
        .flatMap((m) => (m.kind === 'agency' && m.agency !== 'coach' ? [m.agency] : [])),
    ),
  ];
  let interpreter: string | null = null;
  const at = words.findIndex((w) => interpreterWords.has(w));
  if (at >= 0) interpreter = words.slice(Math.max(0, at - 2), at + 3).map((w) => languageOf.get(w)).find(Boolean) ?? 'participant';
  const link = URL_RE.exec(text)?.[0].replace(/[.,)]+$/, '') ?? null;
  const place = PLACE_RE.exec(text.replace(URL_RE, ''))?.[1]?.trim() ?? null;
  const minutes = MINUTES_RE.exec(text);
  const hours = HOURS_RE.exec(text);
  const durationMinutes = minutes ? Number(minutes[1]) : hours ? Math.round(Number(hours[1]!.replace(',', '.')) * 60) : null;
  return {
    agencies,
    interpreter,
    videoLink: link,
    place,
    durationMinutes: durationMinutes && durationMinutes >= 15 && durationMinutes <= 480 ? durationMinutes : null,
    words,
  };
}
