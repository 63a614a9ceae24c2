// A participant's answer about how they feel. Until scheduled check-ins exist, every answer
// reaches the coach as it was written, and the participant is thanked.
import type { Handler, ParticipantTurn } from '../core/turn.js';
import { audit, notify, reply } from '../core/turn.js';
import { caretakers } from '../directory/people.js';

export const checkinAnswer: Handler<ParticipantTurn> = async (turn) => {
  const { coach } = await caretakers(turn.tx, turn.participant);
  notify(turn, coach, 'staff:notify.checkinAnswer', { name: turn.participant.name, text: turn.msg.text });
  reply(turn, 'participant:checkinThanks');
  turn.conversation.expecting = undefined;
  await audit(turn, `participant:${turn.participant.id}`, 'checkin.answer', turn.participant.id, { score: turn.understanding.slots.score ?? null });
};
