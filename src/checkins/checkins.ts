// Check-ins: a short question by SMS ("Hur mår du idag? Svara 1–5"), weekly by default (Tuesday
// 10:00, per programme and per participant), or sent by a coach; and the six-month
// self-assessment (four areas, DOMAIN.md) as four such questions. Silence is an event too: no
// answer in 24 hours marks the check-in missed, and a second missed in a row asks a coach to act.
import { DateTime } from 'luxon';
import { z } from 'zod';
import type { Db } from '../store/db.js';
import { TIME_ZONE, type OutboundMessage } from '../model/index.js';
import { t } from '../i18n/index.js';
import { participantById, type Participant } from '../directory/people.js';
import { programmeSettings } from '../directory/programme-settings.js';
import { expectAnswer } from '../core/conversation.js';
import { formatPhone } from '../util/phone.js';
import { planSend, type DueHandler } from '../scheduler/scheduler.js';
import { automationPaused, openEscalation } from '../escalations/escalations.js';

export const WEEKLY = 'checkin.weekly';
export const NO_REPLY = 'checkin.noreply';
export const SELF_ASSESSMENT_AREAS = ['egenmakt', 'arbetsmarknad', 'halsa', 'myndigheter'] as const;
const NO_REPLY_HOURS = 24;

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
export const checkinSettingsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  weekday: z.number().int().min(1).max(7).default(2),
  time: clockTime.default('10:00'),
});
export type CheckinSettings = z.infer<typeof checkinSettingsSchema>;

const checkinSettings = (db: Db, teamId: string): Promise<CheckinSettings> => programmeSettings(db, teamId, 'checkins', checkinSettingsSchema);

export interface Checkin {
  id: string;
  participantId: string;
  kind: 'mood' | 'self-assessment';
  sentAt: Date;
  answeredAt: Date | null;
  score: number | null;
  text: string | null;
  answers: Record<string, number | null>;
  missed: boolean;
}
const COLUMNS = `id, participant_id as "participantId", kind, sent_at as "sentAt", answered_at as "answeredAt", score, text, answers, missed`;

/** Why no check-in may go to the participant now, or null. */
export async function whyNotNow(tx: Db, participantId: string, now: Date): Promise<string | null> {
  const [p] = await tx.query<{ optedOut: boolean; ended: boolean; onLeave: boolean }>(
    `select opted_out_at is not null as "optedOut", ended_at is not null as ended, coalesce(on_leave_until >= $2::date, false) as "onLeave" from participant where id = $1`,
    [participantId, DateTime.fromJSDate(now, { zone: TIME_ZONE }).toISODate()],
  );
  if (!p || p.ended) return 'ended';
  if (p.optedOut) return 'opted-out';
  if (p.onLeave) return 'on-leave';
  if (await automationPaused(tx, participantId)) return 'crisis';
  return null;
}

const firstName = (p: Participant) => p.name.split(' ')[0]!;

/** The question for a check-in's next step: the mood question, or self-assessment question n of 4. */
function question(p: Participant, kind: Checkin['kind'], step: number): string {
  if (kind === 'mood') return t(p.language, 'participant:checkin.question', { name: firstName(p) });
  const area = SELF_ASSESSMENT_AREAS[step]!;
  return t(p.language, step === 0 ? 'participant:selfAssessment.first' : 'participant:selfAssessment.next', {
    name: firstName(p),
    n: step + 1,
    question: t(p.language, `participant:selfAssessment.area.${area}`),
  });
}

/** Sends a check-in now: the row, the SMS, the participant's next answer read as its answer, and a 24-hour watch. */
export async function sendCheckin(tx: Db, p: Participant, kind: Checkin['kind'], by: string, now: Date): Promise<OutboundMessage[]> {
  const [row] = await tx.query<{ id: string }>(`insert into checkin (participant_id, kind, sent_at, sent_by) values ($1, $2, $3, $4) returning id`, [p.id, kind, now, by]);
  await expectAnswer(tx, 'sms', p.phone, 'checkin', row!.id, now);
  await planSend(tx, { kind: NO_REPLY, ref: row!.id, version: 1, label: 'noreply', participantId: p.id, dueAt: new Date(now.getTime() + NO_REPLY_HOURS * 3600_000) }, now);
  return [{ channel: 'sms', to: p.phone, text: question(p, kind, 0), purpose: 'checkin', participantId: p.id }];
}

