// The one way out. Messages are written here in the transaction that decided to send them,
// then delivered; the row records what happened (sent, suppressed with a reason, failed).
import { randomUUID } from 'node:crypto';
import type { Db } from '../store/db.js';
import type { Attachment, Button, Channel, Clock, OutboundMessage } from '../model/index.js';
import { plainGsm } from '../i18n/segments.js';
import { holdUntil, quietHoursOf } from './quiet-hours.js';

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

/** Hands one message to its channel. Throws when the channel refused it; may say the provider's id for it. */
export type Deliver = (message: OutboxRow) => Promise<void | { provider: string; providerId: string }>;

/**
 * How long handing one message to a staff chat may keep the request that caused it (an SMS webhook,
 * a chat turn) waiting: Slack's timeout for its one call, Teams' waits between tries in all (its
 * calls besides). Past it the send fails and the outbox tries again later.
 */
export const STAFF_SEND_WAIT_MS = 10_000;

/** A failed hand-over is tried again after these waits, then the message is failed with its reason. */
const RETRY_AFTER_MS = [30_000, 120_000, 600_000];
/** The loop guard: no more than this many identical messages to one recipient within the window. */
const LOOP_LIMIT = 10;
const LOOP_WINDOW = `interval '10 minutes'`;

const COLUMNS = `id, channel, recipient, participant_id as "participantId", purpose, text, buttons, attachments, rich, status, reason,
  sent_at as "sentAt", in_reply_to as "inReplyTo"`;

/**
 * Why a message may not go, or null: an opt-out stops every SMS but its own confirmation and a
 * crisis reply (that answers a message the person just sent); the loop guard stops the eleventh
 * identical message to one recipient in ten minutes (two systems answering each other, a stuck
 * job), counting those sent and those before it among the messages decided together. Read over
 * `q`, whose rows carry what `whyNotInputs` gives; `order` ranks them.
 */
const whyNot = (order: string) =>
  `case when q.opted_out then 'opted-out'
        when q.sent_before + row_number() over (partition by q.recipient, q.text order by ${order}) > ${LOOP_LIMIT} then 'loop-guard' end`;
/** What `whyNot` reads of message `m` (its channel, purpose, recipient and text), at time `now`. */
const whyNotInputs = (m: string, now: string) =>
  `${m}.channel = 'sms' and ${m}.purpose not in ('optout-confirmation', 'crisis')
     and exists (select 1 from participant p where p.phone = ${m}.recipient and p.opted_out_at is not null) as opted_out,
   (select count(*) from outbox x where x.recipient = ${m}.recipient and x.text = ${m}.text and x.status = 'sent'
      and x.created_at > ${now}::timestamptz - ${LOOP_WINDOW}) as sent_before`;

async function outboxRows(tx: Db, messages: OutboundMessage[], now: Date) {
  const quietHours = await quietHoursOf(tx, messages);
  return messages.map((m) => ({
    // Made here, not by the column's gen_random_uuid(): PGlite reads /dev/urandom through its
    // emulated file system for each one (open, read, close: 20 µs, a fiftieth of a reply).
    id: randomUUID(),
    channel: m.channel,
    recipient: m.to,
    participant_id: m.participantId ?? null,
    purpose: m.purpose,
    text: m.channel === 'sms' ? plainGsm(m.text) : m.text,
    buttons: m.buttons ?? null,
    attachments: m.attachments?.length ? m.attachments : null,
    hold_until: holdUntil(m.purpose, m.channel, now, quietHours(m)),
    rich: m.rich ?? null,
  }));
}

/** The messages of `outboxRows`, passed as $2, as rows `m` with their columns and their place `n`; `held` when they wait for quiet hours to end ($1 is now). */
const MESSAGES = `(select r.n, (r.v->>'id')::uuid as id, r.v->>'channel' as channel, r.v->>'recipient' as recipient, r.v->>'participant_id' as participant_id,
          r.v->>'purpose' as purpose, r.v->>'text' as text, nullif(r.v->'buttons', 'null'::jsonb) as buttons,
          nullif(r.v->'attachments', 'null'::jsonb) as attachments, nullif(r.v->'rich', 'null'::jsonb) as rich,
          (r.v->>'hold_until')::timestamptz as hold_until, coalesce((r.v->>'hold_until')::timestamptz > $1, false) as held
   from jsonb_array_elements($2::jsonb) with ordinality as r(v, n)) m`;
const INSERTED = `id, created_at, channel, recipient, participant_id, purpose, text, buttons, attachments, rich, hold_until, in_reply_to`;
const INSERTED_FROM_M = `m.id, $1, m.channel, m.recipient, m.participant_id, m.purpose, m.text, m.buttons, m.attachments, m.rich, m.hold_until, $3`;

