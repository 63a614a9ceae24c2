// A coach's side of meetings in chat: book, move, cancel, mark attendance, send a reminder now.
import type { Db } from '../store/db.js';
import type { Handler, StaffTurn } from '../core/turn.js';
import { audit, auditReads, reply, replyText, requestText, SAY_ACTION } from '../core/turn.js';
import { resolveParticipant } from '../directory/handlers.js';
import { staffByIds, teamStaff, visibleParticipant, type Participant, type Staff } from '../directory/people.js';
import type { Attachment } from '../model/index.js';
import { t } from '../i18n/index.js';
import { formatWhen } from '../i18n/format.js';
import { fold } from '../understanding/text.js';
import { findTime } from '../understanding/dates.js';
import { moveParts } from '../understanding/classify.js';
import { planSend } from '../scheduler/scheduler.js';
import { leavesAt, local, quietUntil } from './calendar.js';
import { meetingSettings } from './settings.js';
import { begunMeetings, meetingById, meetingsNamed, nextMeeting, startOf, upcomingMeetings, type Meeting } from './queries.js';
import { bookingDetails } from './details.js';
import { askParticipant, cancelMeeting, checkTime, insertMeeting, invite, meetingStaff, moveMeeting, shortName, staffView, type TimeProblem } from './booking.js';
import { planMeetingSends, REMINDER } from './reminders.js';
import { attendanceButtons, markAttendance } from './attendance.js';
import { cadenceFor } from './cadence.js';
import { CONSENT_IN_FORCE } from '../consent/consents.js';

/** False only when the consent in force to share with agencies is a no (none recorded: not refused). */
async function sharingConsented(tx: Db, participantId: string): Promise<boolean> {
  const [row] = await tx.query<{ granted: boolean | null }>(`select ${CONSENT_IN_FORCE('$1', "'agency_sharing'")} as granted`, [participantId]);
  return row?.granted !== false;
}

/** Meetings that usually take longer than an hour. */
const LONGER: Record<string, number> = { sip: 90, natverksmote: 90, kartlaggning: 90 };

const slotOf = (d: Date) => local(d).toFormat("yyyy-MM-dd'T'HH:mm");

/** Explains why a time does not work and offers the nearest free ones as numbered choices. */
async function refuse(turn: StaffTurn, participant: Participant, asked: Date, problem: TimeProblem, alternatives: Date[], staff: Staff[]): Promise<void> {
  let why: string;
  if (problem.reason === 'conflict') {
    const who = problem.busy === 'participant' ? participant.name.split(' ')[0]! : problem.busy === turn.staff.id ? t('sv', 'staff:book.you') : (staff.find((s) => s.id === problem.busy)?.name ?? '');
    why = t('sv', 'staff:book.why.conflict', { who, time: local(problem.at).toFormat('HH.mm') });
  } else {
    const hours = (await meetingSettings(turn.tx, participant.teamId)).workingHours;
    why = t('sv', `staff:book.why.${problem.reason}`, { holiday: problem.holiday, from: hours.start.replace(':', '.'), to: hours.end.replace(':', '.') });
  }
  if (!alternatives.length) return reply(turn, 'staff:book.refusedNoAlternative', { when: formatWhen(asked, 'sv'), why });
  const list = alternatives.map((d, i) => `${i + 1}) ${formatWhen(d, 'sv')}`).join('\n');
  // The answer "2" books (or moves to) the second time, with everything else the request said.
  turn.conversation.choices = alternatives.map((d) => ({
    intent: turn.understanding.intent,
    slots: { ...turn.understanding.slots, participant: participant.name, start: slotOf(d) },
    request: requestText(turn),
  }));
  // Each free time is also a button that answers its number.
  const buttons = alternatives.map((d, i) => ({ actionId: SAY_ACTION, value: String(i + 1), label: formatWhen(d, 'sv') }));
  reply(turn, 'staff:book.refused', { when: formatWhen(asked, 'sv'), why, list, numbers: alternatives.map((_, i) => i + 1).join(', ') }, { buttons });
}

/** Tells every Lots colleague at the meeting (not the one who acted) what happened, with the calendar file. */
async function tellColleagues(turn: StaffTurn, meeting: Meeting, participant: Participant, key: string, ics: Attachment): Promise<void> {
  const staff = await meetingStaff(turn.tx, meeting);
  for (const s of staff) {
    if (s.id === turn.staff.id) continue;
    const view = await staffView(turn.tx, meeting, participant, s.id, staff);
    turn.out.push({ channel: 'staff', to: s.email, text: t('sv', key, { ...view, by: turn.staff.name }), purpose: 'notification', attachments: [ics] });
  }
}

