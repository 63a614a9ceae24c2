// The demo programme: fictional people from demo-programme.json, with meetings placed
// in the coming weeks relative to Lots' clock so the demo never goes stale. Every phone number
// there is in the range PTS keeps for fiction (070-1740605 to 070-1740699): none reaches a person.
import fs from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { TIME_ZONE, type Clock } from '../model/index.js';
import { projectRoot } from '../util/paths.js';
import type { Db } from '../store/db.js';
import { applyImport, parseImport, type ImportSummary } from './import.js';

const DEMO_FILE = path.join(projectRoot, 'src', 'directory', 'demo-programme.json');

/** [participant, type, weeks ahead, weekday (1 = Monday), hour] */
const DEMO_MEETINGS: [string, string, number, 1 | 2 | 3 | 4 | 5, number][] = [
  ['p1', 'coach', 1, 3, 10],
  ['p1', 'sip', 2, 2, 13],
  ['p2', 'trepartssamtal', 1, 4, 9],
  ['p3', 'natverksmote', 1, 2, 14],
  ['p6', 'arendemote', 2, 1, 10],
  ['p9', 'uppfoljning', 1, 5, 11],
];

export function demoProgramme(clock: Clock): Record<string, unknown> {
  const base = JSON.parse(fs.readFileSync(DEMO_FILE, 'utf8')) as Record<string, unknown>;
  const today = DateTime.fromJSDate(clock.now(), { zone: TIME_ZONE }).startOf('week');
  const meetings = DEMO_MEETINGS.map(([participant, type, weeks, weekday, hour], i) => ({
    id: `demo-m${i + 1}`,
    participant,
    type,
    start: today.plus({ weeks }).set({ weekday, hour }).toFormat("yyyy-MM-dd'T'HH:mm"),
    durationMinutes: 60,
  }));
  return { ...base, meetings };
}

/** Loads the demo programme when the store holds no participant yet. */
export async function loadDemoIfEmpty(db: Db, clock: Clock): Promise<ImportSummary | null> {
  const [row] = await db.query<{ n: number }>(`select count(*)::int as n from participant`);
  if (row && row.n > 0) return null;
  const text = JSON.stringify(demoProgramme(clock), null, 2);
  return applyImport(db, parseImport(text, 'demo.json'), clock, 'demo');
}
