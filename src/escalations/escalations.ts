// Escalations: when a person must act. Each has a reason, a severity, an owner, a state (open,
// acknowledged, resolved) and an audit trail. Not acknowledged in time, it climbs: the coach,
// the coach's backup, the team lead. Outside office hours an urgent one goes straight to the
// team lead (on call). Only the current step's timer may act (Grafana OnCall's rule): each timer
// is a planned send carrying the step it was planned for, and one whose step has passed is inert.
import type { Db } from '../store/db.js';
import type { Button, OutboundMessage } from '../model/index.js';
import { t } from '../i18n/index.js';
import { formatWhen, inOfficeHours, nextOfficeOpening } from '../i18n/format.js';
import { participantById, staffByIds, visibleParticipant, VISIBLE_TO, type Participant, type Staff } from '../directory/people.js';
import { formatPhone } from '../util/phone.js';
import { planSend, retireSends, type DueHandler } from '../scheduler/scheduler.js';
import { enqueueClaimed, type OutboxRow } from '../outbox/outbox.js';

export type Reason = 'crisis' | 'call-request' | 'low-scores' | 'no-reply' | 'sms-failed' | 'no-show';

export interface Escalation {
  id: string;
  participantId: string;
  reason: Reason;
  severity: 'urgent' | 'normal';
  state: 'open' | 'acknowledged' | 'resolved';
  ownerId: string | null;
  step: number;
  openedAt: Date;
}

const COLUMNS = `id, participant_id as "participantId", reason, severity, state, owner_id as "ownerId", step, opened_at as "openedAt"`;

export const STEP = 'escalation.step';
export const FOLLOW_UP = 'escalation.reminder';
export const ACTION = { ack: 'escalation.ack', call: 'escalation.call', reassign: 'escalation.reassign', resolve: 'escalation.resolve' } as const;

/** How long an owner has to acknowledge before it climbs. Normal ones count office time only. */
const ACK_MINUTES = { urgent: 10, normal: 30 };
/** Acknowledged but not resolved: the owner is reminded this often (in office hours). */
const FOLLOW_UP_HOURS = 24;

/** Plans the timer of a step. Labels are numbered: two hand-overs at the same moment each get their timer. */
async function planStep(tx: Db, e: Pick<Escalation, 'id' | 'participantId' | 'severity'>, step: number, now: Date): Promise<void> {
  const [{ n }] = (await tx.query<{ n: number }>(`select count(*)::int as n from planned_send where kind = $2 and ref = $1`, [e.id, STEP])) as [{ n: number }];
  await planSend(tx, { kind: STEP, ref: e.id, version: step, label: `step ${step} #${n + 1}`, participantId: e.participantId, dueAt: ackDeadline(e.severity, now) }, now);
}

function ackDeadline(severity: Escalation['severity'], now: Date): Date {
  const from = severity === 'urgent' ? now : nextOfficeOpening(now);
  return new Date(from.getTime() + ACK_MINUTES[severity] * 60_000);
}

/**
 * Who an escalation climbs through: the coach, the coach's backup, the team lead (each once), but
 * only those who may see the participant: a protected identity skips a backup who is not the team
 * lead (the backup would read her name and number), as would a backup from another team.
 */
export async function chainOf(tx: Db, participant: Participant): Promise<Staff[]> {
  const [ids] = await tx.query<{ coach: string; backup: string | null; lead: string | null }>(
    `select s.id as coach, s.backup_id as backup, t.lead_id as lead
     from staff s, team t where s.id = $1 and t.id = $2`,
    [participant.coachId, participant.teamId],
  );
  const order = [ids!.coach, ids!.backup, ids!.lead].filter((x, i, all): x is string => Boolean(x) && all.indexOf(x) === i);
  const chain: Staff[] = [];
  for (const s of await staffInOrder(tx, order)) if (s.id === participant.coachId || (await visibleParticipant(tx, s, participant.id))) chain.push(s);
  return chain;
}

/**
 * The team's on-call person (the top of the chain, the lead, unless one is set): who an urgent one
 * goes to outside office hours. Only someone who may see the participant: an on-call colleague
 * who may not (a protected identity) would read her name and number and could not act on it.
 */