export const bookMeeting: Handler<StaffTurn> = async (turn) => {
  const participant = await resolveParticipant(turn);
  if (!participant) return;
  const start = startOf(turn.understanding.slots.start!, turn.now);
  const type = turn.understanding.slots.meetingType ?? 'coach';
  const details = bookingDetails(requestText(turn));
  // Colleagues named in the request are invited; the one booking attends unless they lead the team.
  const colleagues = (await teamStaff(turn.tx, turn.staff.teamId)).filter((s) => {
    const first = fold(s.name.split(' ')[0]!);
    return s.id !== participant.coachId && first !== fold(participant.name.split(' ')[0]!) && details.words.includes(first);
  });
  const staffIds = [...new Set([participant.coachId, ...(turn.staff.role === 'coach' ? [turn.staff.id] : []), ...colleagues.map((s) => s.id)])];
  const durationMinutes = details.durationMinutes ?? LONGER[type] ?? 60;
  const settings = await meetingSettings(turn.tx, participant.teamId);
  const refused = await checkTime(turn.tx, { start, durationMinutes, participantId: participant.id, staffIds }, turn.now, settings);
  if (refused) return refuse(turn, participant, start, refused.problem, refused.alternatives, await staffByIds(turn.tx, staffIds));

  const meeting = await insertMeeting(turn.tx, {
    participant,
    bookedBy: turn.staff,
    type,
    start,
    durationMinutes,
    staffIds: staffIds.filter((id) => id !== participant.coachId),
    agencies: details.agencies,
    interpreterLanguage: details.interpreter === 'participant' ? participant.language : details.interpreter,
    place: details.place ?? settings.defaultPlace ?? null,
    videoLink: details.videoLink,
  });
  await planMeetingSends(turn.tx, meeting, turn.now, settings, turn.log);
  turn.out.push(await askParticipant(turn.tx, meeting, participant, 'booked', turn.now, settings));
  const ics = await invite(turn.tx, meeting, participant, 'REQUEST', turn.now);
  const view = await staffView(turn.tx, meeting, participant, turn.staff.id);
  reply(turn, participant.optedOut ? 'staff:book.doneNoSms' : 'staff:book.done', { ...view, first: shortName(participant, turn.staff.id) }, { attachments: [ics] });
  // Lots shares nothing with agencies itself, but the coach will, in the meeting: they must know
  // when the participant said no to that (the consent in force, from the import).
  if (details.agencies.length && !(await sharingConsented(turn.tx, participant.id))) {
    reply(turn, 'staff:book.noSharingConsent', { first: shortName(participant, turn.staff.id), agencies: details.agencies.map((a) => t('sv', `common:agencyCode.${a}`)).join(', ') });
  }
  await tellColleagues(turn, meeting, participant, 'staff:book.invited', ics);
  await audit(turn, `staff:${turn.staff.id}`, 'meeting.booked', participant.id, { meeting: meeting.id, type });
};

/**
 * The meeting a move, cancel or reminder is about: the one on the date or at the time the request
 * names ("ställ in Annas möte på fredag kl 11"), of the type it names, else the next one. When
 * that does not point at exactly one meeting, Lots lists them and changes nothing.
 */
async function meetingToChange(turn: StaffTurn, which: string): Promise<{ participant: Participant; meeting: Meeting } | null> {
  const participant = await resolveParticipant(turn);
  if (!participant) return null;
  const upcoming = await upcomingMeetings(turn.tx, participant.id, turn.now);
  if (!upcoming.length) {
    reply(turn, 'staff:meeting.none', { name: participant.name });
    return null;
  }
  const written = findTime(which, turn.now);
  const type = turn.understanding.slots.meetingType;
  // Naming neither, the next one; "ställ in alla Annas möten": one at a time, from the list (it
  // cancelled the next one alone).
  const all = /\b(alla|samtliga|all)\b/.test(fold(which));
  const found = written || type ? meetingsNamed(upcoming, written, type) : all ? upcoming : upcoming.slice(0, 1);
  if (found.length === 1) return { participant, meeting: found[0]! };
  const list = upcoming.map((m) => `• ${t('sv', `staff:meetingType.${m.type}`)} ${formatWhen(m.startAt, 'sv')}`).join('\n');
  reply(turn, found.length ? 'staff:meeting.whichOne' : 'staff:meeting.noneThen', { name: participant.name, list });
  return null;
}