const bySeq = <T extends { seq: string | number | bigint }>(rows: T[]) => rows.sort((a, b) => Number(a.seq) - Number(b.seq));

/** Writes messages to the outbox in one statement, in order, to be sent by the next dispatch; returns their ids in that order. */
export async function enqueue(tx: Db, messages: OutboundMessage[], now: Date, inReplyTo?: string): Promise<string[]> {
  if (!messages.length) return [];
  const inserted = await tx.query<{ id: string; seq: string | number | bigint }>(
    `insert into outbox (${INSERTED}) select ${INSERTED_FROM_M} from ${MESSAGES} order by m.n returning id, seq`,
    [now, JSON.stringify(await outboxRows(tx, messages, now)), inReplyTo ?? null],
  );
  return bySeq(inserted).map((r) => r.id);
}

/**
 * Writes messages to the outbox already claimed for sending by this process, deciding there what
 * may not go (as a claim does): the messages a turn sends at once, which `dispatch({ claimed })`
 * then delivers without claiming them again (a claim was a third of a reply's database time).
 * Messages held for quiet hours stay pending for the tick. Crash safety is a claim's: rows of a
 * process that dies before sending them go again after the lease.
 */
export async function enqueueClaimed(tx: Db, messages: OutboundMessage[], now: Date, inReplyTo?: string): Promise<OutboxRow[]> {
  if (!messages.length) return [];
  // The claim's time is the statement's, not the transaction's start (now()): a lease counts from here.
  const inserted = await tx.query<OutboxRow & { seq: string | number | bigint }>(
    `insert into outbox (${INSERTED}, status, reason, claimed_at)
     select ${INSERTED_FROM_M},
            case when m.held then 'pending' when m.reason is null then 'sending' else 'suppressed' end,
            case when m.held then null else m.reason end,
            case when m.held then null else statement_timestamp() end
     from (select q.*, ${whyNot('q.n')} as reason from (select m.*, ${whyNotInputs('m', '$1')} from ${MESSAGES}) q) m
     order by m.n
     returning ${COLUMNS}, seq`,
    [now, JSON.stringify(await outboxRows(tx, messages, now)), inReplyTo ?? null],
  );
  return bySeq(inserted).map(({ seq: _seq, ...row }) => row);
}

/** A claimed message not marked sent after this long belongs to a process that died while sending it. */
export const DEFAULT_CLAIM_LEASE_SECONDS = 120;
const DISPATCH_BATCH = 200;

export interface DispatchOptions {
  /** Messages this process claimed as it wrote them (`enqueueClaimed`): delivered without a claim. Else all pending ones that are due. */
  claimed?: OutboxRow[];
  /** Called for a message that has failed for good (after its retries). */
  onFailed?: (m: OutboxRow) => Promise<void>;
  /** When a claim left by a process that died is taken back (LOTS_CLAIM_LEASE_SECONDS). */
  leaseSeconds?: number;
}

/** The outbox's columns as `claim` returns them, from the updated row `o`. */
const CLAIMED_COLUMNS = COLUMNS.replace(/(^|,\s*)(\w+)/g, '$1o.$2');

/**
 * Delivers messages: those claimed as they were written (`claimed`), or all pending ones that are
 * due, claimed here in batches by one statement each, so two processes never send the same
 * message. Each is handed to its channel and marked. A process that dies between the two leaves
 * the claim, and after the lease the message is sent again: at least once at the provider's edge,
 * never twice otherwise. Returns the rows as they ended.
 */
