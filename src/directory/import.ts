// `lots import`: a JSON file in the import format, or a CSV of participants or of contacts.
// A file is checked whole — shape, then references against itself and the store — and written
// in one transaction, so a bad file writes nothing.
import { DateTime } from 'luxon';
import { MEETING_COLUMNS, type Meeting } from '../meetings/queries.js';
import { planMeetingSends } from '../meetings/reminders.js';
import { meetingSettings } from '../meetings/settings.js';
import { z } from 'zod';
import type { Db } from '../store/db.js';
import { TIME_ZONE, type Clock } from '../model/index.js';
import { t } from '../i18n/index.js';
import { parseCsv } from './csv.js';
import { jsonLines, lineOf } from './json-lines.js';
import { importSchema, participantSchema, contactSchema, type ImportFile, type ImportContact } from './import-format.js';
import { CONSENT_IN_FORCE } from '../consent/consents.js';

export interface ImportIssue {
  line?: number;
  field: string;
  message: string;
}

export class ImportError extends Error {
  constructor(readonly issues: ImportIssue[]) {
    super(issues.map(formatIssue).join('\n'));
  }
}

export function formatIssue(issue: ImportIssue): string {
  return issue.line !== undefined
    ? t('sv', 'cli:import.issueAtLine', { line: issue.line, field: issue.field, message: issue.message })
    : t('sv', 'cli:import.issue', { field: issue.field, message: issue.message });
}

/** A contact with the participant it belongs to: how CSV contacts and nested JSON contacts meet. */
export interface ContactRow extends ImportContact {
  participant: string;
  line?: number;
  field: string;
}

export interface ImportPlan {
  file: ImportFile;
  contacts: ContactRow[];
  lineOf: (path: (string | number)[]) => number | undefined;
  /** How the reader names a field: "participants[0].coach" in JSON, the column "coach" in a CSV. */
  fieldOf: (path: (string | number)[]) => string;
  /**
   * A CSV's rows of the wrong shape, left out of `file`: `applyImport` tells them together with
   * the other rows' problems (unknown coach, a phone taken), so a file is mended in one go.
   */
  issues: ImportIssue[];
}

const fieldName = (path: readonly PropertyKey[]) =>
  path.map((p, k) => (typeof p === 'number' ? `[${p}]` : k === 0 ? String(p) : `.${String(p)}`)).join('');

/** The file's reader is a person: zod's own messages in Swedish, and a missing field said plainly. */
const swedish = z.locales.sv().localeError;
const IN_SWEDISH = {
  error: (issue: Parameters<typeof swedish>[0]) => (issue.code === 'invalid_type' && issue.input === undefined ? t('sv', 'cli:import.missing') : swedish(issue)),
};

function zodIssues(
  error: z.ZodError,
  line: (path: (string | number)[]) => number | undefined,
  prefix: (string | number)[] = [],
  name: (path: (string | number)[]) => string = fieldName,
): ImportIssue[] {
  return error.issues.map((issue) => {
    const path = [...prefix, ...(issue.path as (string | number)[])];
    // An unknown column or key is named as the field itself (its path ends where it begins).
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => name([...path, k])).join(', ') : '';
    return { line: line(path), field: unknown || name(path), message: issue.message };
  });
}

/**
 * Reads and checks a file's shape. Throws ImportError naming every bad line and field when the file
 * cannot be read as a whole (not UTF-8, not JSON, a JSON file of the wrong shape, an unknown CSV);
 * a CSV's bad rows are kept in `issues` for `applyImport`.
 */
export function parseImport(text: string, fileName: string): ImportPlan {
  // A file saved as Latin-1 or Windows-1252 (Excel's default) reads with U+FFFD where å, ä, ö
  // were: refused, rather than names stored as "Nils �kesson".
  const broken = text.split('\n').findIndex((l) => l.includes('\uFFFD'));
  if (broken >= 0) throw new ImportError([{ line: broken + 1, field: '(fil)', message: t('sv', 'cli:import.notUtf8') }]);
  if (/\.csv$/i.test(fileName)) return parseCsvImport(text);
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new ImportError([{ field: '(fil)', message: t('sv', 'cli:import.notJson', { reason: (err as Error).message }) }]);
  }
  const lines = jsonLines(text.replace(/^\uFEFF/, ''));
  const line = (path: (string | number)[]) => lineOf(lines, path);
  const parsed = importSchema.safeParse(raw, IN_SWEDISH);
  if (!parsed.success) throw new ImportError(zodIssues(parsed.error, line));
  const contacts = parsed.data.participants.flatMap((p, i) =>
    p.contacts.map((c, k) => ({ ...c, participant: p.id, line: line(['participants', i, 'contacts', k]), field: `participants[${i}].contacts[${k}]` })),
  );
  return { file: parsed.data, contacts, lineOf: line, fieldOf: fieldName, issues: [] };
}