export const rescheduleMeeting: Handler<StaffTurn> = async (turn) => {
  const found = await meetingToChange(turn, moveParts(requestText(turn)).to === null ? '' : moveParts(requestText(turn)).which);
  if (!found) return;
  const { participant, meeting } = found;
  const start = startOf(turn.understanding.slots.start!, turn.now);
  const settings = await meetingSettings(turn.tx, participant.teamId);
  const staff = await meetingStaff(turn.tx, meeting);
  const refused = await checkTime(
    turn.tx,
    { start, durationMinutes: meeting.durationMinutes, participantId: participant.id, staffIds: staff.map((s) => s.id), excludeId: meeting.id },
    turn.now,
    settings,
  );
  if (refused) return refuse(turn, participant, start, refused.problem, refused.alternatives, staff);
  const moved = await moveMeeting(turn.tx, meeting, start, turn.now, turn.log);
  turn.out.push(await askParticipant(turn.tx, moved, participant, 'moved', turn.now, settings));
  const ics = await invite(turn.tx, moved, participant, 'REQUEST', turn.now);
  const view = await staffView(turn.tx, moved, participant, turn.staff.id);
  reply(turn, 'staff:move.done', { ...view, from: formatWhen(meeting.startAt, 'sv'), first: shortName(participant, turn.staff.id) }, { attachments: [ics] });
  await tellColleagues(turn, moved, participant, 'staff:move.invited', ics);
  await audit(turn, `staff:${turn.staff.id}`, 'meeting.moved', participant.id, { meeting: meeting.id, version: moved.version });
};

export const cancelMeetingByStaff: Handler<StaffTurn> = async (turn) => {
  const found = await meetingToChange(turn, requestText(turn));
  if (!found) return;
  const { participant, meeting } = found;
  const cancelled = await cancelMeeting(turn.tx, meeting, turn.now, 'meeting cancelled by staff');
  const lng = participant.language;
  turn.out.push({
    channel: 'sms',
    to: participant.phone,
    text: t(lng, 'participant:meeting.cancelledByCoach', { when: formatWhen(meeting.startAt, lng, leavesAt(turn.now, await meetingSettings(turn.tx, participant.teamId))) }),
    purpose: 'notification',
    participantId: participant.id,
  });
  const ics = await invite(turn.tx, cancelled, participant, 'CANCEL', turn.now);
  const view = await staffView(turn.tx, meeting, participant, turn.staff.id);
  reply(turn, 'staff:cancel.done', view, { attachments: [ics] });
  await tellColleagues(turn, cancelled, participant, 'staff:cancel.invited', ics);
  await audit(turn, `staff:${turn.staff.id}`, 'meeting.cancelled', participant.id, { meeting: meeting.id });
};

/** Marks attendance and replies; shared by the chat command and the button. */
async function mark(turn: StaffTurn, meeting: Meeting, participant: Participant, attended: boolean): Promise<void> {
  const marked = await markAttendance(turn.tx, meeting, attended, turn.staff.id, turn.now);
  // A mark made the other way before (an old button pressed) is changed, and the reply says so.
  const changed = meeting.status === (attended ? 'missed' : 'held');
  reply(turn, `staff:attendance.${attended ? 'markedHeld' : 'markedMissed'}${changed ? 'Changed' : ''}`, {
    name: participant.name,
    what: t('sv', `staff:meetingType.${meeting.type}`),
    when: formatWhen(meeting.startAt, 'sv'),
  });
  for (const notice of marked.notices) turn.out.push(notice);
}

export const attendanceByChat: Handler<StaffTurn> = async (turn) => {
  const participant = await resolveParticipant(turn);
  if (!participant) return;
  // A day or a kind of meeting named ("uteblev från SIP:en i fredags") picks that meeting; else
  // the latest that has begun.
  const written = findTime(turn.msg.text, turn.now);
  const type = turn.understanding.slots.meetingType;
  const meeting = meetingsNamed(await begunMeetings(turn.tx, participant.id, turn.now), written?.hasDate ? { ...written, hasTime: false } : null, type)[0];
  if (!meeting) return reply(turn, 'staff:attendance.noRecent', { name: participant.name });
  const attended = turn.understanding.slots.attended;
  // Not said, or said against a mark already made ("uteblev förra veckan" after today's was marked
  // attended): asked with the buttons, not overwritten.
  const against = (meeting.status === 'held' && attended === false) || (meeting.status === 'missed' && attended === true);
  if (attended === undefined || against) {
    return reply(turn, 'staff:attendance.question', { name: participant.name, what: t('sv', `staff:meetingType.${meeting.type}`), when: formatWhen(meeting.startAt, 'sv') }, { buttons: attendanceButtons(meeting) });
  }
  await mark(turn, meeting, participant, attended);
};

