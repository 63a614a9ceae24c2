// What Lots last asked someone, kept in the database so a restart keeps it: the answer to a
// check-in or a booking request, a choice between two readings, or one missing slot.
import type { Db } from '../store/db.js';
import type { Channel } from '../model/index.js';
import type { Expecting, Slots, Understanding } from '../understanding/classify.js';
import { findParticipantName } from '../understanding/classify.js';
import { findTime } from '../understanding/dates.js';
import { findAll, type Hit } from '../understanding/lexicon.js';
import { lexicon } from '../understanding/classify.js';
import { tokens } from '../understanding/text.js';

export interface ConversationState {
  /** A question whose answer reads differently: a check-in score, JA/NEJ to a booking. */
  expecting?: Expecting;
  /** What the expected answer belongs to (a check-in or meeting id). */
  ref?: string;
  /** A clarifying question: the readings offered, in order (answer 1, 2, …). */
  choices?: { intent: string; slots: Slots; request?: string }[];
  /** A question for one missing slot of an intent. */
  pending?: { intent: string; slots: Slots; missing: keyof Slots; request?: string };
  /** A meeting answer Lots asked to have said again ("Menar du mötet …? Svara NEJ igen"): a yes is that answer. */
  asked?: 'confirm' | 'cancel' | 'reschedule';
  /** The new time a request to move named, kept for the coach's note when the FLYTTA comes (ISO). */
  wished?: string;
  /**
   * What Lots just offered a participant ("Vill du att din coach ringer dig? Svara RING.", "Svara BOKA
   * om du vill ha en tid"): a plain yes takes it up, a no declines it. Open for the next message only.
   */
  offered?: 'escalation.request' | 'meeting.request';
  /** Messages in a row not understood. */
  misses?: number;
  /** ISO time the state was written; old questions lapse. */
  at: string;
}

/** How long a question stays open: a check-in answer a week, an offer two hours, anything else a day. */
const LAPSE_MS = { expecting: 7 * 24 * 3600_000, other: 24 * 3600_000, offer: 2 * 3600_000 };

export async function loadConversation(tx: Db, channel: Channel, address: string, now: Date): Promise<ConversationState> {
  const [row] = await tx.query<{ state: ConversationState }>(`select state from conversation where channel = $1 and address = $2`, [channel, address]);
  const state = row?.state;
  if (!state) return { at: now.toISOString() };
  const age = now.getTime() - new Date(state.at).getTime();
  const kept: ConversationState = { at: state.at, misses: state.misses };
  if (state.expecting && age <= LAPSE_MS.expecting) Object.assign(kept, { expecting: state.expecting, ref: state.ref, asked: state.asked, wished: state.wished });
  if (age <= LAPSE_MS.other) Object.assign(kept, { choices: state.choices, pending: state.pending });
  // A yes the next day is no longer to the offer.
  if (age <= LAPSE_MS.offer) kept.offered = state.offered;
  return kept;
}

/** True when a state waits for nothing: no question open, no misses counted. */
const waitsForNothing = (s: ConversationState) => !s.expecting && !s.choices && !s.pending && !s.offered && !s.misses;

/** Stores what Lots waits for now; `before` is the state as loaded (nothing waited for, nothing changed: no write). */
export async function saveConversation(tx: Db, channel: Channel, address: string, state: ConversationState, now: Date, before?: ConversationState): Promise<void> {
  if (before && waitsForNothing(before) && waitsForNothing(state)) return;
  await tx.query(
    `insert into conversation (channel, address, state, updated_at) values ($1, $2, $3, $4)
     on conflict (channel, address) do update set state = excluded.state, updated_at = excluded.updated_at`,
    [channel, address, JSON.stringify({ ...state, at: now.toISOString() }), now],
  );
}

/**
 * Lots asked someone something outside a conversation with them (a booking request, a reminder):
 * their next short answer ("JA") is read as the answer to it.
 */
export async function expectAnswer(tx: Db, channel: Channel, address: string, expecting: Expecting, ref: string, now: Date): Promise<void> {
  // One statement (reminders go out by the thousand): an open question or choice gives way to this
  // one, and so does a time wished for another meeting's move.
  const patch = JSON.stringify({ expecting, ref, at: now.toISOString() });
  await tx.query(
    `insert into conversation (channel, address, state, updated_at) values ($1, $2, $3::jsonb, $4)
     on conflict (channel, address) do update set state = (conversation.state - 'choices' - 'pending' - 'asked' - 'wished' - 'offered') || excluded.state, updated_at = excluded.updated_at`,
    [channel, address, patch, now],
  );
}

/** Reads "1", "2", "första" … as the index of the choice taken, if there is one. */
export function readChoice(text: string, count: number): number | undefined {
  const words = tokens(text);
  const ordinals: Record<string, number> = { '1': 0, '2': 1, '3': 2, ett: 0, en: 0, etta: 0, forsta: 0, one: 0, tva: 1, tvaan: 1, andra: 1, two: 1, tre: 2, tredje: 2, three: 2 };
  const index = words.length === 1 ? ordinals[words[0]!] : undefined;
  return index !== undefined && index < count ? index : undefined;
}

/** Tries to read the one slot that was asked for from the answer; merges with what was known. */
export function fillSlot(pending: NonNullable<ConversationState['pending']>, text: string, role: 'participant' | 'staff', now: Date): Slots | undefined {
  const slots: Slots = { ...pending.slots };
  const hits: Hit[] = findAll(lexicon(), tokens(text));
  const meaning = (kind: string) => hits.find((h) => h.phrase.meaning.kind === kind)?.phrase.meaning as Record<string, unknown> | undefined;
  switch (pending.missing) {
    case 'start': {
      const time = findTime(text, now);
      if (!time) return undefined;
      // "kl 14" after "tisdag": take the date already given and the new time, and the reverse.
      const known = slots.start;
      if (time.hasDate && time.hasTime) slots.start = time.start;
      else if (time.hasTime && known) slots.start = `${known.slice(0, 10)}${time.start.slice(10)}`;
      else if (time.hasDate && known) slots.start = `${time.start.slice(0, 10)}${known.slice(10)}`;
      else return undefined;
      return slots;
    }
    case 'agency': {
      const m = meaning('agency');
      return m ? { ...slots, agency: m.agency as Slots['agency'] } : undefined;
    }
    case 'meetingType': {
      const m = meaning('meetingType');
      return m ? { ...slots, meetingType: m.meetingType as string } : undefined;
    }
    case 'participant': {
      // Only words that can be a name: "visa mina deltagare" is a new request, not an answer.
      const name = role === 'staff' ? findParticipantName(text) : undefined;
      return name ? { ...slots, participant: name } : undefined;
    }
    default:
      return undefined;
  }
}

/** Intents that change something for the person (a meeting, their SMS consent): never on a weak guess. */
const CHANGES_SOMETHING = new Set(['meeting.confirm', 'meeting.cancel', 'meeting.reschedule', 'optout', 'optin']);

/** Whether an understanding is too weak to act on: ask rather than guess. */
export function tooUnsure(u: Understanding): boolean {
  if (u.intent === 'unknown' || u.confidence < 0.45) return true;
  if (CHANGES_SOMETHING.has(u.intent) && u.confidence < 0.75) return true;
  const [top, second] = u.alternatives ?? [];
  return Boolean(top && second && second.score >= top.score * 0.85 && u.confidence < 0.7);
}
