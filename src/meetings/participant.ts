// A participant's side of meetings: when is my next one; JA / NEJ / FLYTTA to it; asking for one.
import type { Handler, ParticipantTurn } from '../core/turn.js';
import { audit, notify, reply } from '../core/turn.js';
import { caretakers } from '../directory/people.js';
import { formatWhen } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { MEETING_COLUMNS, meetingById, meetingsAt, nextMeeting, startOf, upcomingMeetings, type Meeting } from './queries.js';
import { findTime } from '../understanding/dates.js';
import { fold, tokens } from '../understanding/text.js';
import { resumeSends, retireSends } from '../scheduler/scheduler.js';
import { REMINDER } from './reminders.js';
import { local } from './calendar.js';
import { cancelMeeting, invite, meetingStaff, participantView, staffView } from './booking.js';

export const participantMeetingNext: Handler<ParticipantTurn> = async (turn) => {
  const meeting = await nextMeeting(turn.tx, turn.participant.id, turn.now);
  if (!meeting) {
    turn.conversation.offered = 'meeting.request';
    return reply(turn, 'participant:meeting.none');
  }
  const view = await participantView(turn.tx, meeting, turn.participant, turn.lng, turn.now);
  reply(turn, 'participant:meeting.next', view);
};

/** The participant's meeting the last booking SMS or reminder asked JA, NEJ or FLYTTA about, if it is still on and ahead. */
export async function askedMeeting(turn: ParticipantTurn): Promise<Meeting | null> {
  const ref = turn.conversation.expecting === 'booking' ? turn.conversation.ref : undefined;
  const asked = ref ? await meetingById(turn.tx, ref) : null;
  const stillAhead = asked && asked.participantId === turn.participant.id && (asked.status === 'booked' || asked.status === 'confirmed') && asked.startAt > turn.now;
  return stillAhead ? asked : null;
}

/**
 * The meeting an answer is about: the one the last booking SMS or reminder asked about, if still
 * ahead. Otherwise Lots does not guess: a day named in the message ("jag kan inte på tisdag")
 * points at the meeting that day, and then, as with no day at all, Lots asks back before it changes
 * anything ("Menar du mötet tisdag …? Svara NEJ igen"). `sure` says whether to act now.
 */
async function answeredMeeting(turn: ParticipantTurn, asked: Meeting | null): Promise<{ meeting: Meeting; sure: boolean } | null> {
  const written = findTime(turn.msg.text, turn.now);
  // A day named in the answer that is not the asked meeting's day is about another meeting.
  if (asked && (!written || meetingsAt([asked], written).length)) return { meeting: asked, sure: true };
  const upcoming = await upcomingMeetings(turn.tx, turn.participant.id, turn.now);
  const meeting = (written ? meetingsAt(upcoming, written)[0] : undefined) ?? upcoming[0];
  return meeting ? { meeting, sure: false } : null;
}

const ANSWER_WORD = { confirm: 'JA', cancel: 'NEJ', reschedule: 'FLYTTA' } as const;

/**
 * The new time a request to move names ("kan vi flytta mötet till tisdag kl 10": the understanding's
 * `start` slot), as an ISO time for the coach's note, unless it is the meeting's own. Lots does not
 * move the meeting itself; the coach finds a time.
 */
function wishedTime(turn: ParticipantTurn, meeting: Meeting): string | undefined {
  const slot = turn.understanding.slots.start;
  const at = slot ? startOf(slot, turn.now) : undefined;
  return at && at.getTime() !== meeting.startAt.getTime() ? at.toISOString() : undefined;
}

/** Up to this many words, and not a question, an answer is plain: "nej", "kan inte", "FLYTTA tack". */
const PLAIN_ANSWER_WORDS = 3;
const plainAnswer = (text: string) => tokens(text).length <= PLAIN_ANSWER_WORDS && !text.includes('?');

