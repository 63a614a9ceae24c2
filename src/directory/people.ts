// Who is who: participants, staff, and what a staff member may see.
import type { Db } from '../store/db.js';
import type { StaffRole } from '../model/index.js';
import { editDistance, fold, tokenMatches } from '../understanding/text.js';

export interface Participant {
  id: string;
  teamId: string;
  coachId: string;
  name: string;
  phone: string;
  language: string;
  gender: string;
  protectedIdentity: boolean;
  optedOut: boolean;
}

export interface Staff {
  id: string;
  teamId: string | null;
  name: string;
  email: string;
  role: StaffRole;
}

const PARTICIPANT_COLUMNS = `id, team_id as "teamId", coach_id as "coachId", name, phone, language, gender,
  protected_identity as "protectedIdentity", opted_out_at is not null as "optedOut"`;

/** The participant columns as a query of their own, for joining as one JSON value. */
export const PARTICIPANT_SELECT = `select ${PARTICIPANT_COLUMNS} from participant`;

export async function participantByPhone(db: Db, phone: string): Promise<Participant | null> {
  const [row] = await db.query<Participant>(`select ${PARTICIPANT_COLUMNS} from participant where phone = $1 and ended_at is null`, [phone]);
  return row ?? null;
}

export async function participantById(db: Db, id: string): Promise<Participant | null> {
  const [row] = await db.query<Participant>(`select ${PARTICIPANT_COLUMNS} from participant where id = $1`, [id]);
  return row ?? null;
}

const STAFF_COLUMNS = `id, team_id as "teamId", name, email, role`;

export async function staffByIds(db: Db, ids: string[]): Promise<Staff[]> {
  return ids.length ? db.query<Staff>(`select ${STAFF_COLUMNS} from staff where id = any($1::text[]) order by name`, [ids]) : [];
}

/** Colleagues in a team, for invitations by first name. */
export async function teamStaff(db: Db, teamId: string | null): Promise<Staff[]> {
  return teamId ? db.query<Staff>(`select ${STAFF_COLUMNS} from staff where team_id = $1 order by name`, [teamId]) : [];
}

export async function staffByEmail(db: Db, email: string): Promise<Staff | null> {
  const [row] = await db.query<Staff>(`select id, team_id as "teamId", name, email, role from staff where email = $1`, [email.trim().toLowerCase()]);
  return row ?? null;
}

/**
 * The participants a staff member may see: those of their own team; a protected-identity
 * participant only by their own coach and the team lead.
 */
export async function visibleParticipants(db: Db, staff: Staff): Promise<Participant[]> {
  return db.query<Participant>(`select ${PARTICIPANT_COLUMNS} from participant p where ${VISIBLE_TO('p')} and p.ended_at is null order by p.name`, [
    staff.teamId,
    staff.id,
    staff.role,
  ]);
}

/** One participant, if the staff member may see them (a button's target, an escalation's participant). */
export async function visibleParticipant(db: Db, staff: Staff, participantId: string): Promise<Participant | null> {
  const [row] = await db.query<Participant>(`select ${PARTICIPANT_COLUMNS} from participant p where ${VISIBLE_TO("p")} and p.ended_at is null and p.id = $4`, [
    staff.teamId,
    staff.id,
    staff.role,
    participantId,
  ]);
  return row ?? null;
}

/**
 * The rule of who sees whom, as SQL over participant `p` with parameters $1 team, $2 staff id,
 * $3 staff role: their own team; a protected identity only their own coach and the team lead; an
 * admin manages the programme (import, audit, erase) and sees no participant in chat.
 */
export const VISIBLE_TO = (p: string) => `$3 <> 'admin' and ${p}.team_id = $1 and (not ${p}.protected_identity or ${p}.coach_id = $2 or $3 = 'teamlead')`;

/**
 * Matches a name as written ("Anna", "lina berg", "Johan K") against participants. Every written
 * word must equal one of the person's names, or start it when several words are written.
 * Near misses ("Ana" ~ "Anna", but also "Anna" ~ "Hanna") are returned apart as suggestions:
 * acting on one could tell a coach about the wrong person.
 */
export function matchParticipants(written: string, people: Participant[]): { exact: Participant[]; near: Participant[] } {
  const words = fold(written).split(/\s+/).filter(Boolean);
  const exact: Participant[] = [];
  const near: Participant[] = [];
  if (!words.length) return { exact, near };
  for (const p of people) {
    const names = fold(p.name).split(/\s+/);
    const is = (match: (w: string, n: string) => boolean) => words.every((w) => names.some((n) => match(w, n)));
    if (is((w, n) => n === w || (words.length > 1 && n.startsWith(w)))) exact.push(p);
    else if (is((w, n) => n === w || tokenMatches(w, n) || (w.length >= 4 && editDistance(w, n, 1) <= 1))) near.push(p);
  }
  return { exact, near };
}

/** Finds any visible participant's first or full name among the words of a message (for lower-case writing). */
export function participantsNamedIn(text: string, people: Participant[]): Participant[] {
  const named = firstNameIn(text);
  return people.filter((p) => named(p.name));
}

/** Whether a person's first name stands in the text, as written or with a possessive -s ("Karins"). */
export function firstNameIn(text: string): (fullName: string) => boolean {
  const words = fold(text).split(/[^\p{L}]+/u).filter((w) => w.length > 1);
  const stripped = words.map((w) => (w.endsWith('s') ? w.slice(0, -1) : w));
  return (fullName) => {
    const first = firstNameOf(fullName);
    return words.includes(first) || stripped.includes(first);
  };
}

/** A person's first name, folded ("Karin Lund" → "karin"). */
export const firstNameOf = (fullName: string) => fold(fullName).trim().split(/\s+/)[0]!;

/** "Omars", "Lisa": a word written with a capital inside a sentence, as a name is (not a sentence's first word, not an abbreviation like FK). */
export function writesAName(text: string): boolean {
  return text
    .split(/[.!?]+\s+/)
    .some((sentence) => sentence.trim().split(/\s+/).slice(1).some((w) => /^\p{Lu}\p{Ll}+$/u.test(w.replace(/[^\p{L}]+$/u, ''))));
}

/** The coach of a participant and the lead of their team, who are told when something happens. */
export async function caretakers(db: Db, participant: Participant): Promise<{ coach: Staff; lead: Staff | null }> {
  const [coach] = await db.query<Staff>(`select id, team_id as "teamId", name, email, role from staff where id = $1`, [participant.coachId]);
  const [lead] = await db.query<Staff>(
    `select s.id, s.team_id as "teamId", s.name, s.email, s.role from team t join staff s on s.id = t.lead_id where t.id = $1`,
    [participant.teamId],
  );
  return { coach: coach!, lead: lead ?? null };
}
