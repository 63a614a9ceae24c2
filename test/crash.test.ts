// The crash test of issue 9: `lots serve` on PostgreSQL, 2,000 reminders due, kill -9 in the
// middle of the burst, start it again. Every reminder must reach the (fake) provider; one may
// reach it twice only if its provider call was in flight at the kill: handed to the provider,
// not yet marked sent. Two processes on one database send nothing twice.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { spawnServe, type Served } from '../src/cli/spawn-serve.js';
import { openPostgres, type Db } from '../src/store/db.js';
import { fakeElksApi, queueReminders, type FakeElks } from '../src/bench/fixtures.js';
import { withDatabase } from './support/global-setup.js';

const REMINDERS = 2000;
// Monday 23 November 2026, 10:00 in Stockholm: office hours, no quiet hours in the way.
const CLOCK_START = '2026-11-23T09:00:00Z';
const postgresUrl = inject('postgresUrl');

describe.skipIf(!postgresUrl)('a crash in the middle of a reminder burst (PostgreSQL)', () => {
  let admin: pg.Client;
  const databases: string[] = [];
  beforeAll(async () => {
    admin = new pg.Client({ connectionString: postgresUrl! });
    await admin.connect();
  });
  afterAll(async () => {
    for (const name of databases) await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });

  /** A fresh demo database, a fake 46elks, how to start Lots on them and how to queue the burst. */
  async function setUp(tag: string): Promise<{ db: Db; fake: FakeElks; serve: () => Promise<Served>; queue: () => Promise<void> }> {
    const name = `lots_crash_${tag}_${process.pid}`;
    databases.push(name);
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name} template ${inject('postgresTemplates')!.demo}`);
    const url = withDatabase(postgresUrl!, name);
    const db = await openPostgres(url);
    const fake = await fakeElksApi(2);
    const env = {
      DATABASE_URL: url, LOTS_DEMO: '0', LOTS_SIMULATOR: '0', LOTS_CLOCK_START: CLOCK_START, LOTS_TICK_SECONDS: '1',
      ELKS_API_USER: 'u-crash', ELKS_API_PASSWORD: 'p-crash', ELKS_WEBHOOK_SECRET: 'crash-test-webhook-secret', ELKS_API_BASE: fake.url,
      // Paced far above a real account's rate so the burst is over in seconds; a claim left by the
      // killed process is taken back after a second instead of two minutes.
      LOTS_SMS_PER_SECOND: '1000', LOTS_CLAIM_LEASE_SECONDS: '1',
    };
    return { db, fake, serve: () => spawnServe(env), queue: () => queueReminders(db, REMINDERS, new Date(CLOCK_START)) };
  }

  /** Waits until no reminder of the burst is left to send, then says how they ended. */
  async function settled(db: Db): Promise<Record<string, number>> {
    const until = Date.now() + 60_000;
    for (;;) {
      const rows = await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from outbox where recipient like '+4673%' group by status`);
      const by = Object.fromEntries(rows.map((r) => [r.status, r.n]));
      const waiting = await db.query(`select 1 from planned_send where ref like 'load-m-%' and status in ('planned', 'queued') limit 1`);
      if (!by.pending && !by.sending && !waiting.length) return by;
      if (Date.now() > until) throw new Error(`the burst did not settle: ${JSON.stringify(by)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('kill -9 mid-burst, start again: every reminder arrives, twice only if it was in flight at the kill', async () => {
    const { db, fake, serve, queue } = await setUp('kill');
    let lots = await serve();
    try {
      await queue();
      await fake.reached(600, 20_000); // mid-burst: a third has arrived
      await lots.kill();
      const beforeKill = fake.received.length;
      // In flight at the kill: claimed, handed to the provider (it has them), not marked sent.
      const claimed = await db.query<{ recipient: string }>(`select recipient from outbox where status = 'sending' and recipient like '+4673%'`);
      const got = new Set(fake.received.map((m) => m.to));
      const inFlight = claimed.filter((r) => got.has(r.recipient)).length;
      expect(beforeKill).toBeLessThan(REMINDERS); // killed in the middle, not after

      lots = await serve();
      await fake.reached(REMINDERS, 60_000);
      const ended = await settled(db);
      const recipients = new Set(fake.received.map((m) => m.to));
      const duplicates = fake.received.length - recipients.size;
      process.stdout.write(`${JSON.stringify({ crashTest: { reminders: REMINDERS, arrivedBeforeKill: beforeKill, inFlightAtKill: inFlight, duplicates } })}\n`);

      expect(recipients.size).toBe(REMINDERS);
      expect(ended).toEqual({ sent: REMINDERS });
      expect(duplicates).toBeLessThanOrEqual(inFlight);
      expect(fake.received.every((m) => m.message.startsWith('Påminnelse'))).toBe(true);
    } finally {
      await lots.stop();
      await fake.close();
      await db.close();
    }
  }, 120_000);

  it('two processes on one database share the burst and send nothing twice', async () => {
    const { db, fake, serve, queue } = await setUp('two');
    const both = await Promise.all([serve(), serve()]);
    try {
      await queue();
      await fake.reached(REMINDERS, 60_000);
      expect(await settled(db)).toEqual({ sent: REMINDERS });
      expect(fake.received).toHaveLength(REMINDERS);
    } finally {
      await Promise.all(both.map((s) => s.stop()));
      await fake.close();
      await db.close();
    }
  }, 120_000);
});
