// Figures for the steering group and ESF: every one split by gender (jämställdhet), with small
// cells suppressed so no individual can be recognised (a count of 1–4 is shown as "<5", and a
// rate built on fewer than 5 people is not shown). And the SUS-style export, of participants
// who consented to SUS registration only. When one gender's count is hidden and the total shown,
// another count is masked ("x") so the total cannot give the small one away.
import type { Db } from '../store/db.js';
import { t } from '../i18n/index.js';
import { DEFAULT_MEETING_SETTINGS } from '../meetings/settings.js';
import { CONSENT_IN_FORCE } from '../consent/consents.js';
import { swedishNumber } from '../util/text.js';

export const GENDERS = ['kvinna', 'man', 'annat'] as const;
type Gender = (typeof GENDERS)[number];
export const SMALL = 5;

export type Cell = number | string;
export interface Figure {
  measure: string;
  kvinna: Cell;
  man: Cell;
  annat: Cell;
  total: Cell;
}

/** A count as it may be shown: 0, or 5 and more; 1–4 as "<5". */
export const suppress = (n: number): Cell => (n > 0 && n < SMALL ? `<${SMALL}` : n);
/** A rate (0–1, or per participant and month) shown only when it rests on 5 or more people. */
const rate = (value: number, base: number, digits = 2): Cell => (base < SMALL ? `<${SMALL}` : Math.round(value * 10 ** digits) / 10 ** digits);

function counts(rows: { gender: Gender; n: number }[]): Record<Gender | 'total', number> {
  const c = { kvinna: 0, man: 0, annat: 0, total: 0 };
  for (const r of rows) {
    c[r.gender] += r.n;
    c.total += r.n;
  }
  return c;
}
/**
 * A row of counts by gender. When exactly one gender's count is hidden and the total is shown, the
 * total would give it away (17 − 8 − 8 = 1): the smallest other count is masked too ("x"). When
 * several are hidden and what the total leaves for them can be split only one way (8 for two hidden
 * counts of 1–4: both 4; 2: both 1), the total is masked.
 */
export function countFigure(measure: string, c: Record<Gender | 'total', number>): Figure {
  const row: Figure = { measure, kvinna: suppress(c.kvinna), man: suppress(c.man), annat: suppress(c.annat), total: suppress(c.total) };
  const hidden = GENDERS.filter((g) => typeof row[g] === 'string');
  if (typeof row.total !== 'number') return row;
  if (hidden.length === 1) {
    const other = GENDERS.filter((g) => g !== hidden[0] && c[g] > 0).sort((a, b) => c[a] - c[b])[0];
    if (other) row[other] = 'x';
  } else if (hidden.length > 1) {
    const left = hidden.reduce((sum, g) => sum + c[g], 0);
    if (left === hidden.length || left === hidden.length * (SMALL - 1)) row.total = 'x';
  }
  return row;
}

export interface ReportOptions {
  from: string;
  to: string;
}

