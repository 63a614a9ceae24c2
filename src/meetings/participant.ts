// A participant's side of meetings: when is my next one; JA / NEJ / FLYTTA to it; asking for one.
import type { Handler, ParticipantTurn } from '../core/turn.js';
import { audit, notify, reply } from '../core/turn.js';
import { caretakers } from '../directory/people.js';
import { formatWhen } from '../i18n/format.js';
import { t } from '../i18n/index.js';
import { nextMeeting, type Meeting } from './queries.js';

const describe = (m: Meeting, lng: string) => ({ what: t(lng, `common:meetingType.${m.type}`), when: formatWhen(m.startAt, lng) });

export const participantMeetingNext: Handler<ParticipantTurn> = async (turn) => {
  const meeting = await nextMeeting(turn.tx, turn.participant.id, turn.now);
  if (!meeting) return reply(turn, 'participant:meeting.none');
  // A place is only ever told to the participant themselves; never to anyone else in an SMS.
  reply(turn, meeting.place ? 'participant:meeting.nextAt' : 'participant:meeting.next', { ...describe(meeting, turn.lng), place: meeting.place });
};

/** JA, NEJ or FLYTTA: an answer about the next meeting (or the one the last SMS asked about). */
export function participantMeetingAnswer(answer: 'confirm' | 'cancel' | 'reschedule'): Handler<ParticipantTurn> {
  return async (turn) => {
    const meeting = await nextMeeting(turn.tx, turn.participant.id, turn.now);
    if (!meeting) return reply(turn, 'participant:meeting.nothingToAnswer');
    const { coach } = await caretakers(turn.tx, turn.participant);
    const staffView = { name: turn.participant.name, what: t('sv', `common:meetingType.${meeting.type}`), when: formatWhen(meeting.startAt, 'sv') };
    if (answer === 'confirm') {
      await turn.tx.query(`update meeting set status = 'confirmed' where id = $1 and status = 'booked'`, [meeting.id]);
      reply(turn, 'participant:meeting.confirmed', describe(meeting, turn.lng));
      notify(turn, coach, 'staff:notify.meetingConfirmed', staffView);
    } else if (answer === 'cancel') {
      await turn.tx.query(`update meeting set status = 'cancelled', version = version + 1 where id = $1`, [meeting.id]);
      reply(turn, 'participant:meeting.cancelled', describe(meeting, turn.lng));
      notify(turn, coach, 'staff:notify.meetingCancelled', staffView);
    } else {
      reply(turn, 'participant:meeting.moveRequested');
      notify(turn, coach, 'staff:notify.moveRequested', staffView);
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
