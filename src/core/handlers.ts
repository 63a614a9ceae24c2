// Which handler answers which intent, per role. Parts of the product add theirs here.
import type { Handler, ParticipantTurn, StaffTurn, Turn } from './turn.js';
import { auditReads, reply, replyText } from './turn.js';
import { participantContactLookup, staffContactLookup } from '../directory/handlers.js';
import { visibleParticipants } from '../directory/people.js';
import { optin, optout } from '../consent/handlers.js';
import { participantMeetingAnswer, participantMeetingNext, participantMeetingRequest } from '../meetings/participant.js';
import { attendanceByButton, attendanceByChat, bookMeeting, cancelMeetingByStaff, rescheduleMeeting, sendReminderNow, staffMeetingNext } from '../meetings/staff.js';
import { ATTENDANCE_ACTION } from '../meetings/attendance.js';
import { crisis, escalationAction, escalationList, escalationRequest } from '../escalations/handlers.js';
import { ACTION as ESCALATION_ACTION } from '../escalations/escalations.js';
import { checkinAnswer, checkinSend, checkinStatus } from '../checkins/handlers.js';
import { digestRequest } from '../digests/digests.js';
import { t } from '../i18n/index.js';
import { fold } from '../understanding/text.js';
import { passToCoach, saysMore } from './understand.js';

const ns = (turn: Turn) => ('participant' in turn ? 'participant' : 'staff');
/**
 * The answer stays the same; the coach reads it too (saysMore). Not for a participant who sent
 * STOP: Lots answered nothing, and the opted-out notice says so instead (src/core/lots.ts).
 */
async function alsoToCoach(turn: Turn) {
  if ('participant' in turn && !(turn as ParticipantTurn).participant.optedOut && saysMore(turn.understanding, turn.msg.text)) await passToCoach(turn, 'staff:notify.told');
}
export const help: Handler<Turn> = async (turn) => {
  reply(turn, `${ns(turn)}:help`);
  await alsoToCoach(turn);
};
export const unknown: Handler<Turn> = async (turn) => reply(turn, `${ns(turn)}:unknown`);
const smalltalk: Handler<Turn> = async (turn) => {
  const thanks = /\b(tack|tackar|thanks|thank)\b/.test(fold(turn.msg.text));
  reply(turn, `${ns(turn)}:${turn.understanding.told ? 'told' : thanks ? 'thanks' : 'smalltalk'}`);
  await alsoToCoach(turn);
};

export const participantHandlers: Record<string, Handler<ParticipantTurn>> = {
  crisis,
  'contact.lookup': participantContactLookup,
  'meeting.next': participantMeetingNext,
  'meeting.confirm': participantMeetingAnswer('confirm'),
  'meeting.cancel': participantMeetingAnswer('cancel'),
  'meeting.reschedule': participantMeetingAnswer('reschedule'),
  'meeting.request': participantMeetingRequest,
  'escalation.request': escalationRequest,
  'checkin.answer': checkinAnswer,
  optout,
  optin,
  help,
  smalltalk,
};

const caseloadList: Handler<StaffTurn> = async (turn) => {
  // An admin manages the programme and sees no one in chat: said, not an empty list.
  if (turn.staff.role === 'admin') return reply(turn, 'staff:caseload.admin');
  const people = await visibleParticipants(turn.tx, turn.staff);
  const coaches = new Map((await turn.tx.query<{ id: string; name: string }>(`select id, name from staff where team_id = $1`, [turn.staff.teamId])).map((s) => [s.id, s.name]));
  // A coach's own participants first.
  people.sort((a, b) => Number(b.coachId === turn.staff.id) - Number(a.coachId === turn.staff.id) || a.name.localeCompare(b.name, 'sv'));
  const lines = people.map(
    (p) => `• ${t(turn.lng, 'staff:caseload.line', { name: p.name, coach: coaches.get(p.coachId) ?? '–' })}${p.protectedIdentity ? ` ${t(turn.lng, 'staff:caseload.protected')}` : ''}`,
  );
  await auditReads(turn, 'read.caseload', people.map((p) => p.id));
  // "Mina deltagare" from a coach who also sees colleagues' people: how many are her own.
  const own = people.filter((p) => p.coachId === turn.staff.id).length;
  const header = own > 0 && own < people.length ? t(turn.lng, 'staff:caseload.headerOwnFirst', { count: people.length, own }) : t(turn.lng, 'staff:caseload.header', { count: people.length });
  replyText(turn, [header, ...lines].join('\n'));
};

export const staffHandlers: Record<string, Handler<StaffTurn>> = {
  'contact.lookup': staffContactLookup,
  'meeting.next': staffMeetingNext,
  'caseload.list': caseloadList,
  'meeting.book': bookMeeting,
  'meeting.reschedule': rescheduleMeeting,
  'meeting.cancel': cancelMeetingByStaff,
  'meeting.attendance': attendanceByChat,
  'reminder.send': sendReminderNow,
  'escalation.list': escalationList,
  'checkin.send': checkinSend,
  'checkin.status': checkinStatus,
  'digest.request': digestRequest,
  help,
  smalltalk,
};

/** Buttons pressed in a staff chat, by action id. */
export const staffActions: Record<string, (turn: StaffTurn, value: string) => Promise<void>> = {
  [ATTENDANCE_ACTION]: attendanceByButton,
  'escalation.list': (turn) => escalationList(turn),
  ...Object.fromEntries(Object.values(ESCALATION_ACTION).map((a) => [a, escalationAction(a)])),
};
