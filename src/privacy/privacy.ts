// Data protection: how long what people wrote is kept, erasing a person, and who looked at whom.
//
// Retention: the text of messages (received, sent, and the conversation state that can quote
// them) is removed once it is older than the retention period (LOTS_RETENTION_DAYS, default 90);
// the rows stay, so counts, reports and the audit trail still add up. Provider receipts (ids only)
// are kept for a week, well past the longest provider retry window (46elks: 6 hours).
//
// Erasure deletes the person and everything hanging off them (the foreign keys cascade); the
// audit trail keeps its rows, which hold ids and actions, never text, and gains one for the erasure.
import type { Db } from '../store/db.js';
import { formatPhone } from '../util/phone.js';
import { escapeRegExp } from '../util/text.js';

export const RECEIPT_DAYS = 7;
/** Retention runs at most this often (any process; it is idempotent). */
const RETENTION_EVERY_MS = 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const LAST_RUN = 'retention.lastRun';

export interface RetentionResult {
  messages: number;
  sent: number;
  conversations: number;
  checkins: number;
  receipts: number;
}

/** Removes message text older than `days` before `now`. */
export async function applyRetention(db: Db, now: Date, days: number): Promise<RetentionResult> {
  const cut = new Date(now.getTime() - days * DAY_MS);
  return db.transaction(async (tx) => {
    const count = async (sql: string, params: unknown[]) => (await tx.query(`with gone as (${sql} returning 1) select count(*)::int as n from gone`, params) as { n: number }[])[0]!.n;
    const result: RetentionResult = {
      messages: await count(`update message_log set text = null where at < $1 and text is not null`, [cut]),
      // What was sent: a coach's notification quotes the participant word for word.
      sent: await count(`update outbox set text = '', rich = null, buttons = null where created_at < $1 and status <> 'pending' and text <> ''`, [cut]),
      conversations: await count(`delete from conversation where updated_at < $1`, [cut]),
      checkins: await count(`update checkin set text = null where sent_at < $1 and text is not null`, [cut]),
      receipts: await count(`delete from inbound_receipt where received_at < $1`, [new Date(now.getTime() - RECEIPT_DAYS * DAY_MS)]),
    };
    await tx.query(`insert into setting (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value`, [LAST_RUN, JSON.stringify(now.toISOString())]);
    return result;
  });
}

/** A scheduler planner: applies retention when it has not run for an hour (by Lots' clock). */
export function retentionPlanner(days: number) {
  return async (tx: Db, now: Date): Promise<void> => {
    const [row] = await tx.query<{ value: string }>(`select value from setting where key = $1`, [LAST_RUN]);
    if (row && now.getTime() - new Date(row.value).getTime() < RETENTION_EVERY_MS) return;
    await applyRetention(tx, now, days);
  };
}

/** What hangs off a participant (deleted with them by the foreign keys), counted for the audit entry. */
const PERSONAL_TABLES = ['message_log', 'outbox', 'meeting', 'checkin', 'escalation', 'consent', 'agency_contact', 'planned_send'];

export interface Erased {
  participant: string;
  rows: Record<string, number>;
}

/** Deletes a participant and their data; leaves an audit entry saying who erased them and when. */
export async function eraseParticipant(db: Db, participantId: string, actor: string, now: Date): Promise<Erased | null> {
  return db.transaction(async (tx) => {
    const [p] = await tx.query<{ phone: string | null; name: string }>(`select phone, name from participant where id = $1 for update`, [participantId]);
    if (!p) return null;
    const [rows] = await tx.query<Record<string, number>>(`select ${PERSONAL_TABLES.map((t) => `(select count(*)::int from ${t} where participant_id = $1) as ${t}`).join(', ')}`, [participantId]);
    // Staff were told about them in chat (alarms, answers, lists) and wrote about them: those texts
    // go too, found by the full name and the number as Lots writes them. A first name alone could
    // be anyone's and stays.
    const named = [p.name, p.phone, p.phone && formatPhone(p.phone)].filter((m): m is string => Boolean(m));
    const marks = named.map((m) => `%${m.replace(/[\\%_]/g, '\\$&')}%`);
    // A digest names many people, one to a line, and nothing they wrote: only their lines go, and
    // the team lead keeps what it said of the others (it was blanked whole; found by a new-user trial).
    const digests = await tx.query<{ id: string; text: string }>(`select id, text from outbox where participant_id is null and purpose = 'digest' and text like any($1::text[])`, [marks]);
    // Whole words only ("Ali Karim" is not in "Ali Karimi"). A line that lists several people (the
    // meeting targets, contacts to check) goes whole with them: stricter, never a leak.
    const names = named.map((m) => new RegExp(`(?<![\\p{L}\\p{N}+])${escapeRegExp(m)}(?![\\p{L}\\p{N}])`, 'u'));
    for (const d of digests) {
      const kept = d.text.split('\n').filter((line) => !names.some((name) => name.test(line)));
      await tx.query(`update outbox set text = $2, rich = null, attachments = null where id = $1`, [d.id, kept.join('\n')]);
    }
    const told = await tx.query(`update outbox set text = '', rich = null, buttons = null, attachments = null where participant_id is null and purpose <> 'digest' and text like any($1::text[]) returning id`, [marks]);
    const wrote = await tx.query(`update message_log set text = null where participant_id is null and text like any($1::text[]) returning id`, [marks]);
    rows!.staff_messages = digests.length + told.length + wrote.length;
    // What Lots was waiting for from them is keyed by their phone number.
    if (p.phone) await tx.query(`delete from conversation where channel = 'sms' and address = $1`, [p.phone]);
    await tx.query(`delete from participant where id = $1`, [participantId]);
    await tx.query(`insert into audit_log (at, actor, action, participant_id, detail) values ($1, $2, 'participant.erased', $3, $4)`, [now, actor, participantId, JSON.stringify({ rows })]);
    return { participant: participantId, rows: rows! };
  });
}

export interface AuditEntry {
  at: Date;
  actor: string;
  action: string;
  detail: Record<string, unknown>;
}

/** Everything done with or seen of one participant, oldest first. */
export async function auditTrail(db: Db, participantId: string): Promise<AuditEntry[]> {
  return db.query<AuditEntry>(`select at, actor, action, detail from audit_log where participant_id = $1 order by seq`, [participantId]);
}
