// Booking, moving and cancelling meetings, whoever asks: the checks (working time, holidays,
// everyone's calendar), the stored meeting, its planned sends, and what each person is told.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../store/db.js';
import type { Agency, OutboundMessage } from '../model/index.js';
import { t } from '../i18n/index.js';
import { formatWhen } from '../i18n/format.js';
import { participantById, staffByIds, type Participant, type Staff } from '../directory/people.js';
import { expectAnswer } from '../core/conversation.js';
import { retireSends } from '../scheduler/scheduler.js';
import { holidayOn, leavesAt, local, nearestFree, overlaps, unbookable, type Unbookable } from './calendar.js';
import { meetingSettings, type MeetingSettings } from './settings.js';
import { busyFor, endOf, MEETING_COLUMNS, type Meeting } from './queries.js';
import { planMeetingSends } from './reminders.js';
import { meetingInvite } from './ics.js';
import { capitalised } from '../util/text.js';

export interface TimeCheck {
  start: Date;
  durationMinutes: number;
  participantId: string;
  /** Every Lots staff member who attends: the coach and anyone invited. */
  staffIds: string[];
  /** When moving: the meeting itself is not in the way. */
  excludeId?: string;
}

export type TimeProblem = { reason: Unbookable; holiday?: string } | { reason: 'conflict'; busy: 'participant' | string; at: Date };

/** Why the time does not work, with the nearest free times; or null when it does. */
export async function checkTime(tx: Db, check: TimeCheck, now: Date, settings: MeetingSettings): Promise<{ problem: TimeProblem; alternatives: Date[] } | null> {
  const window = { from: new Date(check.start.getTime() - 15 * 86400_000), to: new Date(check.start.getTime() + 16 * 86400_000) };
  const busy = await busyFor(tx, { participantId: check.participantId, staffIds: check.staffIds }, window.from, window.to, check.excludeId);
  const alternatives = () => nearestFree(check.start, check.durationMinutes, busy, now, settings);
  const reason = unbookable(check.start, check.durationMinutes, now, settings);
  if (reason) {
    const holiday = reason === 'holiday' ? holidayOn(local(check.start)) ?? undefined : undefined;
    return { problem: { reason, ...(holiday ? { holiday } : {}) }, alternatives: alternatives() };
  }
  const slot = { start: check.start, end: new Date(check.start.getTime() + check.durationMinutes * 60_000) };
  const clash = busy.find((b) => overlaps(slot, b));
  if (!clash) return null;
  const busyStaff = check.staffIds.find((id) => clash.coachId === id || clash.staffIds.includes(id));
  const who = clash.participantId === check.participantId ? 'participant' : busyStaff!;
  return { problem: { reason: 'conflict', busy: who, at: clash.start }, alternatives: alternatives() };
}

export interface NewMeeting {
  participant: Participant;
  bookedBy: Staff;
  type: string;
  start: Date;
  durationMinutes: number;
  staffIds: string[];
  agencies: Agency[];
  interpreterLanguage: string | null;
  place: string | null;
  videoLink: string | null;
}

export async function insertMeeting(tx: Db, m: NewMeeting): Promise<Meeting> {
  const [row] = await tx.query<Meeting>(
    `insert into meeting (id, participant_id, coach_id, type, start_at, duration_minutes, place, video_link, interpreter_language, staff_ids, agencies, booked_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning ${MEETING_COLUMNS}`,
    [
      `m-${randomUUID().slice(0, 8)}`,
      m.participant.id,
      m.participant.coachId,
      m.type,
      m.start,
      m.durationMinutes,
      m.place,
      m.videoLink,
      m.interpreterLanguage,
      m.staffIds,
      m.agencies,
      m.bookedBy.id,
    ],
  );
  return row!;
}

/** Moves a meeting: a new version, so its old reminders can never fire; asks the participant again. */
export async function moveMeeting(tx: Db, meeting: Meeting, start: Date, now: Date, log: Logger): Promise<Meeting> {
  const [row] = await tx.query<Meeting>(
    `update meeting set start_at = $2, status = 'booked', version = version + 1 where id = $1 returning ${MEETING_COLUMNS}`,
    [meeting.id, start],
  );
  await retireSends(tx, meeting.id, 'meeting moved', now);
  const participant = (await participantById(tx, meeting.participantId))!;
  await planMeetingSends(tx, row!, now, await meetingSettings(tx, participant.teamId), log);
  return row!;
}

export async function cancelMeeting(tx: Db, meeting: Meeting, now: Date, reason: string): Promise<Meeting> {
  const [row] = await tx.query<Meeting>(`update meeting set status = 'cancelled', version = version + 1 where id = $1 returning ${MEETING_COLUMNS}`, [meeting.id]);
  await retireSends(tx, meeting.id, reason, now);
  return row!;
}

/** Everyone from Lots who attends: the participant's coach first, then those invited. */
export async function meetingStaff(tx: Db, meeting: Meeting): Promise<Staff[]> {
  const people = await staffByIds(tx, [meeting.coachId, ...meeting.staffIds]);
  return people.sort((a, b) => Number(b.id === meeting.coachId) - Number(a.id === meeting.coachId));
}

