// Reading meetings. A meeting is on while booked or confirmed; held and missed say what happened.
import type { Db } from '../store/db.js';
import { DateTime } from 'luxon';
import { TIME_ZONE, type Agency } from '../model/index.js';
import type { Busy } from './calendar.js';

export const MEETING_TYPES = ['kartlaggning', 'sip', 'natverksmote', 'trepartssamtal', 'avstamningsmote', 'arendemote', 'uppfoljning', 'coach'] as const;

export interface Meeting {
  id: string;
  participantId: string;
  coachId: string;
  type: string;
  startAt: Date;
  durationMinutes: number;
  place: string | null;
  videoLink: string | null;
  interpreterLanguage: string | null;
  /** Other Lots staff invited (their calendars are checked too). */
  staffIds: string[];
  /** Agencies invited, by code. */
  agencies: Agency[];
  status: 'booked' | 'confirmed' | 'cancelled' | 'held' | 'missed';
  version: number;
  bookedBy: string | null;
}

export const MEETING_COLUMNS = `id, participant_id as "participantId", coach_id as "coachId", type, start_at as "startAt",
  duration_minutes as "durationMinutes", place, video_link as "videoLink", interpreter_language as "interpreterLanguage",
  staff_ids as "staffIds", agencies, status, version, booked_by as "bookedBy"`;

/** The meetings a date or time written in a message points at ("fredag", "kl 11", "1/12 kl 13"). */
/**
 * The time a request names (its `start` slot, Stockholm time). A day and month without a year that
 * has just passed ("20/11" on the 23rd) is read by the date grammar as next year; for a meeting that
 * is almost always a slip, so it is taken as the past date (refused as such rather than booked
 * eleven months ahead).
 */
export function startOf(slot: string, now: Date): Date {
  const start = DateTime.fromISO(slot, { zone: TIME_ZONE });
  const lastYear = start.minus({ years: 1 });
  const ago = now.getTime() - lastYear.toMillis();
  return (ago > 0 && ago < 31 * 86400_000 ? lastYear : start).toJSDate();
}

export function meetingsAt(meetings: Meeting[], written: { start: string; hasDate: boolean; hasTime: boolean }): Meeting[] {
  return meetings.filter((m) => {
    const local = DateTime.fromJSDate(m.startAt, { zone: TIME_ZONE }).toFormat("yyyy-MM-dd'T'HH:mm");
    return (!written.hasDate || local.slice(0, 10) === written.start.slice(0, 10)) && (!written.hasTime || local.slice(11) === written.start.slice(11));
  });
}

/**
 * The meetings a request names by day or time ("på fredag kl 11") and by kind ("SIP:en"), out of
 * those given; all of them when it names neither.
 */
export function meetingsNamed(meetings: Meeting[], written: { start: string; hasDate: boolean; hasTime: boolean } | null, type: string | undefined): Meeting[] {
  const atTime = written ? meetingsAt(meetings, written) : meetings;
  return type ? atTime.filter((m) => m.type === type) : atTime;
}

export const endOf = (m: Pick<Meeting, 'startAt' | 'durationMinutes'>) => new Date(m.startAt.getTime() + m.durationMinutes * 60_000);

export async function meetingById(db: Db, id: string): Promise<Meeting | null> {
  const [row] = await db.query<Meeting>(`select ${MEETING_COLUMNS} from meeting where id = $1`, [id]);
  return row ?? null;
}

/** The participant's next meeting that has not ended and is still on. */
export async function nextMeeting(db: Db, participantId: string, now: Date): Promise<Meeting | null> {
  const [row] = await db.query<Meeting>(
    `select ${MEETING_COLUMNS} from meeting
     where participant_id = $1 and status in ('booked', 'confirmed') and start_at + make_interval(mins => duration_minutes) > $2
     order by start_at limit 1`,
    [participantId, now],
  );
  return row ?? null;
}

/** Meetings still on that have not ended, soonest first. */
export async function upcomingMeetings(db: Db, participantId: string, now: Date): Promise<Meeting[]> {
  return db.query<Meeting>(
    `select ${MEETING_COLUMNS} from meeting
     where participant_id = $1 and status in ('booked', 'confirmed') and start_at + make_interval(mins => duration_minutes) > $2
     order by start_at limit 20`,
    [participantId, now],
  );
}

/**
 * The participant's meetings that have begun, in the last two weeks, the one attendance is most
 * likely about first: one that has ended before one still going on, the latest first.
 */
export async function begunMeetings(db: Db, participantId: string, now: Date): Promise<Meeting[]> {
  return db.query<Meeting>(
    `select ${MEETING_COLUMNS} from meeting
     where participant_id = $1 and status <> 'cancelled' and start_at <= $2 and start_at > $2 - interval '14 days'
     order by start_at + make_interval(mins => duration_minutes) <= $2 desc, start_at desc limit 20`,
    [participantId, now],
  );
}

export interface BusyMeeting extends Busy {
  id: string;
  participantId: string;
  coachId: string;
  staffIds: string[];
}

/** Meetings still on that involve the participant or any of these staff, between two times. */
export async function busyFor(db: Db, who: { participantId: string; staffIds: string[] }, from: Date, to: Date, excludeId?: string): Promise<BusyMeeting[]> {
  return db.query<BusyMeeting>(
    `select id, participant_id as "participantId", coach_id as "coachId", staff_ids as "staffIds",
            start_at as start, start_at + make_interval(mins => duration_minutes) as "end"
     from meeting
     where status in ('booked', 'confirmed') and start_at < $4 and start_at + make_interval(mins => duration_minutes) > $3
       and (participant_id = $1 or coach_id = any($2::text[]) or staff_ids && $2::text[])
       and ($5::text is null or id <> $5)`,
    [who.participantId, who.staffIds, from, to, excludeId ?? null],
  );
}