const csvBoolean = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.enum(['true', 'false', 'ja', 'nej', '1', '0', 'yes', 'no']))
  .transform((s) => ['true', 'ja', '1', 'yes'].includes(s));

function csvObject(cells: Record<string, string>, booleans: string[], numbers: string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cells)) {
    if (value === '') continue;
    if (booleans.includes(key)) {
      const b = csvBoolean.safeParse(value, IN_SWEDISH);
      out[key] = b.success ? b.data : value;
    } else if (numbers.includes(key) && /^\d+$/.test(value)) out[key] = Number(value);
    else out[key] = value;
  }
  return out;
}

/** Says whether a value was given before in a file (and remembers it): its repeated ids, phones, e-mails. */
function repeatCheck(): (value: string | undefined) => boolean {
  const seen = new Set<string>();
  return (value) => {
    if (value === undefined) return false;
    if (seen.has(value)) return true;
    seen.add(value);
    return false;
  };
}

/** A participant CSV's consent columns and the consent each records (`consents` in the JSON format). */
const CONSENT_COLUMNS = { consentSms: 'sms', consentAgencySharing: 'agencySharing', consentSus: 'sus' } as const;

/** The CSV column a path into a participant comes from: its last key, or a consent's own column. */
function csvColumn(path: (string | number)[]): string {
  const consent = path.at(-2) === 'consents' ? Object.entries(CONSENT_COLUMNS).find(([, kind]) => kind === path.at(-1)) : undefined;
  return consent ? consent[0] : String(path.at(-1));
}

function parseCsvImport(text: string): ImportPlan {
  const { header, records } = parseCsv(text);
  // The file's line of each participant kept (a bad row is left out, so the indices are not the rows').
  const lines: number[] = [];
  const line = (path: (string | number)[]) => (typeof path[1] === 'number' ? lines[path[1]] : undefined);
  const issues: ImportIssue[] = [];
  const file: ImportFile = { teams: [], staff: [], participants: [], meetings: [] };
  const contacts: ContactRow[] = [];
  const isContacts = header.includes('agency');
  // A participant row that repeats an earlier row's id or phone is told here, where the bad rows
  // are still in sight (applyImport sees only the rows kept); the repeat is not kept.
  const repeated = { id: repeatCheck(), phone: repeatCheck() };
  if (!isContacts && !header.includes('gender')) {
    throw new ImportError([{ line: 1, field: '(rubrikrad)', message: t('sv', 'cli:import.unknownCsv') }]);
  }
  records.forEach((record) => {
    if (isContacts) {
      const { participant, ...rest } = csvObject(record.cells, ['primary']);
      const parsed = contactSchema.safeParse(rest, IN_SWEDISH);
      if (!participant) issues.push({ line: record.line, field: 'participant', message: t('sv', 'cli:import.required') });
      if (!parsed.success) issues.push(...zodIssues(parsed.error, () => record.line));
      else if (participant) contacts.push({ ...parsed.data, participant: String(participant), line: record.line, field: '' });
    } else {
      const cells = csvObject(record.cells, ['protectedIdentity', ...Object.keys(CONSENT_COLUMNS)], ['exitReason']);
      const consents: Record<string, unknown> = {};
      for (const [column, kind] of Object.entries(CONSENT_COLUMNS)) {
        if (cells[column] !== undefined) consents[kind] = cells[column];
        delete cells[column];
      }
      const parsed = participantSchema.safeParse({ ...cells, ...(Object.keys(consents).length ? { consents } : {}) }, IN_SWEDISH);
      // A bad row's id and phone as far as they read on their own; a good row's as parsed.
      const keyOf = (key: 'id' | 'phone') => (parsed.success ? parsed.data[key] : participantSchema.shape[key].safeParse(cells[key]).data);
      const repeats = (['id', 'phone'] as const).map((key) => [key, keyOf(key)] as const).filter(([key, value]) => repeated[key](value));
      for (const [key, value] of repeats) issues.push({ line: record.line, field: key, message: t('sv', 'cli:import.duplicate', { value }) });
      if (!parsed.success) issues.push(...zodIssues(parsed.error, () => record.line, [], csvColumn));
      else if (!repeats.length) {
        lines.push(record.line);
        file.participants.push(parsed.data);
      }
    }
  });
  return { file, contacts, lineOf: line, fieldOf: csvColumn, issues };
}