export async function buildReport(db: Db, { from, to }: ReportOptions): Promise<{ from: string; to: string; figures: Figure[] }> {
  const figures: Figure[] = [];
  const byGender = async (measure: string, sql: string, params: unknown[] = []) =>
    figures.push(countFigure(measure, counts(await db.query<{ gender: Gender; n: number }>(sql, [from, to, ...params]))));
  const m = (key: string, vars: Record<string, unknown> = {}) => t('sv', `cli:report.${key}`, vars);

  await byGender(m('started'), `select gender, count(*)::int as n from participant where started_at between $1::date and $2::date group by gender`);
  await byGender(m('ended'), `select gender, count(*)::int as n from participant where ended_at between $1::date and $2::date group by gender`);
  for (const reason of [1, 2, 3]) {
    await byGender(m(`exit.${reason}`), `select gender, count(*)::int as n from participant where ended_at between $1::date and $2::date and exit_reason = $3 group by gender`, [reason]);
  }
  for (const income of ['sjukpenning', 'forsorjningsstod', 'aktivitetsersattning', 'sjukersattning', 'ingen']) {
    await byGender(m(`income.${income}`), `select gender, count(*)::int as n from participant where started_at between $1::date and $2::date and income_at_start = $3 group by gender`, [income]);
  }

  // Rates: per gender, numerator and the number of people they rest on.
  const rates = async (measure: string, sql: string, scale = 1, params: unknown[] = []) => {
    const rows = await db.query<{ gender: Gender; num: number; den: number; people: number }>(sql, [from, to, ...params]);
    const cell = (g: Gender | 'total') => {
      const pick = g === 'total' ? rows : rows.filter((r) => r.gender === g);
      const num = pick.reduce((s, r) => s + Number(r.num), 0);
      const den = pick.reduce((s, r) => s + Number(r.den), 0);
      const people = pick.reduce((s, r) => s + Number(r.people), 0);
      return den ? rate((num / den) * scale, people) : people < SMALL && people > 0 ? `<${SMALL}` : '–';
    };
    const row: Figure = { measure, kvinna: cell('kvinna'), man: cell('man'), annat: cell('annat'), total: cell('total') };
    // One hidden gender and the rest shown: the total would give it away, so it is masked. So is a
    // total of 0 beside a hidden one: it says the few hidden people had none either.
    const hiddenRates = GENDERS.filter((g) => row[g] === `<${SMALL}`).length;
    if (typeof row.total === 'number' && (hiddenRates === 1 || (hiddenRates > 1 && row.total === 0))) row.total = 'x';
    figures.push(row);
  };
  // Held meetings with each agency per participant and month, against the target rate.
  const months = `greatest(1, (($2::date - $1::date) + 1) / 30.4)`;
  for (const [agency, interval] of Object.entries(DEFAULT_MEETING_SETTINGS.cadenceMonths)) {
    await rates(
      m('cadence', { agency: t('sv', `common:agencyCode.${agency}`), target: swedishNumber(Math.round((1 / interval!) * 100) / 100) }),
      `select p.gender,
              (select count(*) from meeting m where m.participant_id = any(array_agg(p.id)) and m.status = 'held' and $3 = any(m.agencies)
                 and m.start_at >= $1::date and m.start_at < $2::date + 1) as num,
              count(*) * ${months} as den, count(*) as people
       from participant p where exists (select 1 from agency_contact c where c.participant_id = p.id and c.agency = $3)
         and (p.started_at is null or p.started_at <= $2::date) and (p.ended_at is null or p.ended_at >= $1::date)
       group by p.gender`,
      1,
      [agency],
    );
  }
  await rates(
    m('noShowRate'),
    `select p.gender, count(*) filter (where m.status = 'missed') as num, count(*) as den, count(distinct p.id) as people
     from meeting m join participant p on p.id = m.participant_id
     where m.status in ('held', 'missed') and m.start_at >= $1::date and m.start_at < $2::date + 1 group by p.gender`,
  );
  await rates(
    m('checkinResponse'),
    `select p.gender, count(*) filter (where c.answered_at is not null) as num, count(*) as den, count(distinct p.id) as people
     from checkin c join participant p on p.id = c.participant_id
     where c.kind = 'mood' and c.sent_at >= $1::date and c.sent_at < $2::date + 1 group by p.gender`,
  );
  return { from, to, figures };
}

/**
 * The SUS-style export: one row per participant who consented to SUS registration (the newest
 * SUS consent granted), no names or numbers: the programme's id, gender, dates, exit reason, income at start.
 */
export async function susExport(db: Db, { from, to }: ReportOptions) {
  return db.query<{ id: string; gender: string; startedAt: string | null; endedAt: string | null; exitReason: number | null; incomeAtStart: string | null }>(
    `select p.id, p.gender, to_char(p.started_at, 'YYYY-MM-DD') as "startedAt", to_char(p.ended_at, 'YYYY-MM-DD') as "endedAt",
            p.exit_reason as "exitReason", p.income_at_start as "incomeAtStart"
     from participant p
     where ${CONSENT_IN_FORCE('p.id', "'sus'")}
       and (p.started_at is null or p.started_at <= $2::date) and (p.ended_at is null or p.ended_at >= $1::date)
     order by p.id`,
    [from, to],
  );
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'number' ? swedishNumber(v) : String(v);
  return /[;"\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
/** Semicolon-separated with decimal commas, as Swedish spreadsheets expect (JSON keeps numbers as numbers). */
export function toCsv(rows: Record<string, unknown>[], columns: string[]): string {
  return [columns.join(';'), ...rows.map((r) => columns.map((c) => csvCell(r[c])).join(';'))].join('\n') + '\n';
}
