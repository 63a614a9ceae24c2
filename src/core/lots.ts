// The core: inbound message → identify → understand → handle → outbox → deliver.
// It knows no channel; channels hand it an InboundMessage and a way to deliver.
import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import type { Clock, InboundMessage } from '../model/index.js';
import { classify } from '../understanding/classify.js';
import { participantByPhone, staffByEmail } from '../directory/people.js';
import { participantContactLookup, staffContactLookup } from '../directory/handlers.js';
import { optin, optout } from '../consent/handlers.js';
import { dispatch, enqueue, type Deliver, type OutboxRow } from '../outbox/outbox.js';
import { reply, type Handler, type ParticipantTurn, type StaffTurn, type Turn } from './turn.js';
import { metrics } from '../util/metrics.js';

export interface LotsDeps {
  db: Db;
  clock: Clock;
  log: Logger;
  deliver: Deliver;
}

/** A button pressed in a staff chat. */
export interface InboundAction {
  channel: 'staff';
  from: string;
  actionId: string;
  value: string;
  via?: string;
  externalId?: string;
}

/** Handles a pressed button. The registry grows with the parts that put buttons on messages. */
export const staffActions: Record<string, (turn: StaffTurn, value: string) => Promise<void>> = {};

export interface Received {
  /** The provider delivered this message before; nothing was done again. */
  duplicate: boolean;
  /** What was sent back to the sender for this message. */
  replies: OutboxRow[];
  /** Everything this message caused to be sent, to anyone. */
  sent: OutboxRow[];
}

const help: Handler<Turn> = async (turn) => reply(turn, `${'participant' in turn ? 'participant' : 'staff'}:help`);
const unknown: Handler<Turn> = async (turn) => reply(turn, `${'participant' in turn ? 'participant' : 'staff'}:unknown`);

const participantHandlers: Record<string, Handler<ParticipantTurn>> = {
  'contact.lookup': participantContactLookup,
  optout,
  optin,
  help,
};

const staffHandlers: Record<string, Handler<StaffTurn>> = {
  'contact.lookup': staffContactLookup,
  help,
};

export function createLots(deps: LotsDeps) {
  const { db, clock, log } = deps;

  async function receive(msg: InboundMessage): Promise<Received> {
    const now = clock.now();
    const outcome = await db.transaction(async (tx) => {
      if (msg.externalId) {
        const fresh = await tx.query(
          `insert into inbound_receipt (channel, external_id, received_at) values ($1, $2, $3) on conflict do nothing returning external_id`,
          [msg.via ?? msg.channel, msg.externalId, now],
        );
        if (!fresh.length) return null;
      }
      const base = { tx, now, msg, out: [] as Turn['out'] };
      let turn: Turn;
      let handler: Handler<never>;
      let who: { participantId?: string; staffId?: string } = {};
      if (msg.channel === 'sms') {
        const participant = await participantByPhone(tx, msg.from);
        if (!participant) {
          // Reveal nothing: not whether the number is known, not what Lots is for.
          turn = { ...base, lng: 'sv', understanding: { intent: 'unknown', confidence: 0, slots: {}, reasons: ['unknown sender'] } };
          reply(turn, 'participant:unknownSender');
          handler = async () => {};
        } else {
          const understanding = classify({ text: msg.text, role: 'participant', now });
          turn = { ...base, lng: participant.language, understanding, participant } as ParticipantTurn;
          handler = (participantHandlers[understanding.intent] ?? unknown) as Handler<never>;
          who = { participantId: participant.id };
        }
      } else {
        const staff = await staffByEmail(tx, msg.from);
        if (!staff) {
          turn = { ...base, lng: 'sv', understanding: { intent: 'unknown', confidence: 0, slots: {}, reasons: ['unknown staff'] } };
          reply(turn, 'staff:unknownStaff');
          handler = async () => {};
        } else {
          const understanding = classify({ text: msg.text, role: 'staff', now });
          turn = { ...base, lng: 'sv', understanding, staff } as StaffTurn;
          handler = (staffHandlers[understanding.intent] ?? unknown) as Handler<never>;
          who = { staffId: staff.id };
        }
      }
      const [logged] = await tx.query<{ id: string }>(
        `insert into message_log (at, channel, address, participant_id, staff_id, intent, text) values ($1, $2, $3, $4, $5, $6, $7) returning id`,
        [now, msg.channel, msg.from, who.participantId ?? null, who.staffId ?? null, turn.understanding.intent, msg.text],
      );
      await (handler as Handler<Turn>)(turn);
      const ids = await enqueue(tx, turn.out, now, logged!.id);
      log.info(
        { channel: msg.channel, known: Boolean(who.participantId ?? who.staffId), intent: turn.understanding.intent, confidence: turn.understanding.confidence, outbound: ids.length },
        'inbound handled',
      );
      return { ids };
    });
    metrics.count('lots_inbound_total', { channel: msg.channel, duplicate: String(outcome === null) });
    if (!outcome) return { duplicate: true, replies: [], sent: [] };
    const sent = await dispatch(db, deps.deliver, clock, outcome.ids);
    return { duplicate: false, sent, replies: sent.filter((m) => m.status === 'sent' && m.recipient === msg.from && m.channel === msg.channel) };
  }

  async function act(action: InboundAction): Promise<{ ok: true; replies: OutboxRow[] } | { ok: false; error: string }> {
    const handler = staffActions[action.actionId];
    if (!handler) return { ok: false, error: `unknown action ${action.actionId}` };
    const now = clock.now();
    const outcome = await db.transaction(async (tx) => {
      const staff = await staffByEmail(tx, action.from);
      if (!staff) return { error: 'unknown staff member' };
      const turn: StaffTurn = {
        tx,
        now,
        msg: { channel: 'staff', from: staff.email, text: '', via: action.via },
        out: [],
        lng: 'sv',
        understanding: { intent: `action:${action.actionId}`, confidence: 1, slots: {}, reasons: ['button'] },
        staff,
      };
      await handler(turn, action.value);
      return { ids: await enqueue(tx, turn.out, now) };
    });
    if ('error' in outcome) return { ok: false, error: outcome.error ?? 'refused' };
    const sent = await dispatch(db, deps.deliver, clock, outcome.ids);
    return { ok: true, replies: sent.filter((m) => m.status === 'sent' && m.recipient === action.from.toLowerCase()) };
  }

  return { receive, act, db, clock };
}

export type Lots = ReturnType<typeof createLots>;
