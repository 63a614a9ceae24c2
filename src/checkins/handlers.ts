// Check-ins in conversation: a participant's answer, a coach's "skicka en incheckning till Anna",
// and "hur mår Anna?" (the trend).
import type { Handler, ParticipantTurn, StaffTurn } from '../core/turn.js';
import { audit, auditReads, notify, reply, replyText, requestText } from '../core/turn.js';
import { caretakers } from '../directory/people.js';
import { resolveParticipant } from '../directory/handlers.js';
import { formatPhone } from '../util/phone.js';
import { t } from '../i18n/index.js';
import { formatWhen } from '../i18n/format.js';
import { holdUntil } from '../outbox/quiet-hours.js';
import { meetingSettings } from '../meetings/settings.js';
import { fold, loneNumber, tokens } from '../understanding/text.js';
import { openEscalation, resolveByEvent } from '../escalations/escalations.js';
import { askedMeeting } from '../meetings/participant.js';
import { checkinById, recentScores, SELF_ASSESSMENT_AREAS, sendCheckin, sparkline, whyNotNow, type Checkin } from './checkins.js';

const LOW = 2;
/** An answer this many words long says more than its score ("3 men jag har haft en jobbig vecka"). */
const WORDED_ANSWER = 5;
const worded = (text: string) => tokens(text).length >= WORDED_ANSWER;

/**
 * Whether the coach reads a check-in answer at once: words without a score, a low score, or a score
 * with words beside it (a good score with something more said is still for a person to read; the
 * trend alone would lose the words).
 */
export const coachReadsAnswer = (score: number | null, text: string): boolean => score === null || score <= LOW || worded(text);

/** The check-in an answer belongs to: the one Lots asked (even a late answer), else the latest unanswered in a week. */
async function answeredCheckin(turn: ParticipantTurn): Promise<Checkin | null> {
  const ref = turn.conversation.expecting === 'checkin' ? turn.conversation.ref : undefined;
  const asked = ref ? await checkinById(turn.tx, ref) : null;
  if (asked && asked.participantId === turn.participant.id) return asked;
  const [latest] = await turn.tx.query<{ id: string }>(
    `select id from checkin where participant_id = $1 and answered_at is null and sent_at > $2::timestamptz - interval '7 days' order by sent_at desc limit 1`,
    [turn.participant.id, turn.now],
  );
  return latest ? checkinById(turn.tx, latest.id) : null;
}

export const checkinAnswer: Handler<ParticipantTurn> = async (turn) => {
  const { coach } = await caretakers(turn.tx, turn.participant);
  const score = turn.understanding.slots.score ?? null;
  const checkin = await answeredCheckin(turn);
  // A lone good number with no check-in to answer, while a meeting ahead waits for JA, NEJ or
  // FLYTTA, is a slip: that question is said again (it was thanked for, and dropped). Words, and a
  // low number, go on as an answer the coach reads.
  if (!checkin && score !== null && score > LOW && loneNumber(turn.msg.text) && (await askedMeeting(turn))) {
    return reply(turn, 'participant:meeting.answerWords');
  }
  // An answer closes the check-in question; a meeting question asked since stays open.
  if (turn.conversation.expecting === 'checkin') turn.conversation.expecting = undefined;
  await audit(turn, `participant:${turn.participant.id}`, 'checkin.answer', turn.participant.id, { score, checkin: checkin?.id ?? null });

  if (checkin?.kind === 'self-assessment') return selfAssessmentAnswer(turn, checkin, score);
  if (checkin) {
    // The latest answer counts (a second one corrects the first); words are kept beside a score.
    await turn.tx.query(`update checkin set answered_at = $2, score = coalesce($3, score), text = coalesce($4, text), missed = false where id = $1`, [
      checkin.id,
      turn.now,
      score,
      score === null || worded(turn.msg.text) ? turn.msg.text : null,
    ]);
    // An answer after all closes a "no answers" escalation.
    turn.out.push(...(await resolveByEvent(turn.tx, turn.participant, 'no-reply', turn.now, 'the participant answered')));
  }
  // Words and low scores are for a person to read at once; a good score alone is in the trend ("hur mår Anna?").
  if (coachReadsAnswer(score, turn.msg.text)) notify(turn, coach, 'staff:notify.checkinAnswer', { name: turn.participant.name, text: turn.msg.text });
  if (score === null || score > LOW) return reply(turn, 'participant:checkinThanks');

  reply(turn, 'participant:checkin.low');
  turn.conversation.offered = 'escalation.request';
  const [previous] = checkin
    ? await turn.tx.query<{ score: number | null }>(
        `select score from checkin where participant_id = $1 and kind = 'mood' and sent_at < $2 and answered_at is not null order by sent_at desc limit 1`,
        [turn.participant.id, checkin.sentAt],
      )
    : [];
  if (previous?.score !== null && previous?.score !== undefined && previous.score <= LOW) {
    const what = t('sv', 'staff:escalation.reason.low-scores', { name: turn.participant.name, phone: formatPhone(turn.participant.phone) });
    const opened = await openEscalation(turn.tx, turn.participant, 'low-scores', what, turn.now, `participant:${turn.participant.id}`);
    turn.out.push(...opened.messages);
  }
};

