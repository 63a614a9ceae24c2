// The one way out. Messages are written here in the transaction that decided to send them,
// then delivered; the row records what happened (sent, suppressed with a reason, failed).
import type { Db } from '../store/db.js';
import type { Attachment, Button, Channel, Clock, OutboundMessage } from '../model/index.js';
import { plainGsm } from '../i18n/segments.js';
import { holdUntil } from './quiet-hours.js';

export interface OutboxRow {
  id: string;
  channel: Channel;
  recipient: string;
  participantId: string | null;
  purpose: OutboundMessage['purpose'];
  text: string;
  buttons: Button[] | null;
  attachments: Attachment[] | null;
  rich: { slack?: unknown; teams?: unknown } | null;
  status: 'pending' | 'sending' | 'sent' | 'suppressed' | 'failed';
  reason: string | null;
  sentAt: Date | null;
  inReplyTo: string | null;
}

/** Hands one message to its channel. Throws when the channel refused it. */
export type Deliver = (message: OutboxRow) => Promise<void>;

const COLUMNS = `id, channel, recipient, participant_id as "participantId", purpose, text, buttons, attachments, rich, status, reason,
  sent_at as "sentAt", in_reply_to as "inReplyTo"`;

/** Writes messages to the outbox in one statement, in order; returns their ids in that order. */
export async function enqueue(tx: Db, messages: OutboundMessage[], now: Date, inReplyTo?: string): Promise<string[]> {
  if (!messages.length) return [];
  const rows = messages.map((m) => ({
    channel: m.channel,
    recipient: m.to,
    participant_id: m.participantId ?? null,
    purpose: m.purpose,
    text: m.channel === 'sms' ? plainGsm(m.text) : m.text,
    buttons: m.buttons ?? null,
    attachments: m.attachments?.length ? m.attachments : null,
    hold_until: holdUntil(m.purpose, m.channel, now),
    rich: m.rich ?? null,
  }));
  const inserted = await tx.query<{ id: string; seq: string | number | bigint }>(
    `insert into outbox (created_at, channel, recipient, participant_id, purpose, text, buttons, attachments, rich, hold_until, in_reply_to)
     select $1, r.v->>'channel', r.v->>'recipient', r.v->>'participant_id', r.v->>'purpose', r.v->>'text',
            nullif(r.v->'buttons', 'null'::jsonb), nullif(r.v->'attachments', 'null'::jsonb), nullif(r.v->'rich', 'null'::jsonb), (r.v->>'hold_until')::timestamptz, $3
     from jsonb_array_elements($2::jsonb) with ordinality as r(v, n)
     order by r.n
     returning id, seq`,
    [now, JSON.stringify(rows), inReplyTo ?? null],
  );
  return inserted.sort((a, b) => Number(a.seq) - Number(b.seq)).map((r) => r.id);
}

/** A claimed message not marked sent after this long belongs to a process that died while sending it. */
const CLAIM_LEASE = `interval '2 minutes'`;
const DISPATCH_BATCH = 200;

/**
 * Delivers pending messages (the given ones, or all). Each is claimed by one statement, so two
 * processes never send the same message, then handed to its channel and marked. A process that
 * dies between the two leaves the claim, and after the lease the message is sent again: at least
 * once at the provider's edge, never twice otherwise. Returns the rows as they ended.
 */
export async function dispatch(db: Db, deliver: Deliver, clock: Clock, ids?: string[]): Promise<OutboxRow[]> {
  if (!ids) await db.query(`update outbox set status = 'pending' where status = 'sending' and claimed_at < now() - ${CLAIM_LEASE}`);
  const done: OutboxRow[] = [];
  for (;;) {
    // Claim a batch in one statement. An opt-out stops every SMS but its own confirmation and a
    // crisis reply (that answers a message the person just sent).
    const claimed = await db.query<OutboxRow>(
      `update outbox o set claimed_at = now(),
         status = case when s.suppress then 'suppressed' else 'sending' end,
         reason = case when s.suppress then 'opted-out' end
       from (select o2.id, o2.channel = 'sms' and o2.purpose not in ('optout-confirmation', 'crisis')
                    and exists (select 1 from participant p where p.phone = o2.recipient and p.opted_out_at is not null) as suppress
             from outbox o2
             where o2.status = 'pending' and ($1::uuid[] is null or o2.id = any($1::uuid[])) and (o2.hold_until is null or o2.hold_until <= $3)
             order by o2.seq limit $2 for update of o2 skip locked) s
       where o.id = s.id
       returning ${COLUMNS.replace(/(^|,\s*)(\w+)/g, '$1o.$2')}, o.seq`,
      [ids ?? null, DISPATCH_BATCH, clock.now()],
    );
    claimed.sort((a, b) => Number((a as OutboxRow & { seq: number }).seq) - Number((b as OutboxRow & { seq: number }).seq));
    for (const m of claimed) {
      delete (m as Partial<OutboxRow & { seq: number }>).seq;
      if (m.status === 'suppressed') {
        done.push(m);
        continue;
      }
      // Each is marked the moment its channel took it: a crash repeats at most the one in hand.
      try {
        await deliver(m);
      } catch (err) {
        const reason = String((err as Error).message).slice(0, 200);
        await db.query(`update outbox set status = 'failed', reason = $2, attempts = attempts + 1 where id = $1`, [m.id, reason]);
        done.push({ ...m, status: 'failed', reason });
        continue;
      }
      const sentAt = clock.now();
      await db.query(`update outbox set status = 'sent', sent_at = $2, attempts = attempts + 1 where id = $1`, [m.id, sentAt]);
      done.push({ ...m, status: 'sent', sentAt });
    }
    if (claimed.length < DISPATCH_BATCH) return done;
  }
}

/** Everything sent, oldest first; to one recipient when given. */
export async function sentMessages(db: Db, to?: string): Promise<OutboxRow[]> {
  return db.query<OutboxRow>(
    `select ${COLUMNS} from outbox where status = 'sent' and ($1::text is null or recipient = $1) order by sent_at, seq`,
    [to ?? null],
  );
}