/** Why a meeting's reminders stop when its participant asks to move it (and come again on a JA). */
const MOVE_ASKED = 'participant asked to move';

/**
 * A time wished for after a FLYTTA already passed on ("kan vi ta det på fredag kl 13 istället"):
 * the coach, who is finding a new time, gets the wish; the participant is not asked to FLYTTA again
 * (a new user's wish was lost so). The meeting is the one of theirs with a move asked for.
 */
async function wishAfterMove(turn: ParticipantTurn): Promise<boolean> {
  if (!turn.understanding.slots.start) return false;
  const [meeting] = await turn.tx.query<Meeting>(
    `select ${MEETING_COLUMNS} from meeting where participant_id = $1 and move_asked_version = version and status in ('booked', 'confirmed') and start_at > $2 order by start_at limit 1`,
    [turn.participant.id, turn.now],
  );
  const wished = meeting && wishedTime(turn, meeting);
  if (!wished || new Date(wished) <= turn.now) return false;
  const { coach } = await caretakers(turn.tx, turn.participant);
  const wish = t('sv', 'staff:notify.moveWish', { when: formatWhen(new Date(wished), 'sv') });
  notify(turn, coach, 'staff:notify.moveWishLater', { ...(await staffView(turn.tx, meeting, turn.participant, coach.id)), wish });
  reply(turn, 'participant:meeting.wishPassed', { when: formatWhen(new Date(wished), turn.lng, turn.now) });
  await audit(turn, `participant:${turn.participant.id}`, 'meeting.moveWish', turn.participant.id, { meeting: meeting.id });
  return true;
}

/**
 * JA, NEJ or FLYTTA: NEJ cancels and tells the coach at once; FLYTTA asks the coach for a new time.
 * A cancel or move read from a sentence or a question is asked about first, even right after a
 * reminder: "dörren är låst, kan inte komma in", "jag kommer inte att missa mötet" and "ska vi
 * avboka?" read like NEJ to a classifier, and a meeting cancelled on a misreading is a missed
 * meeting. The coach reads such a sentence at once, so a real "kan inte komma, är sjuk" is not lost.
 */
