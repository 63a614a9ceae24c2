// Reminders survive restarts and run once across processes: planned sends are claimed by Lots'
// clock and handed to pg-boss in one transaction, and a job completes in the transaction that
// writes its messages.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { describe, expect, inject, it, vi } from 'vitest';
import { createApp } from '../src/app.js';
import { openPglite, openPostgres } from '../src/store/db.js';
import { createLogger } from '../src/util/log.js';
import { SettableClock } from '../src/model/index.js';
import { createScheduler } from '../src/scheduler/scheduler.js';
import { meetingDueHandlers } from '../src/meetings/reminders.js';
import { spawnServe } from '../src/cli/spawn-serve.js';
import { demo, testConfig } from './support/app.js';
import { withDatabase } from './support/global-setup.js';
import { TEST_NOW } from './support/time.js';

const ANNA = demo.anna.phone;
const quiet = () => createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
const HOUR = 3600_000;

async function reminderTexts(db: { query: <T>(sql: string, p?: unknown[]) => Promise<T[]> }): Promise<string[]> {
  const rows = await db.query<{ text: string }>(`select text from outbox where recipient = $1 and purpose = 'reminder' order by seq`, [ANNA]);
  return rows.map((r) => r.text);
}

describe("Lots' clock", () => {
  it('runs with real time on a server, from LOTS_CLOCK_START when given; stands still in the simulator', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const running = new SettableClock(TEST_NOW, true);
      const still = new SettableClock(TEST_NOW);
      vi.advanceTimersByTime(90_000);
      expect(running.now().getTime() - TEST_NOW.getTime()).toBe(90_000);
      expect(still.now()).toEqual(TEST_NOW);
      running.advance(HOUR);
      vi.advanceTimersByTime(1000);
      expect(running.now().getTime() - TEST_NOW.getTime()).toBe(90_000 + HOUR + 1000);
      // The server's clock comes from the configuration: not the simulator, so it runs.
      const app = await createApp({ config: { ...testConfig, simulator: false, clockStart: TEST_NOW }, log: quiet(), db: await openPglite(undefined, new Blob([fs.readFileSync(inject('pgliteDemo'))])) });
      vi.advanceTimersByTime(60_000);
      expect(app.clock.now().getTime() - TEST_NOW.getTime()).toBeGreaterThanOrEqual(60_000);
      await app.close();
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('reminders across a restart (PGlite in a folder)', () => {
  it('a restart between booking and reminder loses none and sends none twice', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lots-restart-')), 'data');
    const template = new Blob([fs.readFileSync(inject('pgliteDemo'))]);
    const config = { ...testConfig, dataDir: dir };

    const first = await createApp({ config, log: quiet(), db: await openPglite(dir, template), clock: new SettableClock(TEST_NOW) });
    const booked = await first.server.inject({ method: 'POST', url: '/sim/staff', payload: { from: demo.eva, text: 'boka möte med Anna ons kl 10' } });
    expect(booked.json().replies[0].text).toMatch(/^Bokat/);
    // Monday 10:30: the two-day reminder (Monday 10:00) has gone.
    await first.server.inject({ method: 'POST', url: '/sim/clock', payload: { advance: 'PT1H30M' } });
    expect(await reminderTexts(first.db)).toHaveLength(1);
    await first.close();

    // The same folder, a new process's worth of Lots; the simulator's clock comes back from the database.
    const second = await createApp({ config, log: quiet(), db: await openPglite(dir) });
    expect(second.clock.now().toISOString()).toBe(new Date(TEST_NOW.getTime() + 1.5 * HOUR).toISOString());
    for (let h = 0; h < 50; h++) await second.server.inject({ method: 'POST', url: '/sim/clock', payload: { advance: 'PT1H' } });
    const texts = await reminderTexts(second.db);
    // Each of the two reminders once: two days ahead, then on the day.
    expect(texts.map((t) => t.match(/coach (.*?)\. Plats/)?.[1]).sort()).toEqual(['i dag kl 10.00', 'onsdag 25 november kl 10.00']);
    await second.close();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  it('a send due now goes in the same tick, even when the database clock has not moved since the hand-over', async () => {
    // PGlite's now() counts whole milliseconds; with Date frozen, hand-over and fetch share one now().
    const clock = new SettableClock(TEST_NOW);
    const app = await createApp({ config: testConfig, log: quiet(), db: await openPglite(undefined, new Blob([fs.readFileSync(inject('pgliteDemo'))])), clock });
    try {
      await app.server.inject({ method: 'POST', url: '/sim/staff', payload: { from: demo.eva, text: 'boka möte med Anna ons kl 10' } });
      clock.advance(1.5 * HOUR); // the two-day reminder (Monday 10:00) is due
      vi.useFakeTimers({ toFake: ['Date'] });
      await app.tick();
      vi.useRealTimers();
      expect(await reminderTexts(app.db)).toHaveLength(1);
    } finally {
      vi.useRealTimers();
      await app.close();
    }
  });

  it('sends handed to pg-boss by a process that then stopped are sent once by the next', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lots-handover-')), 'data');
    const clock = new SettableClock(TEST_NOW);
    const db = await openPglite(dir, new Blob([fs.readFileSync(inject('pgliteDemo'))]));
    const app = await createApp({ config: { ...testConfig, dataDir: dir }, log: quiet(), db, clock });
    await app.server.inject({ method: 'POST', url: '/sim/staff', payload: { from: demo.eva, text: 'boka möte med Anna ons kl 10' } });
    await app.close();

    // A process that claims what is due and dies before working it: the jobs wait in pg-boss.
    const db2 = await openPglite(dir);
    clock.advance(1.5 * HOUR);
    const dying = await createScheduler({ db: db2, clock, log: quiet(), handlers: meetingDueHandlers });
    expect(await dying.handOver(clock.now())).toBeGreaterThan(0);
    await dying.stop();
    expect(await db2.query(`select status from planned_send where kind = 'meeting.reminder' and label = 'P2D' and status = 'queued'`)).toHaveLength(1);
    await db2.close();

    const next = await createApp({ config: { ...testConfig, dataDir: dir }, log: quiet(), db: await openPglite(dir), clock });
    await next.tick();
    await next.tick();
    expect(await reminderTexts(next.db)).toHaveLength(1);
    await next.close();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });
});

const postgresUrl = inject('postgresUrl');
describe.skipIf(!postgresUrl)('two lots serve processes on one PostgreSQL', () => {
  it('send each reminder exactly once', async () => {
    const name = `lots_two_${process.pid}`;
    const admin = new pg.Client({ connectionString: postgresUrl! });
    await admin.connect();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name} template ${inject('postgresTemplates')!.demo}`);
    const url = withDatabase(postgresUrl!, name);
    // Both tick on their own every second too, racing the clock moves below. They start at the
    // test's moment: at the real time the demo's later meetings would already have reminders due.
    const env = { DATABASE_URL: url, LOTS_SIMULATOR: '1', LOTS_DEMO: '0', LOTS_TICK_SECONDS: '1', LOTS_CLOCK_START: TEST_NOW.toISOString() };
    const [a, b] = await Promise.all([spawnServe(env), spawnServe(env)]);
    const post = async (base: string, route: string, body: object) => {
      const res = await fetch(`${base}${route}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(res.status).toBe(200);
      return res.json();
    };
    try {
      await Promise.all([a, b].map((s) => post(s.url, '/sim/clock', { set: TEST_NOW.toISOString() })));
      // Three participants, three meetings: six reminders and three attendance questions.
      for (const who of ['Anna', 'Johan Karlsson', 'Alex']) {
        const res = await post(a.url, '/sim/staff', { from: demo.eva, text: `boka möte med ${who} ons kl ${who === 'Anna' ? 10 : who === 'Alex' ? 13 : 15}` });
        expect(res.replies[0].text).toMatch(/^Bokat/);
      }
      for (let h = 1; h <= 60; h++) {
        const at = new Date(TEST_NOW.getTime() + h * HOUR).toISOString();
        await Promise.all([a, b].map((s) => post(s.url, '/sim/clock', { set: at })));
      }
      const db = await openPostgres(url);
      const reminders = await db.query<{ recipient: string; n: number }>(
        `select recipient, count(*)::int as n from outbox where purpose = 'reminder' group by recipient order by recipient`,
      );
      expect(reminders.map((r) => r.n)).toEqual([2, 2, 2]);
      const questions = await db.query<{ n: number }>(`select count(*)::int as n from outbox where text like 'Kom %'`);
      expect(questions[0]!.n).toBe(3);
      // Every send planned for these meetings ended once: done or skipped, none left claimed.
      expect(await db.query(`select id from planned_send where status = 'queued'`)).toEqual([]);
      await db.close();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  }, 120_000);
});
