// Attendance: marked by a button on the question after the meeting, or in chat ("Omar uteblev").
// The first no-show alerts the coach at once with a suggestion to reach out (the reports: act
// on the first, not the third); the third in 90 days also tells the team lead.
import type { Button, OutboundMessage } from '../model/index.js';
import type { Db } from '../store/db.js';
import { t } from '../i18n/index.js';
import { caretakers, participantById } from '../directory/people.js';
import { formatPhone } from '../util/phone.js';
import { retireSends } from '../scheduler/scheduler.js';
import { openEscalation } from '../escalations/escalations.js';
import { MEETING_COLUMNS, type Meeting } from './queries.js';
import { staffLabel } from './booking.js';
import { capitalised } from '../util/text.js';
import { formatWhen } from '../i18n/format.js';

export const ATTENDANCE_ACTION = 'meeting.attendance';
const NO_SHOW_WINDOW_DAYS = 90;
const NO_SHOWS_FOR_LEAD = 3;

export function attendanceButtons(meeting: Meeting): Button[] {
  return [
    { actionId: ATTENDANCE_ACTION, value: `${meeting.id}:${meeting.version}:held`, label: t('sv', 'staff:attendance.came') },
    { actionId: ATTENDANCE_ACTION, value: `${meeting.id}:${meeting.version}:missed`, label: t('sv', 'staff:attendance.missed') },
  ];
}

export interface Marked {
  meeting: Meeting;
  /** What others are told (the coach about a no-show, the team lead after the third). */
  notices: OutboundMessage[];
  noShowsIn90Days: number;
}

/** Marks a meeting held or missed (a correction is allowed) and tells whom a no-show concerns. */
export async function markAttendance(tx: Db, meeting: Meeting, attended: boolean, by: string, now: Date): Promise<Marked> {
  // Marked missed before (then corrected): marking it missed again is no new no-show to alert on.
  const missedBefore = (await tx.query(`select 1 from audit_log where participant_id = $1 and action = 'meeting.missed' and detail->>'meeting' = $2 limit 1`, [meeting.participantId, meeting.id])).length > 0;
  const [row] = await tx.query<Meeting>(
    `update meeting set status = $2, attended_marked_by = $3 where id = $1 returning ${MEETING_COLUMNS}`,
    [meeting.id, attended ? 'held' : 'missed', by],
  );
  await retireSends(tx, meeting.id, 'attendance marked', now);
  await tx.query(`insert into audit_log (at, actor, action, participant_id, detail) values ($1, $2, $3, $4, $5)`, [
    now,
    `staff:${by}`,
    attended ? 'meeting.held' : 'meeting.missed',
    meeting.participantId,
    JSON.stringify({ meeting: meeting.id }),
  ]);
  const [{ n }] = (await tx.query<{ n: number }>(
    `select count(*)::int as n from meeting where participant_id = $1 and status = 'missed' and start_at > $2::timestamptz - make_interval(days => $3)`,
    [meeting.participantId, now, NO_SHOW_WINDOW_DAYS],
  )) as [{ n: number }];
  const notices: OutboundMessage[] = [];
  // A correction from missed to held tells no one; a change the other way is a new no-show, once.
  if (!attended && meeting.status !== 'missed' && !missedBefore) {
    const participant = (await participantById(tx, meeting.participantId))!;
    const { coach, lead } = await caretakers(tx, participant);
    const vars = {
      name: participant.name,
      what: t('sv', `staff:meetingType.${meeting.type}`),
      when: formatWhen(meeting.startAt, 'sv'),
      phone: formatPhone(participant.phone),
      count: n,
    };
    // An escalation, so the no-show is followed up (Kvittera / Jag ringer / Löst) and climbs if no one does.
    const what = t('sv', n === 1 ? 'staff:attendance.firstNoShow' : 'staff:attendance.noShow', vars);
    notices.push(...(await openEscalation(tx, participant, 'no-show', what, now, `staff:${by}`, true)).messages);
    if (n >= NO_SHOWS_FOR_LEAD && lead) {
      notices.push({ channel: 'staff', to: lead.email, text: t('sv', 'staff:attendance.leadFlag', { ...vars, name: capitalised(staffLabel(participant)), coach: coach.name }), purpose: 'notification' });
    }
  }
  return { meeting: row!, notices, noShowsIn90Days: n };
}