/** The Kom / Kom inte buttons. The value names the meeting and its version: a moved meeting's old question does nothing. */
export async function attendanceByButton(turn: StaffTurn, value: string): Promise<void> {
  const [id, version, outcome] = value.split(':');
  const meeting = id ? await meetingById(turn.tx, id) : null;
  const participant = meeting && (await visibleParticipant(turn.tx, turn.staff, meeting.participantId));
  if (!meeting || !participant || (outcome !== 'held' && outcome !== 'missed')) return reply(turn, 'staff:attendance.unknownMeeting');
  if (String(meeting.version) !== version || meeting.status === 'cancelled') return reply(turn, 'staff:attendance.stale');
  await mark(turn, meeting, participant, outcome === 'held');
}

/** A participant's next meeting, and how their meetings with agencies keep up with the targets. */
export const staffMeetingNext: Handler<StaffTurn> = async (turn) => {
  const participant = await resolveParticipant(turn);
  if (!participant) return;
  const meeting = await nextMeeting(turn.tx, participant.id, turn.now);
  const lines = [
    meeting
      ? t('sv', 'staff:meeting.next', { name: participant.name, what: t('sv', `staff:meetingType.${meeting.type}`), when: formatWhen(meeting.startAt, 'sv') })
      : t('sv', 'staff:meeting.none', { name: participant.name }),
  ];
  const cadence = await cadenceFor(turn.tx, participant.id, turn.now, await meetingSettings(turn.tx, participant.teamId));
  if (cadence.length) {
    const day = (d: Date) => local(d).setLocale('sv').toFormat(local(d).year === local(turn.now).year ? 'd MMMM' : 'd MMMM yyyy');
    const list = cadence.map((c) =>
      t('sv', 'staff:meeting.cadenceLine', {
        agency: t('sv', `common:agencyCode.${c.agency}`),
        status: t('sv', `staff:meeting.cadenceStatus.${c.status}`),
        detail: [
          c.lastHeld ? t('sv', 'staff:meeting.cadenceDetail.last', { date: day(c.lastHeld) }) : t('sv', 'staff:meeting.cadenceDetail.never'),
          c.nextBooked
            ? t('sv', 'staff:meeting.cadenceDetail.next', { date: day(c.nextBooked) })
            : t('sv', c.due < turn.now ? 'staff:meeting.cadenceDetail.overdue' : 'staff:meeting.cadenceDetail.due', { date: day(c.due) }),
        ].join(', '),
      }),
    );
    lines.push(t('sv', 'staff:meeting.cadence', { list: list.join('; ') }));
  }
  await auditReads(turn, 'read.meetings', [participant.id]);
  replyText(turn, lines.join('\n'));
};

/** "Skicka en påminnelse till Anna": now, or at the end of quiet hours. */
export const sendReminderNow: Handler<StaffTurn> = async (turn) => {
  const found = await meetingToChange(turn, requestText(turn));
  if (!found) return;
  const { participant, meeting } = found;
  const settings = await meetingSettings(turn.tx, participant.teamId);
  const quietEnds = quietUntil(turn.now, settings);
  const dueAt = quietEnds ?? turn.now;
  // Planned like any reminder, so the same rules (opt-out, quiet hours, a moved meeting) decide it.
  await planSend(turn.tx, { kind: REMINDER, ref: meeting.id, version: meeting.version, label: `manual ${turn.now.toISOString()}`, participantId: participant.id, dueAt }, turn.now);
  turn.runDue = !quietEnds;
  // Asked for: whether it goes is decided when it falls due (opt-out, a crisis, quiet hours), as for any reminder.
  await audit(turn, `staff:${turn.staff.id}`, 'reminder.requested', participant.id, { meeting: meeting.id, at: dueAt.toISOString() });
  if (participant.optedOut) return reply(turn, 'staff:reminder.optedOut', { name: participant.name });
  if (quietEnds) reply(turn, 'staff:reminder.later', { name: participant.name, when: formatWhen(meeting.startAt, 'sv'), at: formatWhen(quietEnds, 'sv', turn.now) });
  else reply(turn, 'staff:reminder.queued', { name: participant.name, when: formatWhen(meeting.startAt, 'sv') });
};
