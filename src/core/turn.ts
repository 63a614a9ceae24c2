// The context a handler gets for one inbound message (grammY's idea of a context object).
import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import type { InboundMessage, OutboundMessage } from '../model/index.js';
import type { Understanding } from '../understanding/classify.js';
import type { Participant, Staff } from '../directory/people.js';
import { t } from '../i18n/index.js';
import type { ConversationState } from './conversation.js';
import { capitalised } from '../util/text.js';

export interface Turn {
  tx: Db;
  now: Date;
  msg: InboundMessage;
  understanding: Understanding;
  /** The language the sender reads. */
  lng: string;
  /** Everything this turn sends, to the sender or to others; written to the outbox at the end. */
  out: OutboundMessage[];
  /** What Lots will be waiting for after this message; handlers set it when they ask. */
  conversation: ConversationState;
  log: Logger;
  /** Set when the handler planned a send that is due at once: the scheduler runs after the turn. */
  runDue?: boolean;
}

export interface ParticipantTurn extends Turn {
  participant: Participant;
}

export interface StaffTurn extends Turn {
  staff: Staff;
}

/** The words a request was made in, even when it was completed over several messages. */
export const requestText = (turn: Turn) => turn.understanding.request ?? turn.msg.text;

export type Handler<T extends Turn> = (turn: T) => Promise<void>;

/** Adds a reply to the sender, in their language. */
export function reply(turn: Turn, key: string, vars: Record<string, unknown> = {}, extra: Partial<OutboundMessage> = {}): void {
  replyText(turn, t(turn.lng, key, vars), extra);
}

export function replyText(turn: Turn, text: string, extra: Partial<OutboundMessage> = {}): void {
  turn.out.push({
    channel: turn.msg.channel,
    to: turn.msg.from,
    text,
    purpose: 'reply',
    ...('participant' in turn ? { participantId: (turn as ParticipantTurn).participant.id } : {}),
    ...extra,
  });
}

/** Adds a message to a staff member (their chat). Staff read Swedish unless told otherwise. */
export function notify(turn: Turn, to: Staff, key: string, vars: Record<string, unknown> = {}, extra: Partial<OutboundMessage> = {}): void {
  // A sentence that opens with a label ("deltagare med skyddad identitet kan inte komma …") opens with a capital.
  turn.out.push({ channel: 'staff', to: to.email, text: capitalised(t('sv', key, vars)), purpose: 'notification', ...extra });
}

export async function audit(turn: Turn, actor: string, action: string, participantId: string | null, detail: Record<string, unknown> = {}): Promise<void> {
  await turn.tx.query(`insert into audit_log (at, actor, action, participant_id, detail) values ($1, $2, $3, $4, $5)`, [
    turn.now,
    actor,
    action,
    participantId,
    JSON.stringify(detail),
  ]);
}

/**
 * Records that a staff member was shown these participants' data (who, what, when): one row
 * each, so `lots audit --participant` lists every read of one person.
 */
export async function auditReads(turn: StaffTurn, action: string, participantIds: readonly string[], detail: Record<string, unknown> = {}): Promise<void> {
  await auditReadsBy(turn.tx, turn.now, turn.staff.id, action, participantIds, detail);
}

/** The same, outside a turn (a digest sent on schedule is read by the lead it goes to). */
export async function auditReadsBy(tx: Db, at: Date, staffId: string, action: string, participantIds: readonly string[], detail: Record<string, unknown> = {}): Promise<void> {
  if (participantIds.length === 0) return;
  await tx.query(
    `insert into audit_log (at, actor, action, participant_id, detail) select $1, $2, $3, id, $5 from unnest($4::text[]) as id`,
    [at, `staff:${staffId}`, action, [...new Set(participantIds)], JSON.stringify(detail)],
  );
}

/** A button that answers as if its value were typed (a free time's number, say): a quick reply. */
export const SAY_ACTION = 'say';