/** The next weekly check-in after `now`, by the participant's own day and time or the programme's. */
async function planWeekly(tx: Db, p: Participant & { checkinWeekday: number | null; checkinTime: string | null }, now: Date): Promise<void> {
  const settings = await checkinSettings(tx, p.teamId);
  if (!settings.enabled) return;
  const weekday = p.checkinWeekday ?? settings.weekday;
  const [hour, minute] = (p.checkinTime ?? settings.time).split(':').map(Number) as [number, number];
  const local = DateTime.fromJSDate(now, { zone: TIME_ZONE });
  let next = local.set({ weekday: weekday as 1, hour, minute, second: 0, millisecond: 0 });
  if (next <= local) next = next.plus({ weeks: 1 });
  const label = next.toISODate()!;
  // A schedule changed by an import retires the planned row; the new plan for the same day is a new version of it.
  const [{ version }] = (await tx.query<{ version: number }>(
    `select coalesce(max(version), 0) + 1 as version from planned_send where kind = '${WEEKLY}' and ref = $1 and label = $2`,
    [p.id, label],
  )) as [{ version: number }];
  await planSend(tx, { kind: WEEKLY, ref: p.id, version, label, participantId: p.id, dueAt: next.toJSDate() }, now);
}

/** Every active participant has their next weekly check-in planned (run before each tick). */
export async function planWeeklyCheckins(tx: Db, now: Date): Promise<void> {
  const missing = await tx.query<Participant & { checkinWeekday: number | null; checkinTime: string | null }>(
    `select id, team_id as "teamId", coach_id as "coachId", name, phone, language, checkin_weekday as "checkinWeekday", checkin_time as "checkinTime"
     from participant p
     where ended_at is null and phone is not null
       and not exists (select 1 from planned_send s where s.kind = '${WEEKLY}' and s.ref = p.id and s.status in ('planned', 'queued'))`,
  );
  for (const p of missing) await planWeekly(tx, p, now);
}

const weekly: DueHandler = async (tx, send, now) => {
  const p = await participantById(tx, send.ref);
  if (!p) return { skip: 'participant erased' };
  const why = await whyNotNow(tx, p.id, now);
  if (why) return { skip: why };
  return { send: await sendCheckin(tx, p, 'mood', 'schedule', now) };
};

export async function checkinById(tx: Db, id: string): Promise<Checkin | null> {
  const [row] = await tx.query<Checkin>(`select ${COLUMNS} from checkin where id = $1`, [id]);
  return row ?? null;
}

/** 24 hours without an answer: the check-in is missed; the second missed in a row asks a coach to act. */
const noReply: DueHandler = async (tx, send, now) => {
  const c = await checkinById(tx, send.ref);
  if (!c || c.answeredAt) return { skip: 'answered' };
  await tx.query(`update checkin set missed = true where id = $1`, [c.id]);
  await tx.query(`insert into audit_log (at, actor, action, participant_id, detail) values ($1, 'system', 'checkin.missed', $2, $3)`, [now, c.participantId, JSON.stringify({ checkin: c.id })]);
  const [previous] = await tx.query<{ missed: boolean }>(
    `select missed from checkin where participant_id = $1 and kind = 'mood' and sent_at < $2 order by sent_at desc limit 1`,
    [c.participantId, c.sentAt],
  );
  if (!previous?.missed) return { skip: 'first missed check-in (recorded)' };
  const p = (await participantById(tx, c.participantId))!;
  const what = t('sv', 'staff:escalation.reason.no-reply', { name: p.name, phone: formatPhone(p.phone) });
  const opened = await openEscalation(tx, p, 'no-reply', what, now, 'system');
  return opened.messages.length ? { send: opened.messages } : { skip: 'already escalated' };
};

export const checkinDueHandlers: Record<string, DueHandler> = { [WEEKLY]: weekly, [NO_REPLY]: noReply };

/** The last answers, oldest first: a score, or null for a missed or unanswered check-in. */
export async function recentScores(tx: Db, participantId: string, n = 8): Promise<{ sentAt: Date; answeredAt: Date | null; score: number | null; text: string | null }[]> {
  const rows = await tx.query<{ sentAt: Date; answeredAt: Date | null; score: number | null; text: string | null }>(
    `select sent_at as "sentAt", answered_at as "answeredAt", score, text from checkin where participant_id = $1 and kind = 'mood' order by sent_at desc limit $2`,
    [participantId, n],
  );
  return rows.reverse();
}

/** ▁▂▄▆█ for 1–5, · for no answer: a picture of the trend in any chat. */
export const sparkline = (scores: (number | null)[]) => scores.map((s) => (s ? '▁▂▄▆█'[s - 1] : '·')).join('');