export function participantMeetingAnswer(answer: 'confirm' | 'cancel' | 'reschedule'): Handler<ParticipantTurn> {
  return async (turn) => {
    const asked = await askedMeeting(turn);
    if (answer === 'reschedule' && !asked && (await wishAfterMove(turn))) return;
    const answered = await answeredMeeting(turn, asked);
    if (!answered) return reply(turn, 'participant:meeting.nothingToAnswer');
    const { meeting, sure } = answered;
    const plain = answer === 'confirm' || plainAnswer(turn.msg.text);
    const { coach } = await caretakers(turn.tx, turn.participant);
    const mine = { what: t(turn.lng, `common:meetingType.${meeting.type}`), when: formatWhen(meeting.startAt, turn.lng, turn.now) };
    const wished = answer === 'reschedule' ? (wishedTime(turn, meeting) ?? turn.conversation.wished) : undefined;
    let sameDay: Meeting | undefined;
    if (!sure || !plain) {
      turn.conversation.expecting = 'booking';
      turn.conversation.ref = meeting.id;
      turn.conversation.asked = answer;
      turn.conversation.wished = wished;
      // "igen" only to someone who wrote the word: "kan inte komma på torsdag" is asked to write NEJ.
      const wroteTheWord = fold(turn.msg.text).replace(/[^a-z]/g, '') === fold(ANSWER_WORD[answer]);
      // The question says what the answer will do ("så gör jag det" left a participant guessing).
      const question = { confirm: 'checkWhichConfirm', cancel: 'checkWhichCancel', reschedule: 'checkWhichMove' }[answer];
      reply(turn, `participant:meeting.${question}${wroteTheWord ? '' : 'Say'}`, { when: mine.when, answer: ANSWER_WORD[answer] });
      if (!plain) {
        notify(turn, coach, 'staff:notify.meetingAnswerAsked', { ...(await staffView(turn.tx, meeting, turn.participant, coach.id)), text: turn.msg.text, answer: ANSWER_WORD[answer] });
      }
      return;
    }
    if (answer === 'confirm') {
      const changed = await turn.tx.query(`update meeting set status = 'confirmed' where id = $1 and status = 'booked' returning id`, [meeting.id]);
      // JA after FLYTTA: the time works after all. The coach, who was asked for a new time, is told
      // not to look for one, and the reminders FLYTTA stopped come again.
      const withdrawn = await turn.tx.query(
        `update meeting set move_asked_version = null where id = $1 and move_asked_version = version returning id`,
        [meeting.id],
      );
      const moveWithdrawn = withdrawn.length > 0;
      if (moveWithdrawn) await resumeSends(turn.tx, meeting.id, meeting.version, MOVE_ASKED, turn.now, REMINDER);
      reply(turn, 'participant:meeting.confirmed', mine);
      // A second JA confirms nothing new: the coach is told once.
      if (changed.length || moveWithdrawn) {
        notify(turn, coach, `staff:notify.${moveWithdrawn ? 'moveWithdrawn' : 'meetingConfirmed'}`, await staffView(turn.tx, meeting, turn.participant, coach.id));
      }
    } else if (answer === 'cancel') {
      const cancelled = await cancelMeeting(turn.tx, meeting, turn.now, 'participant cancelled');
      reply(turn, 'participant:meeting.cancelled', mine);
      // Sick on a day with two meetings: the other is named, still on, and one NEJ away.
      sameDay = (await upcomingMeetings(turn.tx, turn.participant.id, turn.now)).find((m) => m.id !== meeting.id && m.startAt > turn.now && local(m.startAt).hasSame(local(meeting.startAt), 'day'));
      if (sameDay) {
        reply(turn, 'participant:meeting.alsoThatDay', { what: t(turn.lng, `common:meetingType.${sameDay.type}`), when: formatWhen(sameDay.startAt, turn.lng, turn.now) });
        notify(turn, coach, 'staff:notify.alsoThatDay', { name: turn.participant.name, what: t('sv', `staff:meetingType.${sameDay.type}`), when: formatWhen(sameDay.startAt, 'sv') });
      }
      const ics = await invite(turn.tx, cancelled, turn.participant, 'CANCEL', turn.now);
      const staff = await meetingStaff(turn.tx, meeting);
      for (const s of staff) {
        notify(turn, s, 'staff:notify.meetingCancelled', await staffView(turn.tx, meeting, turn.participant, s.id, staff), { attachments: [ics] });
      }
    } else {
      // The participant said the time does not work: no more reminders of it until the coach moves it.
      await retireSends(turn.tx, meeting.id, MOVE_ASKED, turn.now, REMINDER);
      await turn.tx.query(`update meeting set move_asked_version = version where id = $1`, [meeting.id]);
      reply(turn, 'participant:meeting.moveRequested');
      const wish = wished ? t('sv', 'staff:notify.moveWish', { when: formatWhen(new Date(wished), 'sv') }) : '';
      notify(turn, coach, 'staff:notify.moveRequested', { ...(await staffView(turn.tx, meeting, turn.participant, coach.id)), wish });
    }
    turn.conversation.expecting = sameDay ? 'booking' : undefined;
    turn.conversation.ref = sameDay?.id;
    turn.conversation.wished = undefined;
    await audit(turn, `participant:${turn.participant.id}`, `meeting.${answer}`, turn.participant.id, { meeting: meeting.id });
  };
}

export const participantMeetingRequest: Handler<ParticipantTurn> = async (turn) => {
  const { coach } = await caretakers(turn.tx, turn.participant);
  reply(turn, 'participant:meetingRequested', { coach: coach.name.split(' ')[0] });
  notify(turn, coach, 'staff:notify.meetingRequested', { name: turn.participant.name });
};