export async function dispatch(db: Db, deliver: Deliver, clock: Clock, { claimed, onFailed, leaseSeconds = DEFAULT_CLAIM_LEASE_SECONDS }: DispatchOptions = {}): Promise<OutboxRow[]> {
  if (!claimed) await db.query(`update outbox set status = 'pending' where status = 'sending' and claimed_at < now() - make_interval(secs => $1)`, [leaseSeconds]);
  const done: OutboxRow[] = [];
  // Claims this process still holds are renewed while it works through them (a slow provider, a
  // long batch), so only the claims of a process that died run out.
  const inHand = new Set<string>();
  const renew = setInterval(() => {
    if (inHand.size) db.query(`update outbox set claimed_at = now() where id = any($1::uuid[]) and status = 'sending'`, [[...inHand]]).catch(() => {});
  }, Math.max(200, (leaseSeconds * 1000) / 3));
  renew.unref();

  /** Hands claimed messages to their channels, one after another, and records how each ended. */
  async function deliverAll(rows: OutboxRow[]): Promise<void> {
    const sending = rows.filter((m) => m.status === 'sending');
    for (const m of sending) inHand.add(m.id);
    done.push(...rows.filter((m) => m.status === 'suppressed'));
    for (const m of sending) {
      // Each is marked the moment its channel took it: a crash repeats at most the one in hand.
      let handed: void | { provider: string; providerId: string };
      try {
        handed = await deliver(m);
      } catch (err) {
        inHand.delete(m.id);
        const reason = String((err as Error).message).slice(0, 200);
        const [row] = await db.query<{ attempts: number }>(`update outbox set attempts = attempts + 1 where id = $1 returning attempts`, [m.id]);
        const wait = RETRY_AFTER_MS[row!.attempts - 1];
        if (wait !== undefined) {
          // Tried again later by the tick (not in quiet hours, as when it was written); the reason is kept for whoever looks.
          const later = new Date(clock.now().getTime() + wait);
          const retryAt = holdUntil(m.purpose, m.channel, later, (await quietHoursOf(db, [m]))(m)) ?? later;
          await db.query(`update outbox set status = 'pending', reason = $2, hold_until = $3 where id = $1`, [m.id, reason, retryAt]);
          done.push({ ...m, status: 'pending', reason });
        } else {
          await db.query(`update outbox set status = 'failed', reason = $2 where id = $1`, [m.id, reason]);
          done.push({ ...m, status: 'failed', reason });
          await onFailed?.(m);
        }
        continue;
      }
      const sentAt = clock.now();
      inHand.delete(m.id);
      await db.query(`update outbox set status = 'sent', sent_at = $2, attempts = attempts + 1, provider = $3, provider_id = $4, delivery = case when $3::text is null then null else 'sent' end where id = $1`, [
        m.id,
        sentAt,
        handed?.provider ?? null,
        handed?.providerId ?? null,
      ]);
      done.push({ ...m, status: 'sent', sentAt });
    }
  }

  try {
    if (claimed) await deliverAll(claimed);
    else
      for (;;) {
        const batch = await claimDue(db, clock);
        await deliverAll(batch);
        if (batch.length < DISPATCH_BATCH) break;
      }
    return done;
  } finally {
    clearInterval(renew);
  }
}

/** Claims a batch of the pending messages that are due, in one statement, deciding there what may not go (whyNot); in order. */
async function claimDue(db: Db, clock: Clock): Promise<OutboxRow[]> {
  const claimed = await db.query<OutboxRow & { seq: string | number | bigint }>(
    `update outbox o set claimed_at = now(),
       status = case when s.reason is null then 'sending' else 'suppressed' end,
       reason = s.reason
     from (select q.id, ${whyNot('q.seq')} as reason
           from (select o2.id, o2.seq, o2.recipient, o2.text, ${whyNotInputs('o2', '$2')}
                 from outbox o2
                 where o2.status = 'pending' and (o2.hold_until is null or o2.hold_until <= $2)
                 order by o2.seq limit $1 for update of o2 skip locked) q) s
     where o.id = s.id
     returning ${CLAIMED_COLUMNS}, o.seq`,
    [DISPATCH_BATCH, clock.now()],
  );
  return bySeq(claimed).map(({ seq: _seq, ...row }) => row);
}

/** Everything sent, oldest first; to one recipient when given. */
export async function sentMessages(db: Db, to?: string): Promise<OutboxRow[]> {
  return db.query<OutboxRow>(
    `select ${COLUMNS} from outbox where status = 'sent' and ($1::text is null or recipient = $1) order by sent_at, seq`,
    [to ?? null],
  );
}

const DELIVERY_ORDER = { sent: 1, delivered: 2, failed: 2 } as const;

/**
 * A provider's delivery report. States only move forward (a late "sent" after "delivered" changes
 * nothing). Returns the message when this report failed it, so the caller can raise the alarm.
 */
export async function recordDelivery(db: Db, provider: string, providerId: string, state: 'sent' | 'delivered' | 'failed', reason?: string): Promise<{ known: boolean; failed?: OutboxRow }> {
  const [row] = await db.query<OutboxRow & { delivery: keyof typeof DELIVERY_ORDER | null }>(
    `select ${COLUMNS}, delivery from outbox where provider = $1 and provider_id = $2`,
    [provider, providerId],
  );
  if (!row) return { known: false };
  if (row.delivery && DELIVERY_ORDER[row.delivery] >= DELIVERY_ORDER[state]) return { known: true };
  await db.query(`update outbox set delivery = $2, reason = coalesce($3, reason) where id = $1`, [row.id, state, reason ?? null]);
  return { known: true, ...(state === 'failed' ? { failed: row } : {}) };
}
