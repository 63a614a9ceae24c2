// STOP / START, honoured by Lots itself at once (not left to the SMS provider).
import type { Handler, ParticipantTurn } from '../core/turn.js';
import { audit, reply } from '../core/turn.js';

async function recordSmsConsent(turn: ParticipantTurn, granted: boolean): Promise<void> {
  await turn.tx.query(
    `update participant set opted_out_at = ${granted ? 'null' : '$2'} where id = $1`,
    granted ? [turn.participant.id] : [turn.participant.id, turn.now],
  );
  await turn.tx.query(
    `insert into consent (participant_id, kind, granted, recorded_at, recorded_by) values ($1, 'sms', $2, $3, 'participant:sms')`,
    [turn.participant.id, granted, turn.now],
  );
  await audit(turn, `participant:${turn.participant.id}`, granted ? 'consent.sms.optin' : 'consent.sms.optout', turn.participant.id);
}

export const optout: Handler<ParticipantTurn> = async (turn) => {
  if (turn.participant.optedOut) return; // one confirmation only; a repeated STOP gets silence
  await recordSmsConsent(turn, false);
  reply(turn, 'participant:optout', {}, { purpose: 'optout-confirmation' });
};

export const optin: Handler<ParticipantTurn> = async (turn) => {
  if (turn.participant.optedOut) await recordSmsConsent(turn, true);
  reply(turn, 'participant:optin');
};
