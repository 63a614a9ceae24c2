// When a participant needs a person: a plea to be called, or crisis language.
import type { Handler, ParticipantTurn } from '../core/turn.js';
import { audit, notify, reply } from '../core/turn.js';
import { caretakers } from '../directory/people.js';
import { formatWhen, inOfficeHours, nextOfficeOpening } from '../i18n/format.js';
import { formatPhone } from '../util/phone.js';

export const escalationRequest: Handler<ParticipantTurn> = async (turn) => {
  const { coach } = await caretakers(turn.tx, turn.participant);
  reply(turn, 'participant:callRequested', { coach: coach.name.split(' ')[0] });
  notify(turn, coach, 'staff:notify.callRequest', { name: turn.participant.name, phone: formatPhone(turn.participant.phone) });
  turn.conversation.misses = 0;
  await audit(turn, `participant:${turn.participant.id}`, 'escalation.request', turn.participant.id);
};

/**
 * Crisis language: in the same request, the numbers that help now, honestly saying when a
 * person will see it; and an urgent message to the coach, and to the team lead as backstop
 * (out of office hours the lead is the one who can act).
 */
export const crisis: Handler<ParticipantTurn> = async (turn) => {
  const open = inOfficeHours(turn.now);
  if (open) reply(turn, 'participant:crisis', {}, { purpose: 'crisis' });
  else reply(turn, 'participant:crisisAfterHours', { when: formatWhen(nextOfficeOpening(turn.now), turn.lng) }, { purpose: 'crisis' });
  const { coach, lead } = await caretakers(turn.tx, turn.participant);
  const vars = { name: turn.participant.name, phone: formatPhone(turn.participant.phone) };
  notify(turn, coach, 'staff:notify.crisis', vars);
  if (lead) notify(turn, lead, 'staff:notify.crisis', vars);
  await audit(turn, `participant:${turn.participant.id}`, 'crisis.detected', turn.participant.id, { officeHours: open });
};

/**
 * The safety net under crisis detection: words about death, harm or ending that are not a
 * crisis phrase go to the coach word for word, whatever else the message asked. A person judges;
 * the participant gets no crisis reply on a guess.
 */
export async function passConcern(turn: ParticipantTurn): Promise<void> {
  const { coach } = await caretakers(turn.tx, turn.participant);
  // A handler may already have passed the words on (a check-in answer): the coach gets them once, as a concern.
  const quoted = turn.out.findIndex((m) => m.channel === 'staff' && m.to === coach.email && m.text.includes(turn.msg.text));
  if (quoted >= 0) turn.out.splice(quoted, 1);
  notify(turn, coach, 'staff:notify.concern', { name: turn.participant.name, text: turn.msg.text, phone: formatPhone(turn.participant.phone) });
  await audit(turn, `participant:${turn.participant.id}`, 'concern.flagged', turn.participant.id);
}