async function onCallOf(tx: Db, participant: Participant, chain: Staff[]): Promise<Staff> {
  const [onCall] = await tx.query<{ id: string }>(`select on_call_id as id from team where id = $1 and on_call_id is not null`, [participant.teamId]);
  const [person] = onCall ? await staffInOrder(tx, [onCall.id]) : [];
  const mayAct = person && (person.id === participant.coachId || (await visibleParticipant(tx, person, participant.id)));
  return mayAct ? person : chain.at(-1)!;
}

async function staffInOrder(tx: Db, order: string[]): Promise<Staff[]> {
  const people = await staffByIds(tx, order);
  return order.map((id) => people.find((p) => p.id === id)).filter((p): p is Staff => Boolean(p));
}

export function escalationButtons(e: Pick<Escalation, 'id'>): Button[] {
  return [
    { actionId: ACTION.ack, value: e.id, label: t('sv', 'staff:escalation.button.ack') },
    { actionId: ACTION.call, value: e.id, label: t('sv', 'staff:escalation.button.call') },
    { actionId: ACTION.reassign, value: e.id, label: t('sv', 'staff:escalation.button.reassign') },
    { actionId: ACTION.resolve, value: e.id, label: t('sv', 'staff:escalation.button.resolve') },
  ];
}

async function audit(tx: Db, now: Date, actor: string, action: string, e: Pick<Escalation, 'id' | 'participantId'>, detail: Record<string, unknown> = {}) {
  await tx.query(`insert into audit_log (at, actor, action, participant_id, detail) values ($1, $2, $3, $4, $5)`, [
    now,
    actor,
    action,
    e.participantId,
    JSON.stringify({ escalation: e.id, ...detail }),
  ]);
}

/** The message an owner gets: what happened (the trigger's own sentence) and what to do, with the buttons. */
function toOwner(owner: Staff, e: Escalation, what: string, top = false): OutboundMessage {
  // At the top of the chain there is no one further to pass it to: the footer says what to do, not what happens.
  const footer = top ? t('sv', 'staff:escalation.footerTop') : t('sv', e.severity === 'urgent' ? 'staff:escalation.footerUrgent' : 'staff:escalation.footer', { minutes: ACK_MINUTES[e.severity] });
  return { channel: 'staff', to: owner.email, text: `${what}\n${footer}`, purpose: 'notification', buttons: escalationButtons(e) };
}

/** A copy for the coach of what someone else was asked to act on. */
function forYourInformation(coach: Staff, owner: Staff, what: string): OutboundMessage {
  return { channel: 'staff', to: coach.email, text: t('sv', 'staff:escalation.forYourInformation', { owner: owner.name, what }), purpose: 'notification' };
}

export interface Opened {
  escalation: Escalation;
  /** False when one for the same participant and reason was already open: nothing new was started. */
  opened: boolean;
  messages: OutboundMessage[];
}

/**
 * Opens an escalation and tells its first owner with `what` (the trigger's sentence). A repeat of
 * an open one's trigger opens nothing: the current owner is told again only when `repeat` says so.
 */
export async function openEscalation(tx: Db, participant: Participant, reason: Reason, what: string, now: Date, actor: string, repeat = false): Promise<Opened> {
  const severity = reason === 'crisis' ? 'urgent' : 'normal';
  const chain = await chainOf(tx, participant);
  // Outside office hours an urgent one starts at the top: the team's on-call person (the lead unless set).
  const step = severity === 'urgent' && !inOfficeHours(now) ? chain.length - 1 : 0;
  const owner = step > 0 ? await onCallOf(tx, participant, chain) : chain[step]!;
  const [inserted] = await tx.query<Escalation>(
    `insert into escalation (participant_id, reason, severity, owner_id, step, opened_at) values ($1, $2, $3, $4, $5, $6)
     on conflict (participant_id, reason) where state <> 'resolved' do nothing returning ${COLUMNS}`,
    [participant.id, reason, severity, owner.id, step, now],
  );
  if (!inserted) {
    const [existing] = await tx.query<Escalation>(`select ${COLUMNS} from escalation where participant_id = $1 and reason = $2 and state <> 'resolved'`, [participant.id, reason]);
    await audit(tx, now, actor, 'escalation.repeated', existing!);
    if (!repeat) return { escalation: existing!, opened: false, messages: [] };
    // Said again: whoever holds it now reads it again, and the coach too when someone else holds it.
    const [current] = await staffByIds(tx, [existing!.ownerId ?? owner.id]);
    const messages = current ? [toOwner(current, existing!, what)] : [];
    if (current && current.id !== chain[0]!.id) messages.push(forYourInformation(chain[0]!, current, what));
    return { escalation: existing!, opened: false, messages };
  }
  await planStep(tx, inserted, step, now);
  await audit(tx, now, actor, 'escalation.opened', inserted, { reason, severity, owner: owner.id, step });
  const messages = [toOwner(owner, inserted, what)];
  // The coach learns of it too when someone else has it first (on call at night), to follow up in the morning.
  if (owner.id !== chain[0]!.id) messages.push(forYourInformation(chain[0]!, owner, what));
  return { escalation: inserted, opened: true, messages };
}

