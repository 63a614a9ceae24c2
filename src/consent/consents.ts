// Consents are a history (consent table: who recorded what, when); the one in force is the latest.

/**
 * The consent of `kind` in force for a participant, as an SQL expression over SQL expressions
 * for the participant's id and the kind: the latest recorded `granted`, null when none was.
 */
export const CONSENT_IN_FORCE = (participantId: string, kind: string) =>
  `(select c.granted from consent c where c.participant_id = ${participantId} and c.kind = ${kind} order by c.seq desc limit 1)`;
