// The core: inbound message → identify → understand → handle → outbox → deliver.
// It knows no channel; channels hand it an InboundMessage, and the app gives it a way to send.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import type { Clock, InboundMessage } from '../model/index.js';
import { participantByPhone, staffByEmail, visibleParticipants } from '../directory/people.js';
import { participantHandlers, staffActions, staffHandlers, unknown } from './handlers.js';
import { passToCoach, understandInContext, type Interpreted } from './understand.js';
import { crisisIn, type Understanding } from '../understanding/classify.js';
import { enqueueClaimed, type OutboxRow } from '../outbox/outbox.js';
import { reply, SAY_ACTION, type Handler, type ParticipantTurn, type StaffTurn, type Turn } from './turn.js';
import { saveConversation } from './conversation.js';
import { metrics } from '../util/metrics.js';
import { detectCrisis } from '../understanding/crisis.js';
import { passConcern } from '../escalations/handlers.js';

const NUL = /\u0000/g;
/** What an opted-out participant may still get an SMS for, or asks about their SMS themselves. */
const REACH_THEM_ANYWAY = new Set(['optin', 'optout', 'crisis']);

export interface LotsDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  /** Sends what a turn wrote to the outbox, claimed as it was written (the app's one way out: channels, retries, failure alarms). */
  send: (claimed: OutboxRow[]) => Promise<OutboxRow[]>;
  /** Runs planned sends that are due now (the scheduler's tick); called when a turn planned one. */
  runDue?: () => Promise<unknown>;
}

/** A button pressed in a staff chat. */
export interface InboundAction {
  channel: 'staff';
  from: string;
  actionId: string;
  value: string;
  via?: string;
  /** The platform's id for this press (Teams' activity id, Slack's action_ts): a retried delivery acts once. */
  externalId?: string;
}

/** False when the provider delivered this id before (a retry): kept in the database, across processes. */
async function firstDelivery(tx: Db, via: string, externalId: string, now: Date): Promise<boolean> {
  const fresh = await tx.query(`insert into inbound_receipt (channel, external_id, received_at) values ($1, $2, $3) on conflict do nothing returning external_id`, [via, externalId, now]);
  return fresh.length > 0;
}

export interface Received {
  /** The provider delivered this message before; nothing was done again. */
  duplicate: boolean;
  /** What was sent back to the sender for this message. */
  replies: OutboxRow[];
  /** Everything this message caused to be sent, to anyone. */
  sent: OutboxRow[];
}