export interface ImportSummary {
  teams: number;
  staff: number;
  participants: number;
  contacts: number;
  meetings: number;
}

/**
 * Checks references and writes the plan in one transaction. Throws ImportError, naming the plan's
 * own problems and every reference's at once, and writes nothing when anything is wrong.
 */
export async function applyImport(db: Db, plan: ImportPlan, clock: Clock, actor = 'import'): Promise<ImportSummary> {
  const { file } = plan;
  return db.transaction(async (tx) => {
    const issues: ImportIssue[] = [...plan.issues];
    const at = (path: (string | number)[], message: string, field = plan.fieldOf(path)) =>
      issues.push({ line: plan.lineOf(path), field, message });
    const now = clock.now();

    const dupes = <T>(items: T[], key: (x: T) => string, section: string, prop: string) => {
      const repeated = repeatCheck();
      items.forEach((item, i) => {
        if (repeated(key(item))) at([section, i, prop], t('sv', 'cli:import.duplicate', { value: key(item) }));
      });
    };
    dupes(file.staff, (s) => s.id, 'staff', 'id');
    dupes(file.staff, (s) => s.email, 'staff', 'email');
    dupes(file.participants, (p) => p.id, 'participants', 'id');
    dupes(file.participants, (p) => p.phone, 'participants', 'phone');
    dupes(file.meetings, (m) => m.id, 'meetings', 'id');

    // What the store already has, to check references the file does not carry itself.
    const dbStaff = new Map(
      (await tx.query<{ id: string; email: string; role: string; team_id: string }>(`select id, email, role, team_id from staff`)).map((s) => [s.id, s]),
    );
    const dbParticipants = new Map(
      (await tx.query<{ id: string; phone: string }>(`select id, phone from participant`)).map((p) => [p.id, p]),
    );
    const staff = new Map([...dbStaff].map(([id, s]) => [id, { role: s.role, team: s.team_id, email: s.email }]));
    for (const s of file.staff) staff.set(s.id, { role: s.role, team: s.team, email: s.email });
    const participantIds = new Set([...dbParticipants.keys(), ...file.participants.map((p) => p.id)]);

    file.staff.forEach((s, i) => {
      const clash = [...dbStaff.values()].find((d) => d.email === s.email && d.id !== s.id);
      if (clash) at(['staff', i, 'email'], t('sv', 'cli:import.emailTaken', { other: clash.id }));
      if (s.backup && !staff.has(s.backup)) at(['staff', i, 'backup'], t('sv', 'cli:import.unknownStaff', { id: s.backup }));
    });
    file.teams.forEach((team, i) => {
      if (team.lead && staff.get(team.lead)?.role !== 'teamlead') at(['teams', i, 'lead'], t('sv', 'cli:import.notTeamlead', { id: team.lead }));
    });
    file.participants.forEach((p, i) => {
      const coach = staff.get(p.coach);
      if (!coach) at(['participants', i, 'coach'], t('sv', 'cli:import.unknownStaff', { id: p.coach }));
      else if (coach.role === 'admin') at(['participants', i, 'coach'], t('sv', 'cli:import.notCoach', { id: p.coach }));
      const clash = [...dbParticipants.values()].find((d) => d.phone === p.phone && d.id !== p.id);
      if (clash) at(['participants', i, 'phone'], t('sv', 'cli:import.phoneTaken', { other: clash.id }));
    });
    for (const c of plan.contacts) {
      const field = (name: string) => (c.field ? `${c.field}.${name}` : name);
      if (!participantIds.has(c.participant)) issues.push({ line: c.line, field: field('participant'), message: t('sv', 'cli:import.unknownParticipant', { id: c.participant }) });
      if (!c.phone && !c.fallbackPhone) issues.push({ line: c.line, field: field('phone'), message: t('sv', 'cli:import.contactNeedsPhone') });
    }
    file.meetings.forEach((m, i) => {
      if (!participantIds.has(m.participant)) at(['meetings', i, 'participant'], t('sv', 'cli:import.unknownParticipant', { id: m.participant }));
      if (!DateTime.fromISO(m.start, { zone: TIME_ZONE }).isValid) at(['meetings', i, 'start'], t('sv', 'cli:import.badTime'));
      m.staff.forEach((s, k) => {
        if (!staff.has(s)) at(['meetings', i, 'staff', k], t('sv', 'cli:import.unknownStaff', { id: s }));
      });
    });
    // In the file's order: a line's shape and its references side by side.
    if (issues.length) throw new ImportError(issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity)));

    // Write. Teams that staff name but the file does not define are created with their id as name.
    const programmeId = file.programme?.id ?? 'default';
    await tx.query(
      `insert into programme (id, name, settings) values ($1, $2, $3)
       on conflict (id) do update set name = excluded.name, settings = case when $4 then excluded.settings else programme.settings end`,
      [programmeId, file.programme?.name ?? programmeId, JSON.stringify(file.programme?.settings ?? {}), Boolean(file.programme?.settings)],
    );
    const teamIds = new Set([...file.teams.map((x) => x.id), ...file.staff.map((s) => s.team)]);
    for (const id of teamIds) {
      const team = file.teams.find((x) => x.id === id);
      await tx.query(
        `insert into team (id, programme_id, name) values ($1, $2, $3)
         on conflict (id) do update set name = case when $4 then excluded.name else team.name end`,
        [id, programmeId, team?.name ?? id, Boolean(team)],
      );
    }
    for (const s of file.staff) {
      await tx.query(
        `insert into staff (id, team_id, name, email, role, backup_id) values ($1, $2, $3, $4, $5, $6)
         on conflict (id) do update set team_id = excluded.team_id, name = excluded.name, email = excluded.email,
           role = excluded.role, backup_id = excluded.backup_id`,
        [s.id, s.team, s.name, s.email, s.role, s.backup ?? null],
      );
    }
    for (const team of file.teams) {
      if (team.lead) await tx.query(`update team set lead_id = $2 where id = $1`, [team.id, team.lead]);
      if (team.onCall) await tx.query(`update team set on_call_id = $2 where id = $1`, [team.id, team.onCall]);
    }
    for (const p of file.participants) {
      await tx.query(
        `insert into participant (id, team_id, coach_id, name, phone, language, gender, protected_identity,
                                  started_at, ended_at, exit_reason, income_at_start, checkin_weekday, checkin_time, on_leave_until)
         values ($1, (select team_id from staff where id = $2), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
         on conflict (id) do update set team_id = excluded.team_id, coach_id = excluded.coach_id, name = excluded.name,
           phone = excluded.phone, language = excluded.language, gender = excluded.gender,
           protected_identity = excluded.protected_identity, started_at = excluded.started_at,
           ended_at = excluded.ended_at, exit_reason = excluded.exit_reason, income_at_start = excluded.income_at_start,
           checkin_weekday = excluded.checkin_weekday, checkin_time = excluded.checkin_time, on_leave_until = excluded.on_leave_until`,
        [
          p.id, p.coach, p.name, p.phone, p.language, p.gender, p.protectedIdentity, p.startedAt ?? null, p.endedAt ?? null, p.exitReason ?? null,
          p.incomeAtStart ?? null, p.checkinWeekday ?? null, p.checkinTime ?? null, p.onLeaveUntil ?? null,
        ],
      );
      // The weekly check-in is planned again from the (maybe changed) schedule at the next tick.
      await tx.query(`update planned_send set status = 'inert', reason = 'schedule imported', done_at = $2 where kind = 'checkin.weekly' and ref = $1 and status = 'planned'`, [p.id, now]);
      for (const [key, kind] of [['sms', 'sms'], ['agencySharing', 'agency_sharing'], ['sus', 'sus']] as const) {
        const granted = p.consents?.[key];
        if (granted === undefined) continue;
        // A new consent row only when it changes what is in force: the history stays meaningful.
        await tx.query(
          `insert into consent (participant_id, kind, granted, recorded_at, recorded_by)
           select $1, $2, $3, $4, $5
           where coalesce(${CONSENT_IN_FORCE('$1', '$2')}, not $3) <> $3`,
          [p.id, kind, granted, now, actor],
        );
      }
      // No SMS consent: nothing but a crisis reply goes to them, as after their own STOP. Consent
      // given in a file lifts that, but never a STOP the person sent: only their START does.
      if (p.consents?.sms === false) await tx.query(`update participant set opted_out_at = coalesce(opted_out_at, $2) where id = $1`, [p.id, now]);
      if (p.consents?.sms === true) {
        await tx.query(
          `update participant set opted_out_at = null where id = $1
             and coalesce((select granted from consent where participant_id = $1 and kind = 'sms' and recorded_by = 'participant:sms' order by seq desc limit 1), true)`,
          [p.id],
        );
      }
    }
    for (const c of plan.contacts) await upsertContact(tx, c, now, actor);
    for (const m of file.meetings) {
      const start = DateTime.fromISO(m.start, { zone: TIME_ZONE }).toJSDate();
      // A meeting whose time changes gets a new version, so reminders planned for the old time never fire.
      const [meeting] = await tx.query<Meeting>(
        `insert into meeting (id, participant_id, coach_id, type, start_at, duration_minutes, place, video_link, agencies, staff_ids, interpreter_language, status)
         values ($1, $2, (select coach_id from participant where id = $2), $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (id) do update set participant_id = excluded.participant_id, type = excluded.type,
           start_at = excluded.start_at, duration_minutes = excluded.duration_minutes, place = excluded.place,
           video_link = excluded.video_link, agencies = excluded.agencies, staff_ids = excluded.staff_ids,
           interpreter_language = excluded.interpreter_language, status = excluded.status,
           version = meeting.version + case when (meeting.start_at, meeting.duration_minutes, meeting.status) is distinct from (excluded.start_at, excluded.duration_minutes, excluded.status) then 1 else 0 end
         returning ${MEETING_COLUMNS}`,
        [m.id, m.participant, m.type, start, m.durationMinutes, m.place ?? null, m.videoLink ?? null, m.agencies, m.staff, m.interpreterLanguage ?? null, m.status],
      );
      await tx.query(`update planned_send set status = 'inert', reason = 'meeting changed by import', done_at = $3 where ref = $1 and version <> $2 and status in ('planned', 'queued')`, [
        meeting!.id,
        meeting!.version,
        now,
      ]);
      if (meeting!.status === 'booked' || meeting!.status === 'confirmed') {
        const [team] = await tx.query<{ teamId: string }>(`select team_id as "teamId" from participant where id = $1`, [m.participant]);
        await planMeetingSends(tx, meeting!, now, await meetingSettings(tx, team!.teamId));
      }
    }
    const summary: ImportSummary = {
      teams: teamIds.size,
      staff: file.staff.length,
      participants: file.participants.length,
      contacts: plan.contacts.length,
      meetings: file.meetings.length,
    };
    await tx.query(`insert into audit_log (at, actor, action, detail) values ($1, $2, 'import', $3)`, [now, actor, JSON.stringify(summary)]);
    return summary;
  });
}