/** One of the four self-assessment answers; the next question, or thanks and a summary for the coach. */
async function selfAssessmentAnswer(turn: ParticipantTurn, checkin: Checkin, score: number | null): Promise<void> {
  const step = Object.keys(checkin.answers).length;
  // "HOPPA" (or "vet inte") skips a question: it is recorded as not answered.
  const skip = score === null && /^(hoppa|hoppa over|vet inte|vet ej|skip|pass)\b/.test(fold(turn.msg.text).trim());
  if (score === null && !skip) {
    // Not a number: ask the same question again (it stays open).
    turn.conversation.expecting = 'checkin';
    turn.conversation.ref = checkin.id;
    return reply(turn, 'participant:selfAssessment.again');
  }
  const answers: Record<string, number | null> = { ...checkin.answers, [SELF_ASSESSMENT_AREAS[step]!]: score };
  const done = step + 1 >= SELF_ASSESSMENT_AREAS.length;
  await turn.tx.query(`update checkin set answers = $2, answered_at = case when $3 then $4::timestamptz else answered_at end where id = $1`, [checkin.id, JSON.stringify(answers), done, turn.now]);
  if (!done) {
    turn.conversation.expecting = 'checkin';
    turn.conversation.ref = checkin.id;
    const area = SELF_ASSESSMENT_AREAS[step + 1]!;
    return reply(turn, 'participant:selfAssessment.next', { n: step + 2, question: t(turn.lng, `participant:selfAssessment.area.${area}`) });
  }
  reply(turn, 'participant:selfAssessment.thanks');
  const { coach } = await caretakers(turn.tx, turn.participant);
  const summary = SELF_ASSESSMENT_AREAS.map((a) => `${t('sv', `staff:selfAssessment.area.${a}`)} ${answers[a] ?? '–'}`).join(', ');
  notify(turn, coach, 'staff:selfAssessment.done', { name: turn.participant.name, summary });
}

/** "Skicka en incheckning till Anna" (or "självskattning": the four-area self-assessment). */
export const checkinSend: Handler<StaffTurn> = async (turn) => {
  const participant = await resolveParticipant(turn);
  if (!participant) return;
  const why = await whyNotNow(turn.tx, participant.id, turn.now);
  if (why) return reply(turn, `staff:checkin.notNow.${why}`, { name: participant.name });
  const kind = /sjalvskattning|self.?assessment|skattning/.test(fold(requestText(turn))) ? 'self-assessment' : 'mood';
  const questions = await sendCheckin(turn.tx, participant, kind, turn.staff.id, turn.now);
  turn.out.push(...questions);
  // Written at night, the SMS waits in the outbox for the morning: say when it goes, not "sent".
  const settings = await meetingSettings(turn.tx, participant.teamId);
  const held = questions.map((m) => holdUntil(m.purpose, m.channel, turn.now, settings)).find((at) => at !== null);
  const key = kind === 'mood' ? 'staff:checkin.sent' : 'staff:checkin.sentSelfAssessment';
  if (held) reply(turn, `${key}Later`, { name: participant.name, when: formatWhen(held, 'sv') });
  else reply(turn, key, { name: participant.name });
  await audit(turn, `staff:${turn.staff.id}`, 'checkin.sent', participant.id, { kind });
};

/** "Hur mår Anna?": the last eight answers as a picture and in words. */
export const checkinStatus: Handler<StaffTurn> = async (turn) => {
  const participant = await resolveParticipant(turn);
  if (!participant) return;
  const scores = await recentScores(turn.tx, participant.id);
  await auditReads(turn, 'read.checkins', [participant.id]);
  if (!scores.length) return reply(turn, 'staff:checkin.none', { name: participant.name });
  const last = scores.at(-1)!;
  const lines = [
    t('sv', 'staff:checkin.trend', { name: participant.name, picture: sparkline(scores.map((s) => s.score)), values: scores.map((s) => s.score ?? '–').join(' ') }),
    // An answer is dated when it was written; a missed check-in when it was sent.
    last.score !== null
      ? t('sv', 'staff:checkin.last', { score: last.score, when: formatWhen(last.answeredAt ?? last.sentAt, 'sv') })
      : last.text
        ? t('sv', 'staff:checkin.lastText', { text: last.text, when: formatWhen(last.answeredAt ?? last.sentAt, 'sv') })
        : t('sv', 'staff:checkin.lastMissed', { when: formatWhen(last.sentAt, 'sv') }),
  ];
  replyText(turn, lines.join('\n'));
};