export function createLots(deps: LotsDeps) {
  const { db, clock, log } = deps;

  /**
   * A message in; `understood` when a form already said what is meant (Slack's booking modal),
   * so nothing is guessed.
   */
  async function receive(received: InboundMessage, understood?: Understanding): Promise<Received> {
    // PostgreSQL text cannot hold NUL; any channel may deliver one (found by fuzzing). Ids too.
    const msg = { ...received, text: received.text.replace(NUL, ''), ...(received.externalId ? { externalId: received.externalId.replace(NUL, '') } : {}) };
    const now = clock.now();
    const outcome = await db.transaction(async (tx) => {
      if (msg.externalId && !(await firstDelivery(tx, msg.via ?? msg.channel, msg.externalId, now))) return null;
      const base = { tx, now, msg, log, out: [] as Turn['out'] };
      let turn: Turn;
      let interpreted: Interpreted | undefined;
      let who: { participantId?: string; staffId?: string } = {};
      if (msg.channel === 'sms') {
        const participant = await participantByPhone(tx, msg.from);
        if (participant) {
          interpreted = await understandInContext(tx, msg, 'participant', now);
          turn = { ...base, lng: participant.language, understanding: interpreted.understanding, conversation: interpreted.conversation, participant } as ParticipantTurn;
          who = { participantId: participant.id };
        } else {
          // Reveal nothing: not whether the number is known, not what Lots is for. But crisis
          // language gets the public numbers that help (112, 90101, 1177) whoever writes it.
          const inCrisis = crisisIn(msg.text).crisis;
          turn = { ...base, lng: 'sv', understanding: { intent: inCrisis ? 'crisis' : 'unknown', confidence: inCrisis ? 1 : 0, slots: {}, reasons: ['unknown sender'] }, conversation: { at: now.toISOString() } };
          if (inCrisis) reply(turn, 'participant:crisisUnknownSender', {}, { purpose: 'crisis' });
          else reply(turn, 'participant:unknownSender');
        }
      } else {
        const staff = await staffByEmail(tx, msg.from);
        if (staff) {
          interpreted = understood ? { understanding: understood, conversation: { at: now.toISOString() } } : await understandInContext(tx, msg, 'staff', now);
          turn = { ...base, lng: 'sv', understanding: interpreted.understanding, conversation: interpreted.conversation, staff } as StaffTurn;
          who = { staffId: staff.id };
        } else {
          turn = { ...base, lng: 'sv', understanding: { intent: 'unknown', confidence: 0, slots: {}, reasons: ['unknown staff'] }, conversation: { at: now.toISOString() } };
          reply(turn, 'staff:unknownStaff');
        }
      }
      // The id is made here, as the outbox's are (outboxRows says why).
      const loggedId = randomUUID();
      await tx.query(`insert into message_log (id, at, channel, address, participant_id, staff_id, intent, text) values ($1, $2, $3, $4, $5, $6, $7, $8)`, [
        loggedId,
        now,
        msg.channel,
        msg.from,
        who.participantId ?? null,
        who.staffId ?? null,
        turn.understanding.intent,
        msg.text,
      ]);
      if (interpreted) {
        if (interpreted.ask) await interpreted.ask(turn);
        else {
          const handlers = (who.participantId ? participantHandlers : staffHandlers) as Record<string, Handler<Turn>>;
          await (handlers[turn.understanding.intent] ?? unknown)(turn);
        }
        // A coach writing that a participant spoke of ending their life, or is in danger, gets the
        // routine beside the answer (staff lines are never a crisis of their own).
        if (who.staffId && !understood && detectCrisis(msg.text).crisis) reply(turn, 'staff:crisisRoutine');
        if (who.participantId && turn.understanding.concern) await passConcern(turn as ParticipantTurn);
        // STOP stops Lots' SMS, not the person's need: what they write afterwards gets no reply, so
        // unless staff already hear of it (a call request, a notice), their coach reads it.
        else if (who.participantId && (turn as ParticipantTurn).participant.optedOut && !REACH_THEM_ANYWAY.has(turn.understanding.intent) && !turn.out.some((m) => m.channel === 'staff')) {
          await passToCoach(turn, 'staff:notify.optedOut');
        }
        // A JA, a STOP or a digit read from a message in another language: the coach reads the rest.
        else if (who.participantId && turn.understanding.foreign && !turn.out.some((m) => m.channel === 'staff')) await passToCoach(turn, 'staff:notify.foreignRead');
        await saveConversation(tx, msg.channel, msg.from, turn.conversation, now, interpreted.before);
      }
      const claimed = await enqueueClaimed(tx, turn.out, now, loggedId);
      log.info(
        { channel: msg.channel, known: Boolean(who.participantId ?? who.staffId), intent: turn.understanding.intent, confidence: turn.understanding.confidence, outbound: claimed.length },
        'inbound handled',
      );
      return { claimed, runDue: turn.runDue };
    });
    metrics.count('lots_inbound_total', { channel: msg.channel, duplicate: String(outcome === null) });
    if (!outcome) return { duplicate: true, replies: [], sent: [] };
    const sent = await deps.send(outcome.claimed);
    if (outcome.runDue) await deps.runDue?.();
    return { duplicate: false, sent, replies: sent.filter((m) => m.status === 'sent' && m.recipient === msg.from && m.channel === msg.channel) };
  }

  /** A staff turn that is no typed message (a button, a view): its intent is known, nothing is classified. */
  function staffTurn(tx: Db, staff: StaffTurn['staff'], now: Date, intent: string, reason: string, via?: string): StaffTurn {
    return {
      tx,
      now,
      msg: { channel: 'staff', from: staff.email, text: '', via },
      out: [],
      log,
      lng: 'sv',
      understanding: { intent, confidence: 1, slots: {}, reasons: [reason] },
      conversation: { at: now.toISOString() },
      staff,
    };
  }

  async function act(action: InboundAction): Promise<{ ok: true; replies: OutboxRow[] } | { ok: false; error: string }> {
    if (action.actionId === SAY_ACTION) {
      const said = await receive({ channel: 'staff', from: action.from, text: action.value, via: action.via });
      return { ok: true, replies: said.replies };
    }
    const handler = staffActions[action.actionId];
    if (!handler) return { ok: false, error: `unknown action ${action.actionId}` };
    const now = clock.now();
    const outcome = await db.transaction(async (tx) => {
      // A retried press is answered as done: the first delivery did it.
      if (action.externalId && !(await firstDelivery(tx, `${action.via ?? action.channel}:action`, action.externalId.replace(NUL, ''), now))) return { claimed: [] };
      const staff = await staffByEmail(tx, action.from);
      if (!staff) return { error: 'unknown staff member' };
      const turn = staffTurn(tx, staff, now, `action:${action.actionId}`, 'button', action.via);
      await handler(turn, action.value);
      return { claimed: await enqueueClaimed(tx, turn.out, now) };
    });
    if ('error' in outcome) return { ok: false, error: outcome.error ?? 'refused' };
    const sent = await deps.send(outcome.claimed);
    return { ok: true, replies: sent.filter((m) => m.status === 'sent' && m.recipient === action.from.toLowerCase()) };
  }

  /** The names of the participants a staff member may see, for pickers (Slack's booking modal). */
  async function caseload(email: string): Promise<string[]> {
    const staff = await staffByEmail(db, email);
    return staff ? (await visibleParticipants(db, staff)).map((p) => p.name) : [];
  }

  /**
   * What a read-only request would answer, without sending it (Slack's App Home shows the
   * caseload and open escalations this way, by the same rules as the chat answers).
   */
  async function look(email: string, intent: 'caseload.list' | 'escalation.list'): Promise<string | null> {
    return db.transaction(async (tx) => {
      const staff = await staffByEmail(tx, email);
      if (!staff) return null;
      const turn = staffTurn(tx, staff, clock.now(), intent, 'view');
      await staffHandlers[intent]!(turn);
      return turn.out.map((m) => m.text).join('\n\n');
    });
  }

  return { receive, act, caseload, look, db, clock };
}

export type Lots = ReturnType<typeof createLots>;