/** Inserts or updates one contact, keeping a history row of what changed. */
export async function upsertContact(tx: Db, c: ContactRow | (ImportContact & { participant: string }), now: Date, actor: string): Promise<void> {
  const after = {
    person_name: c.name ?? null,
    phone: c.phone ?? null,
    hours: c.hours ?? null,
    fallback_phone: c.fallbackPhone ?? null,
    fallback_hours: c.fallbackHours ?? null,
    last_verified: c.lastVerified ?? null,
    is_primary: c.primary ?? false,
  };
  const [before] = await tx.query<Record<string, unknown> & { id: string }>(
    `select id, person_name, phone, hours, fallback_phone, fallback_hours, to_char(last_verified, 'YYYY-MM-DD') as last_verified, is_primary
     from agency_contact where participant_id = $1 and agency = $2 and role = $3`,
    [c.participant, c.agency, c.role],
  );
  if (before && Object.entries(after).every(([k, v]) => before[k] === v)) return;
  const [row] = await tx.query<{ id: string }>(
    `insert into agency_contact (participant_id, agency, role, person_name, phone, hours, fallback_phone, fallback_hours, last_verified, is_primary, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
     on conflict (participant_id, agency, role) do update set person_name = excluded.person_name, phone = excluded.phone,
       hours = excluded.hours, fallback_phone = excluded.fallback_phone, fallback_hours = excluded.fallback_hours,
       last_verified = excluded.last_verified, is_primary = excluded.is_primary, updated_at = excluded.updated_at
     returning id`,
    [c.participant, c.agency, c.role, after.person_name, after.phone, after.hours, after.fallback_phone, after.fallback_hours, after.last_verified, after.is_primary, now],
  );
  const { id: _id, ...beforeFields } = before ?? { id: '' };
  await tx.query(
    `insert into agency_contact_history (contact_id, participant_id, changed_at, changed_by, before, after) values ($1, $2, $3, $4, $5, $6)`,
    [row!.id, c.participant, now, actor, before ? JSON.stringify(beforeFields) : null, JSON.stringify(after)],
  );
}
