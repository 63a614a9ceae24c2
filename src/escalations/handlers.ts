// When a participant needs a person: a plea to be called, or crisis language.
import type { Handler, ParticipantTurn, StaffTurn } from '../core/turn.js';
import { audit, auditReads, notify, reply, replyText } from '../core/turn.js';
import { caretakers, visibleParticipant } from '../directory/people.js';
import { t } from '../i18n/index.js';
import { escalationById, openEscalation, openEscalations, pressEscalation } from './escalations.js';
import { formatWhen, inOfficeHours, nextOfficeOpening } from '../i18n/format.js';
import { formatPhone } from '../util/phone.js';
import { actedOn } from '../understanding/crisis.js';

/** "Ring mig": the coach is asked to call (an escalation, so someone else is asked if the coach does not answer). */
export const escalationRequest: Handler<ParticipantTurn> = async (turn) => {
  const { coach } = await caretakers(turn.tx, turn.participant);
  const open = inOfficeHours(turn.now);
  if (open) reply(turn, 'participant:callRequested', { coach: coach.name.split(' ')[0] });
  else reply(turn, 'participant:callRequestedAfterHours', { coach: coach.name.split(' ')[0], when: formatWhen(nextOfficeOpening(turn.now), turn.lng, turn.now) });
  // Their words go with it when they say more than "RING MIG": "om min medicin, mår dåligt av den" says why.
  const saysWhy = turn.msg.text.trim().split(/\s+/).length > 2;
  const what = t('sv', saysWhy ? 'staff:notify.callRequestWords' : 'staff:notify.callRequest', { name: turn.participant.name, phone: formatPhone(turn.participant.phone), text: turn.msg.text });
  // Asked again while one is open: whoever holds it reads it again, so "Jag har sagt till …" stays true.
  const opened = await openEscalation(turn.tx, turn.participant, 'call-request', what, turn.now, `participant:${turn.participant.id}`, true);
  turn.out.push(...opened.messages);
  turn.conversation.misses = 0;
  await audit(turn, `participant:${turn.participant.id}`, 'call.requested', turn.participant.id);
};

/**
 * Crisis language: in the same request, the numbers that help now, honestly saying when a
 * person will see it; and an urgent escalation: the coach in office hours (then the backup, then
 * the team lead, ten minutes apart), the team lead on call outside them. A repeat while it is open
 * reaches its current owner again. Automated messages to the participant stop until it is resolved.
 */
export const crisis: Handler<ParticipantTurn> = async (turn) => {
  const open = inOfficeHours(turn.now);
  // An overdose taken or a cut that bleeds is told to call 112 now, not "if it is urgent".
  const key = actedOn(turn.msg.text) ? 'crisisNow' : 'crisis';
  if (open) reply(turn, `participant:${key}`, {}, { purpose: 'crisis' });
  else reply(turn, `participant:${key}AfterHours`, { when: formatWhen(nextOfficeOpening(turn.now), turn.lng, turn.now) }, { purpose: 'crisis' });
  const what = t('sv', `staff:notify.${key}`, { name: turn.participant.name, phone: formatPhone(turn.participant.phone), text: turn.msg.text });
  const opened = await openEscalation(turn.tx, turn.participant, 'crisis', what, turn.now, `participant:${turn.participant.id}`, true);
  turn.out.push(...opened.messages);
  await audit(turn, `participant:${turn.participant.id}`, 'crisis.detected', turn.participant.id, { officeHours: open, escalation: opened.escalation.id });
};

/** "Visa öppna larm": what is open or acknowledged, the asker's own first. */
export const escalationList: Handler<StaffTurn> = async (turn) => {
  const rows = await openEscalations(turn.tx, turn.staff);
  if (!rows.length) return reply(turn, 'staff:escalation.noneOpen');
  const lines = rows.map((e) =>
    t('sv', 'staff:escalation.line', {
      name: e.name,
      what: t('sv', `staff:escalation.short.${e.reason}`),
      state: t('sv', `staff:escalation.state.${e.state}`),
      owner: e.ownerName ?? '–',
      since: formatWhen(e.openedAt, 'sv'),
      urgent: e.severity === 'urgent' ? t('sv', 'staff:escalation.urgentMark') : '',
    }),
  );
  await auditReads(turn, 'read.escalations', rows.map((e) => e.participantId));
  replyText(turn, [t('sv', 'staff:escalation.listHeader', { count: rows.length }), ...lines.map((l) => `• ${l}`)].join('\n'));
};

/** The buttons on an escalation message. */
export function escalationAction(action: string) {
  return async (turn: StaffTurn, value: string): Promise<void> => {
    const e = await escalationById(turn.tx, value);
    const participant = e && (await visibleParticipant(turn.tx, turn.staff, e.participantId));
    if (!e || !participant) return reply(turn, 'staff:escalation.unknown');
    const result = await pressEscalation(turn.tx, action, e, participant, turn.staff, turn.now);
    replyText(turn, result.reply);
    turn.out.push(...result.messages);
  };
}

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
