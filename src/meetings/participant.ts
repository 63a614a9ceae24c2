// A participant's side of meetings: when is my next one; JA / NEJ / FLYTTA to it; asking for one.
import type { Handler, ParticipantTurn } from '../core/turn.js';
import { audit, notify, reply } from '../core/turn.js';
import { caretakers } from '../directory/people.js';
import { formatWhen } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { meetingById, nextMeeting, type Meeting } from './queries.js';
import { cancelMeeting, invite, meetingStaff, participantView, staffView } from './booking.js';

export const participantMeetingNext: Handler<ParticipantTurn> = async (turn) => {
  const meeting = await nextMeeting(turn.tx, turn.participant.id, turn.now);
  if (!meeting) return reply(turn, 'participant:meeting.none');
  const view = await participantView(turn.tx, meeting, turn.participant, turn.lng);
  reply(turn, 'participant:meeting.next', view);
};

/** The meeting an answer is about: the one the last booking SMS or reminder asked about, if still ahead; else the next. */
async function answeredMeeting(turn: ParticipantTurn): Promise<Meeting | null> {
  const ref = turn.conversation.expecting === 'booking' ? turn.conversation.ref : undefined;
  const asked = ref ? await meetingById(turn.tx, ref) : null;
  const stillAhead = asked && asked.participantId === turn.participant.id && (asked.status === 'booked' || asked.status === 'confirmed') && asked.startAt > turn.now;
  return stillAhead ? asked : nextMeeting(turn.tx, turn.participant.id, turn.now);
}

/** JA, NEJ or FLYTTA: NEJ cancels and tells the coach at once; FLYTTA asks the coach for a new time. */
export function participantMeetingAnswer(answer: 'confirm' | 'cancel' | 'reschedule'): Handler<ParticipantTurn> {
  return async (turn) => {
    const meeting = await answeredMeeting(turn);
    if (!meeting) return reply(turn, 'participant:meeting.nothingToAnswer');
    const { coach } = await caretakers(turn.tx, turn.participant);
    const mine = { what: t(turn.lng, `common:meetingType.${meeting.type}`), when: formatWhen(meeting.startAt, turn.lng) };
    if (answer === 'confirm') {
      await turn.tx.query(`update meeting set status = 'confirmed' where id = $1 and status = 'booked'`, [meeting.id]);
      reply(turn, 'participant:meeting.confirmed', mine);
      notify(turn, coach, 'staff:notify.meetingConfirmed', await staffView(turn.tx, meeting, turn.participant, coach.id));
    } else if (answer === 'cancel') {
      const cancelled = await cancelMeeting(turn.tx, meeting, turn.now, 'participant cancelled');
      reply(turn, 'participant:meeting.cancelled', mine);
      const ics = await invite(turn.tx, cancelled, turn.participant, 'CANCEL', turn.now);
      for (const s of await meetingStaff(turn.tx, meeting)) {
        notify(turn, s, 'staff:notify.meetingCancelled', await staffView(turn.tx, meeting, turn.participant, s.id), { attachments: [ics] });
      }
    } else {
      reply(turn, 'participant:meeting.moveRequested');
      notify(turn, coach, 'staff:notify.moveRequested', await staffView(turn.tx, meeting, turn.participant, coach.id));
    }
    turn.conversation.expecting = undefined;
    await audit(turn, `participant:${turn.participant.id}`, `meeting.${answer}`, turn.participant.id, { meeting: meeting.id });
  };
}

export const participantMeetingRequest: Handler<ParticipantTurn> = async (turn) => {
  const { coach } = await caretakers(turn.tx, turn.participant);
  reply(turn, 'participant:meetingRequested', { coach: coach.name.split(' ')[0] });
  notify(turn, coach, 'staff:notify.meetingRequested', { name: turn.participant.name });
};
