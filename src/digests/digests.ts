// Digests as planned sends: every working day at 16:00 (the day's no-shows and open urgent
// escalations) and Monday 08:00 (the week), to the team lead of each team and no one else;
// and on demand in chat ("visa missade möten", "veckans sammanfattning").
import { DateTime } from 'luxon';
import type { Db } from '../store/db.js';
import { TIME_ZONE, type OutboundMessage } from '../model/index.js';
import { t } from '../i18n/index.js';
import { planSend, type DueHandler } from '../scheduler/scheduler.js';
import { isWorkingDay } from '../meetings/calendar.js';
import type { Handler, StaffTurn } from '../core/turn.js';
import { audit, auditReads, auditReadsBy, replyText, requestText } from '../core/turn.js';
import { fold } from '../understanding/text.js';
import { buildDigest, type Digest, type DigestKind } from './digest.js';
import { outline, toAdaptiveCard, toBlockKit, toText } from './render.js';
import { barChart } from './chart.js';

export const DIGEST = { daily: 'digest.daily', weekly: 'digest.weekly' } as const;
const AT = { daily: { hour: 16, weekdays: [1, 2, 3, 4, 5] }, weekly: { hour: 8, weekdays: [1] } };

/** The digest as a staff message: text for every channel, blocks and a card beside it, and the chart as a picture. */
export function digestMessage(d: Digest, to: string): OutboundMessage {
  const o = outline(d);
  const chart = d.kind === 'weekly' || d.noShowsPerWeek.length ? barChart(d.noShowsPerWeek.map((w) => ({ label: w.week, value: w.count }))) : null;
  return {
    channel: 'staff',
    to,
    text: toText(o),
    purpose: 'digest',
    rich: { slack: toBlockKit(o), teams: toAdaptiveCard(o) },
    // Each channel lays this out as its own kind of button (Block Kit, Adaptive Card action).
    buttons: [{ actionId: 'escalation.list', value: '', label: t('sv', 'staff:digest.showOpen') }],
    ...(chart ? { attachments: [{ filename: 'uteblivna-per-vecka.png', contentType: 'image/png', content: chart.toString('base64'), encoding: 'base64' as const }] } : {}),
  };
}

/** The next working day at the digest's hour after `now` (the weekly: the next Monday that is a working day). */
function nextRun(kind: DigestKind, now: Date): DateTime {
  let d = DateTime.fromJSDate(now, { zone: TIME_ZONE }).set({ hour: AT[kind].hour, minute: 0, second: 0, millisecond: 0 });
  if (d.toMillis() <= now.getTime()) d = d.plus({ days: 1 });
  while (!AT[kind].weekdays.includes(d.weekday) || !isWorkingDay(d)) d = d.plus({ days: 1 });
  return d;
}

/** Every team with a lead has its next daily and weekly digest planned (run before each tick). */
export async function planDigests(tx: Db, now: Date): Promise<void> {
  for (const kind of ['daily', 'weekly'] as const) {
    const teams = await tx.query<{ id: string }>(
      `select id from team t where lead_id is not null
         and not exists (select 1 from planned_send s where s.kind = $1 and s.ref = t.id and s.status in ('planned', 'queued'))`,
      [DIGEST[kind]],
    );
    for (const team of teams) {
      const at = nextRun(kind, now);
      await planSend(tx, { kind: DIGEST[kind], ref: team.id, version: 1, label: at.toISODate()!, participantId: null, dueAt: at.toJSDate() }, now);
    }
  }
}

function dueDigest(kind: DigestKind): DueHandler {
  return async (tx, send) => {
    const [lead] = await tx.query<{ id: string; email: string }>(`select s.id, s.email from team t join staff s on s.id = t.lead_id where t.id = $1`, [send.ref]);
    if (!lead) return { skip: 'the team has no lead' };
    // As of the moment it was planned for (a due send is never early): a digest sent late (a
    // server that was down, a clock moved on) still tells about its own day.
    const digest = await buildDigest(tx, send.ref, kind, send.dueAt);
    await auditReadsBy(tx, send.dueAt, lead.id, 'read.digest', digest.participantIds, { kind, team: send.ref, scheduled: true });
    return { send: [digestMessage(digest, lead.email)] };
  };
}

export const digestDueHandlers: Record<string, DueHandler> = { [DIGEST.daily]: dueDigest('daily'), [DIGEST.weekly]: dueDigest('weekly') };

/** "Visa missade möten" / "veckans sammanfattning": the team's for a lead, a coach's own for a coach. */
export const digestRequest: Handler<StaffTurn> = async (turn) => {
  if (!turn.staff.teamId) return replyText(turn, t('sv', 'staff:digest.noTeam'));
  // The digest names participants; an admin sees none (VISIBLE_TO).
  if (turn.staff.role === 'admin') return replyText(turn, t('sv', 'staff:digest.admin'));
  const kind: DigestKind = /\b(idag|i dag|dagens|today)\b/.test(fold(requestText(turn))) ? 'daily' : 'weekly';
  const own = turn.staff.role === 'coach' ? turn.staff.id : undefined;
  const digest = await buildDigest(turn.tx, turn.staff.teamId, kind, turn.now, own);
  // Stored as a digest, so erasing one person takes out only their lines; as an answer it still
  // goes in the reply lane (it answers a message).
  turn.out.push(digestMessage(digest, turn.staff.email));
  // One row per participant it shows, so `lots audit --participant` lists the digest too.
  const detail = { kind, team: turn.staff.teamId, own: Boolean(own) };
  if (digest.participantIds.length) await auditReads(turn, 'read.digest', digest.participantIds, detail);
  else await audit(turn, `staff:${turn.staff.id}`, 'read.digest', null, detail);
};
