// Meeting cadence against each agency's target (DOMAIN.md, report 000 table 12): how long since
// the participant last met the agency in a held meeting, whether the next one is booked in time,
// and green / yellow / red. Targets are programme settings; the figures are read from the
// meetings themselves, so they are always as current as the calendar.
import type { Db } from '../store/db.js';
import type { Agency } from '../model/index.js';
import { local } from './calendar.js';
import type { MeetingSettings } from './settings.js';

export type CadenceStatus = 'green' | 'yellow' | 'red';

export interface Cadence {
  agency: Exclude<Agency, 'coach'>;
  targetMonths: number;
  lastHeld: Date | null;
  nextBooked: Date | null;
  /** When the next meeting is due by the target: the last held one (or the start in the programme) plus the interval. */
  due: Date;
  status: CadenceStatus;
}

/** How close to the due date a meeting should be booked before the status turns yellow. */
const WARN_DAYS = 14;

/**
 * Cadence for one participant, for each agency with a target that the participant has a contact
 * at. Green: met within the interval and not due within two weeks, or the next meeting is booked
 * before the due date. Yellow: due within two weeks with nothing booked in time, or overdue with
 * a meeting booked. Red: overdue with nothing booked.
 */
export async function cadenceFor(db: Db, participantId: string, now: Date, settings: MeetingSettings): Promise<Cadence[]> {
  const rows = await db.query<{ agency: Exclude<Agency, 'coach'>; lastHeld: Date | null; nextBooked: Date | null; since: Date }>(
    `select a.agency,
            (select max(m.start_at) from meeting m where m.participant_id = $1 and m.status = 'held' and a.agency = any(m.agencies)) as "lastHeld",
            (select min(m.start_at) from meeting m where m.participant_id = $1 and m.status in ('booked', 'confirmed') and m.start_at > $2 and a.agency = any(m.agencies)) as "nextBooked",
            coalesce(p.started_at::timestamptz, p.created_at) as since
     from (select distinct agency from agency_contact where participant_id = $1) a, participant p
     where p.id = $1 order by a.agency`,
    [participantId, now],
  );
  const result: Cadence[] = [];
  for (const row of rows) {
    const targetMonths = settings.cadenceMonths[row.agency];
    if (!targetMonths) continue;
    const from = row.lastHeld ?? row.since;
    const due = local(from).plus({ months: targetMonths }).toJSDate();
    const bookedInTime = row.nextBooked !== null && row.nextBooked <= due;
    let status: CadenceStatus;
    if (bookedInTime || now.getTime() < due.getTime() - WARN_DAYS * 86400_000) status = 'green';
    else if (now < due || row.nextBooked) status = 'yellow';
    else status = 'red';
    result.push({ agency: row.agency, targetMonths, lastHeld: row.lastHeld, nextBooked: row.nextBooked, due, status });
  }
  return result;
}

export interface CadenceRate {
  agency: Exclude<Agency, 'coach'>;
  /** Held meetings with the agency per participant per month, over the period. */
  perParticipantMonth: number;
  /** The target as the same rate (1 / interval in months). */
  target: number;
  participants: number;
}

/**
 * A team's cadence as the reports measure it ("0.6 case meetings per participant and month
 * against a target of 1"): held meetings per participant-month with each agency, over the last
 * `months`, counting participants with a contact at that agency.
 */
export async function cadenceRates(db: Db, teamId: string, now: Date, settings: MeetingSettings, months = 3): Promise<CadenceRate[]> {
  const from = local(now).minus({ months }).toJSDate();
  const rows = await db.query<{ agency: Exclude<Agency, 'coach'>; participants: number; held: number }>(
    `select c.agency, count(distinct c.participant_id)::int as participants,
            (select count(*)::int from meeting m join participant p2 on p2.id = m.participant_id
              where p2.team_id = $1 and m.status = 'held' and m.start_at >= $2 and m.start_at < $3 and c.agency = any(m.agencies)) as held
     from agency_contact c join participant p on p.id = c.participant_id
     where p.team_id = $1 and p.ended_at is null
     group by c.agency order by c.agency`,
    [teamId, from, now],
  );
  return rows.flatMap((r) => {
    const interval = settings.cadenceMonths[r.agency];
    if (!interval || !r.participants) return [];
    return [{ agency: r.agency, participants: r.participants, perParticipantMonth: Math.round((r.held / (r.participants * months)) * 100) / 100, target: Math.round((1 / interval) * 100) / 100 }];
  });
}
