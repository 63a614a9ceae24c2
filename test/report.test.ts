// Figures split by gender with small cells suppressed, and the SUS export of consenting
// participants only — on every engine; and `lots report` as a user runs it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { engines, testDb } from './support/db.js';
import { buildReport, countFigure, susExport, suppress, toCsv } from '../src/reports/report.js';
import { LOTS_BIN } from '../src/cli/spawn-serve.js';

const YEAR = { from: '2026-01-01', to: '2026-12-31' };

describe.each(engines)('report on %s', (engine) => {
  it('splits every figure by gender and hides small cells, also from the total', async () => {
    const db = await testDb(engine);
    try {
      const r = await buildReport(db, YEAR);
      const row = (measure: string) => r.figures.find((f) => f.measure === measure)!;
      // The demo programme: 8 women, 8 men, 1 "annat" started in 2026. The one must not be
      // recoverable from the total, so one other count is masked.
      expect(row('Deltagare som började')).toEqual({ measure: 'Deltagare som började', kvinna: 'x', man: 8, annat: '<5', total: 17 });
      expect(row('Avslut: ohälsa')).toEqual({ measure: 'Avslut: ohälsa', kvinna: 0, man: 0, annat: 0, total: 0 });
      for (const f of r.figures) for (const cell of [f.kvinna, f.man, f.annat, f.total]) {
        if (typeof cell === 'number' && Number.isInteger(cell)) expect(cell === 0 || cell >= 5, `${f.measure}: ${cell}`).toBe(true);
      }

      // Rates rest on at least five people: seven women's meetings give a rate, one man's does not.
      await db.query(
        `insert into meeting (id, participant_id, coach_id, type, start_at, status)
         select 'r' || i, p.id, p.coach_id, 'coach', '2026-10-05T09:00:00Z', case when i % 2 = 0 then 'missed' else 'held' end
         from (select id, coach_id, row_number() over (order by id) as i from participant where gender = 'kvinna') p`,
      );
      await db.query(`insert into meeting (id, participant_id, coach_id, type, start_at, status) values ('rm', 'p2', 's1', 'coach', '2026-10-05T09:00:00Z', 'missed')`);
      const rates = (await buildReport(db, YEAR)).figures.find((f) => f.measure === 'Andel uteblivna möten')!;
      // The total (5 of 9) would give the one man's away (1 of 1): masked.
      expect(rates).toEqual({ measure: 'Andel uteblivna möten', kvinna: 0.5, man: '<5', annat: '–', total: 'x' });
      // A Swedish reader and a Swedish spreadsheet both read a decimal comma.
      expect(toCsv([rates as unknown as Record<string, unknown>], ['measure', 'kvinna', 'man', 'total'])).toBe('measure;kvinna;man;total\nAndel uteblivna möten;0,5;<5;x\n');
      expect(r.figures.map((f) => f.measure).filter((m) => m.includes('mål'))).toContain('Hållna möten med FK per deltagare och månad (mål 0,33)');
    } finally {
      await db.close();
    }
  });

  it('counts by Stockholm days: a meeting at 00:30 on 1 July belongs to July', async () => {
    const db = await testDb(engine);
    try {
      // 30 June 22:30 UTC is 1 July 00:30 in Stockholm.
      await db.query(
        `insert into meeting (id, participant_id, coach_id, type, start_at, status)
         select 'tz' || id, id, coach_id, 'coach', '2026-06-30T22:30:00Z', 'missed' from participant where gender = 'kvinna'`,
      );
      const rate = async (from: string, to: string) => (await buildReport(db, { from, to })).figures.find((f) => f.measure === 'Andel uteblivna möten')!.kvinna;
      expect([await rate('2026-07-01', '2026-07-31'), await rate('2026-06-01', '2026-06-30')]).toEqual([1, '–']);
    } finally {
      await db.close();
    }
  });

  it('exports for SUS only those who consented, without names or numbers', async () => {
    const db = await testDb(engine);
    try {
      const rows = await susExport(db, YEAR);
      expect(rows.map((r) => r.id)).not.toEqual(expect.arrayContaining(['p3']));
      expect(rows.map((r) => r.id).sort()).toEqual(['p1', 'p10', 'p11', 'p12', 'p13', 'p15', 'p16', 'p2', 'p4', 'p5', 'p6', 'p7', 'p8'].sort());
      expect(Object.keys(rows[0]!).sort()).toEqual(['endedAt', 'exitReason', 'gender', 'id', 'incomeAtStart', 'startedAt']);
    } finally {
      await db.close();
    }
  });
});

describe('suppress', () => {
  it.each([
    [0, 0],
    [1, '<5'],
    [4, '<5'],
    [5, 5],
  ])('%d → %s', (n, shown) => expect(suppress(n)).toBe(shown));
});

describe('a row of counts by gender', () => {
  // Found by a new user: 4 women and 4 men shown as <5 and <5 beside a total of 8 gave both away.
  it.each([
    [{ kvinna: 4, man: 4, annat: 0, total: 8 }, { kvinna: '<5', man: '<5', annat: 0, total: 'x' }],
    [{ kvinna: 1, man: 1, annat: 0, total: 2 }, { kvinna: '<5', man: '<5', annat: 0, total: '<5' }],
    [{ kvinna: 1, man: 1, annat: 9, total: 11 }, { kvinna: '<5', man: '<5', annat: 9, total: 'x' }],
    [{ kvinna: 3, man: 4, annat: 0, total: 7 }, { kvinna: '<5', man: '<5', annat: 0, total: 7 }],
    [{ kvinna: 1, man: 8, annat: 8, total: 17 }, { kvinna: '<5', man: 'x', annat: 8, total: 17 }],
    [{ kvinna: 6, man: 8, annat: 0, total: 14 }, { kvinna: 6, man: 8, annat: 0, total: 14 }],
  ])('%o is shown as %o', (counts, shown) => expect(countFigure('m', counts)).toEqual({ measure: 'm', ...shown }));
});

describe('lots report', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lots-report-'));
  const run = (args: string[]) => spawnSync(process.execPath, [LOTS_BIN, ...args], { encoding: 'utf8', env: { ...process.env, LOTS_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'silent' } });

  it('prints CSV on an imported programme, and refuses a bad date with the reason', () => {
    const demo = run(['demo', '--json']);
    fs.writeFileSync(path.join(dir, 'demo.json'), demo.stdout);
    expect(run(['import', path.join(dir, 'demo.json')]).status).toBe(0);
    const csv = run(['report', '--from', '2026-01-01', '--to', '2026-12-31', '--format', 'csv']);
    expect(csv.status).toBe(0);
    expect(csv.stdout.split('\n').slice(0, 2)).toEqual(['measure;kvinna;man;annat;total', 'Deltagare som började;x;8;<5;17']);
    const bad = run(['report', '--from', '2026-02-30', '--to', '2026-12-31']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('from: det datumet finns inte');
    // A month 13 is no day, and only that is said (it was also called later than --to).
    const noDay = run(['report', '--from', '2026-13-01', '--to', '2026-12-31']);
    expect(noDay.stderr.split('\n').filter((l) => l.startsWith('from:'))).toEqual(['from: det datumet finns inte']);
    expect(run(['report', '--from', '2026-03-10', '--to', '2026-02-01']).stderr).toContain('from: --from är ett senare datum än --to');
    // A date not written as one is told its format, once (it was also called a day that does not exist).
    const noDate = run(['report', '--from', 'abc', '--to', '2026-12-31']);
    expect(noDate.stderr.split('\n').filter((l) => l.startsWith('from:'))).toEqual(['from: ange ett datum som ÅÅÅÅ-MM-DD']);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