/**
 * How staff name the participant. A protected-identity participant is named only to their own
 * coach; colleagues, calendars and the team lead's flags read a label instead.
 */
export const staffLabel = (p: Participant, readerId?: string) => (p.protectedIdentity && readerId !== p.coachId ? t('sv', 'staff:meeting.protectedName') : p.name);

// ── What people read ──────────────────────────────────────────────────────────────────────────

const firstName = (name: string) => name.split(' ')[0]!;

/** Who the participant meets, in words fit for an SMS: people by first name, agencies by name, health care only as "vården". */
function withWhom(lng: string, staff: Staff[], agencies: Agency[]): string {
  const names = [...staff.map((s) => firstName(s.name)), ...new Set(agencies.map((a) => t(lng, `participant:meeting.agencyInSms.${a}`)))];
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} ${t(lng, 'common:and')} ${names.at(-1)}` : (names[0] ?? '');
}

/**
 * The facts of a meeting as the participant reads them, in an SMS that is read at `readAt`. A
 * protected participant's SMS never names a place.
 */
export async function participantView(tx: Db, meeting: Meeting, participant: Participant, lng: string, readAt: Date, known?: Staff[]) {
  const staff = known ?? (await meetingStaff(tx, meeting));
  const where = participant.protectedIdentity
    ? t(lng, 'participant:meeting.placeFromCoach')
    : meeting.videoLink
      ? t(lng, 'participant:meeting.video', { link: meeting.videoLink })
      : meeting.place
        ? meeting.place
        : t(lng, 'participant:meeting.placeFromCoach');
  return {
    what: t(lng, `common:meetingType.${meeting.type}`),
    when: formatWhen(meeting.startAt, lng, readAt),
    where,
    with: withWhom(lng, staff, meeting.agencies),
    interpreter: meeting.interpreterLanguage ? t(lng, 'participant:meeting.interpreter') : '',
  };
}

/** The SMS that asks the participant to answer JA, NEJ or FLYTTA; their next answer is read as one. */
export async function askParticipant(tx: Db, meeting: Meeting, participant: Participant, key: 'booked' | 'moved', now: Date, settings: MeetingSettings): Promise<OutboundMessage> {
  await expectAnswer(tx, 'sms', participant.phone, 'booking', meeting.id, now);
  return {
    channel: 'sms',
    to: participant.phone,
    text: t(participant.language, `participant:meeting.${key}`, await participantView(tx, meeting, participant, participant.language, leavesAt(now, settings))),
    purpose: 'notification',
    participantId: participant.id,
  };
}

/** The facts of a meeting as staff read them (Swedish). */
export async function staffView(tx: Db, meeting: Meeting, participant: Participant, readerId?: string, known?: Staff[]) {
  const staff = known ?? (await meetingStaff(tx, meeting));
  const extras = [
    meeting.agencies.length ? t('sv', 'staff:meeting.agencies', { list: meeting.agencies.map((a) => t('sv', `common:agencyCode.${a}`)).join(', ') }) : '',
    staff.length > 1 ? t('sv', 'staff:meeting.colleagues', { list: staff.slice(1).map((s) => s.name).join(', ') }) : '',
    meeting.interpreterLanguage ? t('sv', 'staff:meeting.interpreter', { language: t('sv', `common:language.${meeting.interpreterLanguage}`) }) : '',
    meeting.videoLink ? t('sv', 'staff:meeting.videoLink', { link: meeting.videoLink }) : meeting.place ? t('sv', 'staff:meeting.place', { place: meeting.place }) : '',
  ].filter(Boolean);
  return {
    name: staffLabel(participant, readerId),
    what: t('sv', `staff:meetingType.${meeting.type}`),
    when: formatWhen(meeting.startAt, 'sv'),
    end: local(endOf(meeting)).toFormat('HH.mm'),
    extras: extras.length ? ` ${extras.join(' ')}` : '',
  };
}

/** A calendar invite (or its cancellation) for everyone from Lots at the meeting. */
export async function invite(tx: Db, meeting: Meeting, participant: Participant, method: 'REQUEST' | 'CANCEL', now: Date) {
  const staff = await meetingStaff(tx, meeting);
  const [booker] = meeting.bookedBy ? await staffByIds(tx, [meeting.bookedBy]) : [];
  const organizer = booker ?? staff[0]!;
  const view = await staffView(tx, meeting, participant, undefined, staff);
  return meetingInvite(
    {
      meeting,
      participantLabel: view.name,
      organizer: { name: organizer.name, email: organizer.email },
      attendees: staff.map((s) => ({ name: s.name, email: s.email })),
      notes: [view.extras.trim()].filter(Boolean),
      now,
    },
    method,
  );
}

/** How staff call the participant in a short sentence: the first name, or the label for a protected identity. */
export const shortName = (p: Participant, readerId?: string) => capitalised(staffLabel(p, readerId) === p.name ? p.name.split(' ')[0]! : staffLabel(p, readerId));
