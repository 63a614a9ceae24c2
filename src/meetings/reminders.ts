// Reminders and the attendance question, planned when a meeting is booked or moved and run by
// the scheduler when they fall due by Lots' clock. Times are reckoned in Europe/Stockholm, so
// "two days before" is the same wall-clock time across a DST change.
import { DateTime, Duration } from 'luxon';
import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import { t } from '../i18n/index.js';
import { participantById, PARTICIPANT_SELECT, type Participant } from '../directory/people.js';
import { expectAnswer } from '../core/conversation.js';
import { planSend, type DueHandler, type PlannedSend } from '../scheduler/scheduler.js';
import { beforeQuietHours, inQuietHours, leavesAt, local, quietUntil } from './calendar.js';
import { meetingSettings, type MeetingSettings } from './settings.js';
import { endOf, meetingById, MEETING_COLUMNS, type Meeting } from './queries.js';
import { meetingStaff, participantView } from './booking.js';
import { automationPaused } from '../escalations/escalations.js';
import { inOfficeHours, nextOfficeOpening } from '../i18n/format.js';
import { attendanceButtons } from './attendance.js';

export const REMINDER = 'meeting.reminder';
export const ATTENDANCE = 'meeting.attendance';

/** A reminder deferred out of quiet hours must still arrive this long before the meeting. */
const LATEST_USEFUL_MS = 30 * 60_000;

/** When a reminder `offset` before the meeting goes out: moved out of quiet hours, earlier. */
export function reminderTime(start: Date, offset: string, settings: MeetingSettings): Date {
  let due: DateTime = local(start).minus(Duration.fromISO(offset));
  if (inQuietHours(due, settings)) due = beforeQuietHours(due, settings);
  return due.toJSDate();
}

/**
 * Plans a meeting's reminders and its attendance question. One already past when planned (a
 * meeting booked late) is recorded as skipped with the reason, and logged, never silently lost.
 */
export async function planMeetingSends(tx: Db, meeting: Meeting, now: Date, settings: MeetingSettings, log?: Logger): Promise<void> {
  const offsets = settings.reminders.byType[meeting.type] ?? settings.reminders.default;
  const taken = new Set<number>();
  for (const offset of offsets) {
    const dueAt = reminderTime(meeting.startAt, offset, settings);
    const skip = dueAt <= now ? 'due before the meeting was booked or moved' : taken.has(dueAt.getTime()) ? 'same time as another reminder' : undefined;
    taken.add(dueAt.getTime());
    await planSend(tx, { kind: REMINDER, ref: meeting.id, version: meeting.version, label: offset, participantId: meeting.participantId, dueAt }, now, skip);
    if (skip) log?.info({ meeting: meeting.id, reminder: offset, reason: skip }, 'reminder skipped');
  }
  const end = endOf(meeting);
  await planSend(tx, { kind: ATTENDANCE, ref: meeting.id, version: meeting.version, label: 'end', participantId: meeting.participantId, dueAt: end }, now, end <= now ? 'meeting ended before it was booked' : undefined);
}

/** Later than a scheduler tick: the reminder was not run when it fell due. */
const LATE_MS = 60_000;

async function laterReminderDue(tx: Db, send: PlannedSend, now: Date): Promise<boolean> {
  const rows = await tx.query(
    `select 1 from planned_send where ref = $1 and kind = $2 and version = $3 and id <> $4 and due_at > $5 and due_at <= $6 and status in ('planned', 'queued', 'done') limit 1`,
    [send.ref, REMINDER, send.version, send.id, send.dueAt, now],
  );
  return rows.length > 0;
}

const isOn = (m: Meeting | null, version: number): m is Meeting => Boolean(m && m.version === version && (m.status === 'booked' || m.status === 'confirmed'));

/** The reminder SMS, decided when it falls due: the meeting may have moved, the person opted out, or it is night. */
const sendReminder: DueHandler = async (tx, send, now, memo) => {
  const [found] = await tx.query<Meeting & { participant: Participant | null }>(
    `select ${MEETING_COLUMNS}, (select row_to_json(p) from (${PARTICIPANT_SELECT} where id = meeting.participant_id) p) as participant from meeting where id = $1`,
    [send.ref],
  );
  const meeting = found ?? null;
  if (!isOn(meeting, send.version)) return { skip: 'meeting moved or cancelled' };
  const participant = found!.participant;
  if (!participant) return { skip: 'participant erased' };
  if (participant.optedOut) return { skip: 'opted out' };
  if (await automationPaused(tx, participant.id)) return { skip: 'paused after a crisis until a coach resolves it' };
  if (now >= meeting.startAt) return { skip: 'meeting already started' };
  // After a gap (a server down, a clock moved on) several of a meeting's reminders fall due at
  // once: only the latest is sent, not two alike in one minute. A reminder run on time (within a
  // tick) has no later one due beside it, so only a late one asks.
  if (now.getTime() - send.dueAt.getTime() > LATE_MS && (await laterReminderDue(tx, send, now))) return { skip: 'a later reminder for the meeting is due too' };
  const settings = await memo(`settings:${participant.teamId}`, () => meetingSettings(tx, participant.teamId));
  // Handed over late (the server was down): never in the night; in the morning if that is still in time.
  const morning = quietUntil(now, settings);
  if (morning) {
    // A later reminder of the meeting due by then goes instead (two alike at 08:00 otherwise).
    if (await laterReminderDue(tx, send, morning)) return { skip: 'a later reminder for the meeting is due too' };
    return morning.getTime() <= meeting.startAt.getTime() - LATEST_USEFUL_MS ? { deferTo: morning } : { skip: 'quiet hours until the meeting' };
  }
  const lng = participant.language;
  const staff = await memo(`staff:${meeting.coachId}:${meeting.staffIds.join(',')}`, () => meetingStaff(tx, meeting));
  const text = t(lng, 'participant:meeting.reminder', await participantView(tx, meeting, participant, lng, leavesAt(now, settings), staff));
  // "NEJ" or "FLYTTA" after a reminder answers about this meeting.
  await expectAnswer(tx, 'sms', participant.phone, 'booking', meeting.id, now);
  return { send: [{ channel: 'sms', to: participant.phone, text, purpose: 'reminder', participantId: participant.id }] };
};

/** After the meeting's end: did the participant come? Asked of the coach unless already marked. */
const askAttendance: DueHandler = async (tx, send, now) => {
  const meeting = await meetingById(tx, send.ref);
  if (!isOn(meeting, send.version)) return { skip: 'attendance already marked, or the meeting moved or was cancelled' };
  // A question for the coach waits for office hours (a clock that jumped, a server that was down).
  if (!inOfficeHours(now)) return { deferTo: nextOfficeOpening(now) };
  const participant = await participantById(tx, meeting.participantId);
  if (!participant) return { skip: 'participant erased' };
  const [coach] = await tx.query<{ email: string }>(`select email from staff where id = $1`, [meeting.coachId]);
  const text = t('sv', 'staff:attendance.question', { name: participant.name, what: t('sv', `staff:meetingType.${meeting.type}`), when: local(meeting.startAt).setLocale('sv').toFormat("cccc d LLLL 'kl' HH.mm") });
  return { send: [{ channel: 'staff', to: coach!.email, text, purpose: 'notification', buttons: attendanceButtons(meeting) }] };
};

export const meetingDueHandlers: Record<string, DueHandler> = { [REMINDER]: sendReminder, [ATTENDANCE]: askAttendance };