/** Whether automated messages (check-ins, reminders) to the participant are held: a crisis is open. */
export async function automationPaused(tx: Db, participantId: string): Promise<boolean> {
  const rows = await tx.query(`select 1 from escalation where participant_id = $1 and reason = 'crisis' and state <> 'resolved'`, [participantId]);
  return rows.length > 0;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The escalation with this id; none for an id that cannot be one (a button's value is the sender's to write). */
export async function escalationById(tx: Db, id: string): Promise<Escalation | null> {
  if (!UUID.test(id)) return null;
  const [row] = await tx.query<Escalation>(`select ${COLUMNS} from escalation where id = $1`, [id]);
  return row ?? null;
}

/** Hands an open escalation to the next in the chain (a climb, or a reassign), with a new timer. */
async function handOn(tx: Db, e: Escalation, participant: Participant, now: Date, actor: string, because: string, by?: Staff): Promise<OutboundMessage[]> {
  const chain = await chainOf(tx, participant);
  const here = because === 'not acknowledged' ? Math.max(chain.findIndex((s) => s.id === e.ownerId), e.step) : e.step;
  // Unacknowledged and urgent after office hours have begun: the backup has gone home too, so it
  // goes straight to the one on call (a crisis at 16:55 reached an off-duty backup at 17:05).
  // Not when the one on call is who already has it (then it climbs as in office hours).
  const onCall = because === 'not acknowledged' && e.severity === 'urgent' && !inOfficeHours(now) ? await onCallOf(tx, participant, chain) : undefined;
  const toOnCall = onCall && onCall.id !== e.ownerId;
  const step = toOnCall ? chain.length - 1 : Math.min(here + 1, chain.length - 1);
  const owner = toOnCall ? onCall : chain[step]!;
  const [moved] = await tx.query<Escalation>(
    `update escalation set owner_id = $2, step = $3, state = 'open', acknowledged_at = null, acknowledged_by = null where id = $1 returning ${COLUMNS}`,
    [e.id, owner.id, step],
  );
  await retireSends(tx, e.id, because, now);
  await planStep(tx, e, step, now);
  await audit(tx, now, actor, 'escalation.handedOn', moved!, { to: owner.id, step, because });
  const what = t('sv', `staff:escalation.reason.${e.reason}`, { name: participant.name, phone: formatPhone(participant.phone), since: formatWhen(e.openedAt, 'sv') });
  const [previous] = by ? [by] : e.ownerId ? await staffByIds(tx, [e.ownerId]) : [];
  const handed = t('sv', because === 'not acknowledged' ? 'staff:escalation.climbed' : 'staff:escalation.reassigned', { from: previous?.name ?? '–' });
  return [toOwner(owner, moved!, `${handed}\n${what}`, step >= chain.length - 1)];
}

/** A step's timer: still open at the same step → the next in the chain; anything else → nothing. */
const climb: DueHandler = async (tx, send, now) => {
  const e = await escalationById(tx, send.ref);
  if (!e || e.state !== 'open' || e.step !== send.version) return { skip: 'stale step: acknowledged, resolved or already handed on' };
  // Only urgent ones move at night; the rest wait for office hours (a clock that jumped, a server that was down).
  if (e.severity !== 'urgent' && !inOfficeHours(now)) return { deferTo: nextOfficeOpening(now) };
  const participant = await participantById(tx, e.participantId);
  if (!participant) return { skip: 'participant erased' };
  const chain = await chainOf(tx, participant);
  if (e.step >= chain.length - 1) {
    // The top of the chain: remind the one on call again until someone acknowledges.
    await planStep(tx, e, e.step, now);
    const what = t('sv', `staff:escalation.reason.${e.reason}`, { name: participant.name, phone: formatPhone(participant.phone), since: formatWhen(e.openedAt, 'sv') });
    const [owner] = e.ownerId ? await staffByIds(tx, [e.ownerId]) : [];
    return { send: [toOwner(owner ?? chain.at(-1)!, e, `${t('sv', 'staff:escalation.stillOpen')}\n${what}`, true)] };
  }
  return { send: await handOn(tx, e, participant, now, 'system', 'not acknowledged') };
};

/** Acknowledged and not resolved: the owner is reminded until it is. */
const followUp: DueHandler = async (tx, send, now) => {
  const e = await escalationById(tx, send.ref);
  if (!e || e.state !== 'acknowledged') return { skip: 'resolved or handed on' };
  if (!inOfficeHours(now)) return { deferTo: nextOfficeOpening(now) };
  const participant = await participantById(tx, e.participantId);
  const [owner] = e.ownerId ? await staffByIds(tx, [e.ownerId]) : [];
  if (!participant || !owner) return { skip: 'participant or owner gone' };
  await planFollowUp(tx, e, now);
  const text = t('sv', 'staff:escalation.followUp', { name: participant.name, what: t('sv', `staff:escalation.short.${e.reason}`), since: formatWhen(e.openedAt, 'sv') });
  return { send: [{ channel: 'staff', to: owner.email, text, purpose: 'notification', buttons: [escalationButtons(e)[3]!] }] };
};

async function planFollowUp(tx: Db, e: Escalation, now: Date): Promise<void> {
  const dueAt = nextOfficeOpening(new Date(now.getTime() + FOLLOW_UP_HOURS * 3600_000));
  await planSend(tx, { kind: FOLLOW_UP, ref: e.id, version: 0, label: dueAt.toISOString(), participantId: e.participantId, dueAt }, now);
}

export const escalationDueHandlers: Record<string, DueHandler> = { [STEP]: climb, [FOLLOW_UP]: followUp };

export type ActionResult = { reply: string; messages: OutboundMessage[] };

/**
 * The four buttons. Anyone who may see the participant may press them; each press is audited.
 * When someone other than the owner acts, the owner is told; an acknowledgement is told to
 * everyone already paged, so no two people call at once.
 */
export async function pressEscalation(tx: Db, action: string, e: Escalation, participant: Participant, staff: Staff, now: Date): Promise<ActionResult> {
  const vars = { name: participant.name, what: t('sv', `staff:escalation.short.${e.reason}`), by: staff.name, phone: formatPhone(participant.phone) };
  if (e.state === 'resolved') return { reply: t('sv', 'staff:escalation.alreadyResolved', vars), messages: [] };
  const actor = `staff:${staff.id}`;
  const chain = await chainOf(tx, participant);
  const [owner] = e.ownerId ? await staffByIds(tx, [e.ownerId]) : [];
  const tell = (who: Staff[], key: string) =>
    who.filter((s) => s.id !== staff.id).map((s): OutboundMessage => ({ channel: 'staff', to: s.email, text: t('sv', key, vars), purpose: 'notification' }));
  if (action === ACTION.resolve) {
    await tx.query(`update escalation set state = 'resolved', resolved_at = $2, resolved_by = $3 where id = $1`, [e.id, now, staff.id]);
    await retireSends(tx, e.id, 'resolved', now);
    await audit(tx, now, actor, 'escalation.resolved', e);
    return { reply: t('sv', e.reason === 'crisis' ? 'staff:escalation.resolvedCrisis' : 'staff:escalation.resolved', vars), messages: tell(owner ? [owner] : [], 'staff:escalation.resolvedBy') };
  }
  if (action === ACTION.reassign) {
    // To the next after the current owner in the chain (after the top: back to the coach).
    const here = chain.findIndex((s) => s.id === e.ownerId);
    const next = here >= chain.length - 1 ? -1 : here;
    const messages = await handOn(tx, { ...e, step: next }, participant, now, actor, 'reassigned', staff);
    const [to] = await tx.query<{ name: string }>(`select s.name from escalation e join staff s on s.id = e.owner_id where e.id = $1`, [e.id]);
    return { reply: t('sv', 'staff:escalation.reassignedTo', { ...vars, to: to!.name }), messages: [...messages, ...tell(owner ? [owner] : [], 'staff:escalation.reassignedBy')] };
  }
  // Acknowledge, or "I'll call" (an acknowledgement that says what happens next; also after someone else acknowledged).
  if (e.state === 'acknowledged' && action !== ACTION.call) return { reply: t('sv', 'staff:escalation.alreadyAcknowledged', vars), messages: [] };
  await tx.query(`update escalation set state = 'acknowledged', acknowledged_at = coalesce(acknowledged_at, $2), acknowledged_by = $3, owner_id = $3 where id = $1`, [e.id, now, staff.id]);
  await retireSends(tx, e.id, 'acknowledged', now);
  await planFollowUp(tx, e, now);
  await audit(tx, now, actor, action === ACTION.call ? 'escalation.calling' : 'escalation.acknowledged', e);
  const paged = chain.slice(0, Math.max(e.step, chain.findIndex((s) => s.id === e.ownerId)) + 1);
  return {
    reply: t('sv', action === ACTION.call ? 'staff:escalation.calling' : 'staff:escalation.acknowledged', vars),
    messages: tell(paged, action === ACTION.call ? 'staff:escalation.takenCalling' : 'staff:escalation.taken'),
  };
}

/** An escalation whose trigger has gone away (the participant answered after all): closed, and the owner told. */
export async function resolveByEvent(tx: Db, participant: Participant, reason: Reason, now: Date, because: string): Promise<OutboundMessage[]> {
  const [e] = await tx.query<Escalation>(`update escalation set state = 'resolved', resolved_at = $3, resolved_by = 'system' where participant_id = $1 and reason = $2 and state <> 'resolved' returning ${COLUMNS}`, [
    participant.id,
    reason,
    now,
  ]);
  if (!e) return [];
  await retireSends(tx, e.id, because, now);
  await audit(tx, now, 'system', 'escalation.resolved', e, { because });
  const [owner] = e.ownerId ? await staffByIds(tx, [e.ownerId]) : [];
  return owner ? [{ channel: 'staff', to: owner.email, text: t('sv', 'staff:escalation.resolvedByEvent', { name: participant.name, what: t('sv', `staff:escalation.short.${e.reason}`) }), purpose: 'notification' }] : [];
}

/** Open and acknowledged escalations of the participants a staff member may see, their own first. */
export async function openEscalations(tx: Db, staff: Staff): Promise<(Escalation & { name: string; ownerName: string | null })[]> {
  return tx.query(
    `select ${COLUMNS.replace(/(^|,\s*)(\w+)/g, '$1e.$2')}, p.name, s.name as "ownerName"
     from escalation e join participant p on p.id = e.participant_id left join staff s on s.id = e.owner_id
     where e.state <> 'resolved' and ${VISIBLE_TO('p')}
     order by e.owner_id = $2 desc, e.severity = 'urgent' desc, e.opened_at`,
    [staff.teamId, staff.id, staff.role],
  );
}

/**
 * An SMS to a participant that could not be delivered: the coach must know (the person may not
 * get their reminders or answers). Opens a 'sms-failed' escalation; returns its messages, written claimed, to send.
 */
export async function escalateFailedSms(db: Db, participantId: string, now: Date): Promise<OutboxRow[]> {
  return db.transaction(async (tx) => {
    const p = await participantById(tx, participantId);
    if (!p) return [];
    const what = t('sv', 'staff:escalation.reason.sms-failed', { name: p.name, phone: formatPhone(p.phone) });
    const opened = await openEscalation(tx, p, 'sms-failed', what, now, 'system');
    return enqueueClaimed(tx, opened.messages, now);
  });
}
