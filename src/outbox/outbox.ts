// The one way out. Messages are written here in the transaction that decided to send them,
// then delivered; the row records what happened (sent, suppressed with a reason, failed).
import type { Db } from '../store/db.js';
import type { Attachment, Button, Channel, Clock, OutboundMessage } from '../model/index.js';
import { plainGsm } from '../i18n/segments.js';

export interface OutboxRow {
  id: string;
  channel: Channel;
  recipient: string;
  participantId: string | null;
  purpose: OutboundMessage['purpose'];
  text: string;
  buttons: Button[] | null;
  attachments: Attachment[] | null;
  status: 'pending' | 'sent' | 'suppressed' | 'failed';
  reason: string | null;
  sentAt: Date | null;
  inReplyTo: string | null;
}

/** Hands one message to its channel. Throws when the channel refused it. */
export type Deliver = (message: OutboxRow) => Promise<void>;

const COLUMNS = `id, channel, recipient, participant_id as "participantId", purpose, text, buttons, attachments, status, reason,
  sent_at as "sentAt", in_reply_to as "inReplyTo"`;

export async function enqueue(tx: Db, messages: OutboundMessage[], now: Date, inReplyTo?: string): Promise<string[]> {
  const ids: string[] = [];
  for (const m of messages) {
    const [row] = await tx.query<{ id: string }>(
      `insert into outbox (created_at, channel, recipient, participant_id, purpose, text, buttons, attachments, in_reply_to)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
      [
        now,
        m.channel,
        m.to,
        m.participantId ?? null,
        m.purpose,
        m.channel === 'sms' ? plainGsm(m.text) : m.text,
        m.buttons ? JSON.stringify(m.buttons) : null,
        m.attachments?.length ? JSON.stringify(m.attachments) : null,
        inReplyTo ?? null,
      ],
    );
    ids.push(row!.id);
  }
  return ids;
}

/** Why an SMS may not go out now, or null. An opt-out stops everything but its own confirmation. */
async function suppression(tx: Db, m: OutboxRow): Promise<string | null> {
  // A crisis reply answers a message the person just sent: it goes out even after STOP.
  if (m.channel !== 'sms' || m.purpose === 'optout-confirmation' || m.purpose === 'crisis') return null;
  const [p] = await tx.query<{ optedOut: boolean }>(
    `select opted_out_at is not null as "optedOut" from participant where phone = $1`,
    [m.recipient],
  );
  return p?.optedOut ? 'opted-out' : null;
}

/**
 * Delivers pending messages (the given ones, or all), each in its own transaction with the row
 * locked, so two processes never send the same message. Returns the rows as they ended.
 */
export async function dispatch(db: Db, deliver: Deliver, clock: Clock, ids?: string[]): Promise<OutboxRow[]> {
  const pending = await db.query<{ id: string }>(
    `select id from outbox where status = 'pending' and ($1::uuid[] is null or id = any($1::uuid[])) order by seq`,
    [ids ?? null],
  );
  const done: OutboxRow[] = [];
  for (const { id } of pending) {
    const row = await db.transaction(async (tx) => {
      const [m] = await tx.query<OutboxRow>(`select ${COLUMNS} from outbox where id = $1 and status = 'pending' for update skip locked`, [id]);
      if (!m) return null;
      const reason = await suppression(tx, m);
      if (reason) {
        await tx.query(`update outbox set status = 'suppressed', reason = $2 where id = $1`, [id, reason]);
        return { ...m, status: 'suppressed' as const, reason };
      }
      try {
        await deliver(m);
      } catch (err) {
        await tx.query(`update outbox set status = 'failed', reason = $2, attempts = attempts + 1 where id = $1`, [id, String((err as Error).message).slice(0, 200)]);
        return { ...m, status: 'failed' as const, reason: (err as Error).message };
      }
      const sentAt = clock.now();
      await tx.query(`update outbox set status = 'sent', sent_at = $2, attempts = attempts + 1 where id = $1`, [id, sentAt]);
      return { ...m, status: 'sent' as const, sentAt };
    });
    if (row) done.push(row);
  }
  return done;
}

/** Everything sent, oldest first; to one recipient when given. */
export async function sentMessages(db: Db, to?: string): Promise<OutboxRow[]> {
  return db.query<OutboxRow>(
    `select ${COLUMNS} from outbox where status = 'sent' and ($1::text is null or recipient = $1) order by sent_at, seq`,
    [to ?? null],
  );
}
