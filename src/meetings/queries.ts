import type { Db } from '../store/db.js';

export interface Meeting {
  id: string;
  participantId: string;
  coachId: string;
  type: string;
  startAt: Date;
  durationMinutes: number;
  place: string | null;
  status: 'booked' | 'confirmed' | 'cancelled' | 'held' | 'missed';
  version: number;
}

export const MEETING_COLUMNS = `id, participant_id as "participantId", coach_id as "coachId", type, start_at as "startAt",
  duration_minutes as "durationMinutes", place, status, version`;

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
