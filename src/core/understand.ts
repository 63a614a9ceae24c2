// Understanding in context: crisis first, then the answer to what Lots last asked (a choice,
// a missing slot), else a fresh classification. Decides when to ask instead of act: a
// clarifying question with choices, a missing slot asked for once, and after two misses in a
// row the offer of a person.
import type { Db } from '../store/db.js';
import type { InboundMessage, Role } from '../model/index.js';
import { classify, type Understanding } from '../understanding/classify.js';
import { t } from '../i18n/index.js';
import { fillSlot, loadConversation, readChoice, tooUnsure, type ConversationState } from './conversation.js';
import { caretakers } from '../directory/people.js';
import { notify, reply, type ParticipantTurn, type Turn } from './turn.js';

export interface Interpreted {
  understanding: Understanding;
  /** What Lots will wait for after this message (handlers may change it). */
  conversation: ConversationState;
  /** Set when Lots should ask rather than act. */
  ask?: (turn: Turn) => Promise<void>;
}

/** Intents that cannot go on without a complete date and time. */
const NEEDS_START = new Set(['meeting.book', 'meeting.reschedule']);

export async function understandInContext(tx: Db, msg: InboundMessage, role: Role, now: Date): Promise<Interpreted> {
  const state = await loadConversation(tx, msg.channel, msg.from, now);
  const conversation: ConversationState = { at: now.toISOString(), expecting: state.expecting, ref: state.ref, misses: state.misses ?? 0 };
  const fresh = classify({ text: msg.text, role, now, expecting: state.expecting });
  // Crisis language outranks any open question.
  if (fresh.intent === 'crisis') return { understanding: fresh, conversation: { ...conversation, misses: 0 } };

  let understanding = fresh;
  let answered = false;
  if (state.choices) {
    const chosen = readChoice(msg.text, state.choices.length);
    const choice = chosen === undefined ? undefined : state.choices[chosen];
    if (choice) {
      understanding = { intent: choice.intent, confidence: 1, slots: choice.slots, request: choice.request, reasons: [`chose "${choice.intent}" from a clarifying question`] };
      answered = true;
    }
  } else if (state.pending) {
    const slots = fillSlot(state.pending, msg.text, role, now);
    // Asked once: if the answer does not give it, the conversation goes on with the new message.
    if (slots) {
      understanding = { intent: state.pending.intent, confidence: 1, slots, request: state.pending.request, reasons: [`answered the question for ${state.pending.missing}`] };
      answered = true;
    }
  }

  if (!answered && NEEDS_START.has(understanding.intent) && !understanding.slots.start && role === 'staff') {
    const slots = { ...understanding.slots, ...(understanding.partialStart?.hasDate ? { start: understanding.partialStart.start } : {}) };
    conversation.pending = { intent: understanding.intent, slots, missing: 'start', request: msg.text };
    return { understanding, conversation, ask: async (turn) => reply(turn, 'staff:ask.start') };
  }

  if (answered || !tooUnsure(understanding)) return { understanding, conversation: { ...conversation, misses: 0 } };

  // Not understood well enough to act on.
  if (role === 'participant' && understanding.foreign) {
    return { understanding, conversation, ask: forwardToCoach };
  }
  const misses = (state.misses ?? 0) + 1;
  if (misses >= 2) {
    return {
      understanding,
      conversation: { ...conversation, misses: 0 },
      ask: async (turn) => reply(turn, role === 'participant' ? 'participant:offerCoach' : 'staff:help'),
    };
  }
  const options = (understanding.alternatives ?? []).filter((a) => a.score > 0 && a.intent !== 'unknown').slice(0, 2);
  if (options.length === 2) {
    const slots = understanding.slots;
    return {
      understanding,
      conversation: { ...conversation, misses, choices: options.map((o) => ({ intent: o.intent, slots })) },
      ask: async (turn) => {
        const ns = role === 'participant' ? 'participant' : 'staff';
        const names = options.map((o, i) => `${i + 1}) ${t(turn.lng, `${ns}:intent.${o.intent}`)}`);
        reply(turn, `${ns}:clarify`, { options: `${names[0]} ${t(turn.lng, 'common:or')} ${names[1]}`, numbers: `1 ${t(turn.lng, 'common:or')} 2` });
      },
    };
  }
  return { understanding, conversation: { ...conversation, misses }, ask: async (turn) => reply(turn, `${role}:unknown`) };
}

/** A message in a language Lots does not read goes to the coach to read, not to a wrong guess. */
async function forwardToCoach(turn: Turn): Promise<void> {
  const { participant } = turn as ParticipantTurn;
  const { coach } = await caretakers(turn.tx, participant);
  notify(turn, coach, 'staff:notify.foreign', { name: participant.name, text: turn.msg.text });
  reply(turn, 'participant:foreignForwarded');
}
