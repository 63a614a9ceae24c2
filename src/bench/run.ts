// `npm run bench`: the figures that say whether Lots is fast enough, printed as JSON.
// Each measure names what it measured; run on an otherwise idle machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { classify } from '../understanding/classify.js';
import { detectCrisis } from '../understanding/crisis.js';
import { findTime } from '../understanding/dates.js';
import { inboundSms } from '../channels/sms/wire.js';
import { createApp } from '../app.js';
import { createLogger } from '../util/log.js';
import { SettableClock } from '../model/index.js';
import { openPglite, openPostgres, type Db } from '../store/db.js';
import Fastify from 'fastify';
import pg from 'pg';
import { Agent, request as undiciRequest } from 'undici';
import type { WireRequest } from '../channels/sms/wire.js';
import { migrate } from '../store/migrate.js';
import { spawnServe } from '../cli/spawn-serve.js';
import { addParticipants, fakeElksApi, queueReminders } from './fixtures.js';
import { loadDemoIfEmpty } from '../directory/demo.js';
import { createScheduler } from '../scheduler/scheduler.js';
import { meetingDueHandlers } from '../meetings/reminders.js';
import { dispatch, type Deliver } from '../outbox/outbox.js';
import { buildDigest } from '../digests/digest.js';
import { digestMessage } from '../digests/digests.js';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const round = (n: number, d = 3) => Math.round(n * 10 ** d) / 10 ** d;

const SAMPLES: [string, 'participant' | 'staff'][] = [
  ['vem är min handläggare på Försäkringskassan?', 'participant'],
  ['vem e min kontakt på fk', 'participant'],
  ['STOPP', 'participant'],
  ['numret till socialen tack', 'participant'],
  ['Vem är Annas handläggare på FK?', 'staff'],
  ['vilka kontakter har Omar?', 'staff'],
  ['hej hur mår du idag, jag undrar över mitt möte nästa vecka', 'participant'],
  ['who is my caseworker at the employment service?', 'participant'],
];

function benchClassify(n = 50_000) {
  for (let i = 0; i < 2_000; i++) classify({ text: SAMPLES[i % SAMPLES.length]![0], role: SAMPLES[i % SAMPLES.length]![1] });
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const [text, role] = SAMPLES[i % SAMPLES.length]!;
    const t0 = performance.now();
    classify({ text, role });
    times.push(performance.now() - t0);
  }
  const total = performance.now() - start;
  times.sort((a, b) => a - b);
  return { messages: n, perSecond: Math.round(n / (total / 1000)), p50Ms: round(percentile(times, 50), 4), p99Ms: round(percentile(times, 99), 4) };
}

/** Microseconds per call of a pure function over a few typical messages. */
function microsPerCall(fn: (text: string) => unknown, n = 20_000): number {
  const texts = SAMPLES.map(([text]) => text);
  for (let i = 0; i < 2_000; i++) fn(texts[i % texts.length]!);
  const start = performance.now();
  for (let i = 0; i < n; i++) fn(texts[i % texts.length]!);
  return round(((performance.now() - start) * 1000) / n, 2);
}

const SECRETS = { elksWebhookSecret: 'bench-webhook-secret-0123', twilioAuthToken: 'bench-token', twilioAccountSid: 'ACbench', publicUrl: 'https://lots.example.se' };
type Engine = 'pglite' | 'postgres';

/** A fresh database: PGlite in memory, or a new database on the server DATABASE_URL points at. */
async function benchDb(engine: Engine): Promise<{ db: Db; url?: string; drop: () => Promise<void> }> {
  if (engine === 'pglite') {
    const db = await openPglite(undefined);
    return { db, drop: async () => {} };
  }
  const url = new URL(process.env.DATABASE_URL!);
  const name = `lots_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url.toString() });
  await admin.connect();
  await admin.query(`create database ${name}`);
  url.pathname = `/${name}`;
  const db = await openPostgres(url.toString());
  return {
    db,
    url: url.toString(),
    drop: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

/** Lots with the demo programme and an SMS provider whose sending API is the network's edge (a no-op). */
async function inboundApp(provider: '46elks' | 'twilio', engine: Engine) {
  const { db, drop } = await benchDb(engine);
  await migrate(db);
  const app = await createApp({
    config: {
      host: '127.0.0.1', port: 0, dataDir: '', loadDemo: true, simulator: false, simulatorPublic: false, logLevel: 'silent', tickSeconds: 0, rates: { sms: 100_000, staff: 100_000 }, retentionDays: 90, claimLeaseSeconds: 120, http: { rateLimit: 0, trustProxy: false },
      sms: {
        provider,
        elks: { apiUser: 'u', apiPassword: 'p', webhookSecret: SECRETS.elksWebhookSecret, apiBase: 'http://127.0.0.1:9', from: 'Lots', publicUrl: SECRETS.publicUrl },
        twilio: { accountSid: SECRETS.twilioAccountSid, authToken: SECRETS.twilioAuthToken, from: '+46766861234', apiBase: 'http://127.0.0.1:9', publicUrl: SECRETS.publicUrl },
      },
      slack: {}, teams: { appType: 'MultiTenant' },
    },
    log: createLogger({ level: 'silent' }),
    db,
    clock: new SettableClock(new Date('2026-11-23T08:00:00Z')),
    deliver: async () => {},
  });
  // Each request from another participant, as a programme's inbound traffic is: one person
  // writing hundreds of times a minute would be stopped by the outbox's loop guard instead.
  const phones = await addParticipants(db, 2_000);
  const request = (i: number) => inboundSms(provider, SECRETS, { from: phones[i % phones.length], text: 'vem är min handläggare på FK?', id: `bench-${engine}-${i}` });
  return { app, request, close: async () => (await app.close(), await drop()) };
}

/**
 * Inbound SMS one request at a time through a provider's real webhook (the requests of the SMS
 * contract table: src/channels/sms/wire.ts), to the reply handed to the provider port.
 */
async function benchInbound(provider: '46elks' | 'twilio', n = 1_000) {
  const { app, request, close } = await inboundApp(provider, 'pglite');
  const times: number[] = [];
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await app.server.inject(request(i));
    if (res.statusCode !== 200) throw new Error(`inbound failed: ${res.statusCode}`);
    times.push(performance.now() - t0);
  }
  const total = performance.now() - start;
  await close();
  times.sort((a, b) => a - b);
  return { engine: 'pglite', messages: n, perSecond: Math.round(n / (total / 1000)), p50Ms: round(percentile(times, 50), 2), p99Ms: round(percentile(times, 99), 2), path: `POST /webhooks/sms/${provider} → authenticate, identify, classify, look up, log, outbox, hand to the provider port (one request at a time)` };
}

/**
 * Requests over real HTTP from `connections` keep-alive clients at once, each waiting for its
 * answer, for `seconds`: first as long again to warm up (connections opened, code compiled), so
 * what is measured is the steady state of both servers, not their start. `request(i)` is called
 * with a new `i` each time (a provider never repeats an id).
 */
async function load(url: string, request: (i: number) => WireRequest, seconds: number, connections: number) {
  const agent = new Agent({ connections, pipelining: 1 });
  let next = 0;
  const run = async (until: number, times?: number[]) => {
    await Promise.all(
      Array.from({ length: connections }, async () => {
        while (performance.now() < until) {
          const r = request(next++);
          const t0 = performance.now();
          const res = await undiciRequest(url + r.url, { method: r.method, headers: r.headers, body: r.payload, dispatcher: agent });
          await res.body.dump();
          if (res.statusCode !== 200) throw new Error(`${r.url} answered ${res.statusCode}`);
          times?.push(performance.now() - t0);
        }
      }),
    );
  };
  try {
    await run(performance.now() + seconds * 1000);
    const times: number[] = [];
    const start = performance.now();
    await run(start + seconds * 1000, times);
    const total = performance.now() - start;
    times.sort((a, b) => a - b);
    return { requests: times.length, perSecond: Math.round(times.length / (total / 1000)), p50Ms: round(percentile(times, 50), 2), p99Ms: round(percentile(times, 99), 2) };
  } finally {
    await agent.close();
  }
}

/**
 * Lots' whole inbound path (authenticate, identify, understand, store, reply) against a bare
 * fastify route that takes the same 46elks request and answers a fixed reply, in the same run,
 * at 16 connections over real HTTP: the ratio says what Lots costs over doing nothing.
 */
async function benchInboundVersusBare(engine: Engine, seconds = 5, connections = 16) {
  const lots = await inboundApp('46elks', engine);
  const bare = Fastify();
  bare.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  bare.post('/webhooks/sms/46elks', async (_req, res) => res.type('text/plain').send(''));
  try {
    const bareUrl = await bare.listen({ host: '127.0.0.1', port: 0 });
    const lotsUrl = await lots.app.server.listen({ host: '127.0.0.1', port: 0 });
    const bareFigures = await load(bareUrl, lots.request, seconds, connections);
    const lotsFigures = await load(lotsUrl, lots.request, seconds, connections);
    return { engine, connections, seconds, lots: lotsFigures, bare: bareFigures, ratio: round(lotsFigures.perSecond / bareFigures.perSecond, 3), what: 'POST /webhooks/sms/46elks over HTTP, after as long again to warm up: Lots (authenticate, identify, classify, look up, log, outbox, reply handed to the provider port) vs a fastify route answering the same request with a fixed reply' };
  } finally {
    await bare.close();
    await lots.close();
  }
}

/**
 * 10,000 reminders falling due in the same minute on PGlite: from the tick that finds them to the
 * last one handed to the SMS provider port (the Deliver function a channel implements), counting
 * hand-overs per message so none goes twice.
 */
async function benchReminders(n = 10_000) {
  const db = await openPglite(undefined);
  await migrate(db);
  const clock = new SettableClock(new Date('2026-11-23T08:00:00Z'));
  await loadDemoIfEmpty(db, clock);
  // n participants of coach s1, each with a meeting on Wednesday at 10:00 whose reminder is due within one minute on Monday.
  await db.query(
    `insert into participant (id, team_id, coach_id, name, phone, language, gender)
     select 'bench' || i, 't1', 's1', 'Bench ' || i, '+4673' || lpad(i::text, 7, '0'), 'sv', 'annat' from generate_series(1, $1) i`,
    [n],
  );
  await db.query(
    `insert into meeting (id, participant_id, coach_id, type, start_at, duration_minutes)
     select 'bench-m' || i, 'bench' || i, 's1', 'coach', '2026-11-25T09:00:00Z', 60 from generate_series(1, $1) i`,
    [n],
  );
  await db.query(
    `insert into planned_send (kind, ref, version, label, participant_id, due_at, planned_at)
     select 'meeting.reminder', 'bench-m' || i, 1, 'P2D', 'bench' || i, '2026-11-23T09:00:00Z'::timestamptz + (i % 60) * interval '1 second', '2026-11-23T08:00:00Z'
     from generate_series(1, $1) i`,
    [n],
  );
  const handedOver = new Map<string, number>();
  const deliver: Deliver = async (m) => {
    handedOver.set(m.id, (handedOver.get(m.id) ?? 0) + 1);
  };
  const scheduler = await createScheduler({ db, clock, log: createLogger({ level: 'silent' }), handlers: meetingDueHandlers });
  clock.set(new Date('2026-11-23T09:01:00Z'));
  const t0 = performance.now();
  await scheduler.tick();
  await dispatch(db, deliver, clock);
  const seconds = round((performance.now() - t0) / 1000, 2);
  await scheduler.stop();
  const [pending] = await db.query<{ n: number }>(`select count(*)::int as n from planned_send where ref like 'bench-m%' and status <> 'done'`);
  await db.close();
  const twice = [...handedOver.values()].filter((c) => c > 1).length;
  return {
    engine: 'pglite',
    reminders: n,
    handedOver: handedOver.size,
    handedOverTwice: twice,
    notDone: pending!.n,
    seconds,
    perSecond: Math.round(n / seconds),
    what: 'one tick: claim due planned sends → pg-boss jobs → reminder text in the participant language → outbox → the SMS provider port',
  };
}

/**
 * A weekly digest for a team of 50 coaches, 1,000 participants and 20,000 meetings on PGlite:
 * the queries and all three renderings (text, Block Kit, Adaptive Card) and the chart.
 */
async function benchDigest(runs = 5) {
  const db = await openPglite(undefined);
  await migrate(db);
  const clock = new SettableClock(new Date('2026-11-23T07:00:00Z'));
  await loadDemoIfEmpty(db, clock);
  await db.query(`insert into staff (id, team_id, name, email, role) select 'bc' || i, 't1', 'Coach ' || i, 'coach' || i || '@bench.lots.se', 'coach' from generate_series(1, 50) i`);
  await db.query(
    `insert into participant (id, team_id, coach_id, name, phone, gender, protected_identity, started_at)
     select 'bp' || i, 't1', 'bc' || (1 + i % 50), 'Deltagare ' || i, '+4676' || lpad(i::text, 7, '0'), (array['kvinna','man','annat'])[1 + i % 3], i % 97 = 0, date '2026-01-01' + (i % 300)
     from generate_series(1, 1000) i`,
  );
  await db.query(
    `insert into agency_contact (participant_id, agency, role, phone, last_verified, updated_at)
     select 'bp' || i, a, 'handläggare', '+46101234567', case when i % 5 = 0 then date '2026-01-01' else date '2026-11-01' end, now()
     from generate_series(1, 1000) i, unnest(array['fk','soc','vc','psyk']) a`,
  );
  await db.query(
    `insert into meeting (id, participant_id, coach_id, type, start_at, status, agencies)
     select 'bm' || i, 'bp' || (1 + i % 1000), 'bc' || (1 + (i % 1000) % 50), 'arendemote',
            timestamptz '2026-11-23T09:00:00Z' - (i % 400) * interval '1 day' + (i % 7) * interval '1 hour' + case when i % 10 = 0 then interval '420 days' else interval '0' end,
            (array['held','held','held','missed','booked','confirmed','cancelled'])[1 + i % 7], array[(array['fk','soc','vc','psyk'])[1 + i % 4]]
     from generate_series(1, 20000) i`,
  );
  await db.query(
    `insert into escalation (participant_id, reason, severity, owner_id, step, opened_at)
     select 'bp' || i, 'call-request', 'normal', 'bc' || (1 + i % 50), i % 2, timestamptz '2026-11-20T09:00:00Z' from generate_series(1, 1000, 20) i`,
  );
  await db.query(
    `insert into checkin (participant_id, kind, sent_at, sent_by, missed) select 'bp' || i, 'mood', timestamptz '2026-11-17T09:00:00Z', 'schedule', i % 4 = 0 from generate_series(1, 1000) i`,
  );
  // As `lots serve` does when it opens the store (PGlite has no autovacuum to keep statistics).
  await db.exec('analyze');
  const times: number[] = [];
  let blocks = 0;
  for (let r = 0; r < runs + 1; r++) {
    const t0 = performance.now();
    const digest = await buildDigest(db, 't1', 'weekly', clock.now());
    const message = digestMessage(digest, 'lead@bench.lots.se');
    if (r > 0) times.push(performance.now() - t0); // the first run warms the caches
    blocks = (message.rich!.slack as { blocks: unknown[] }).blocks.length;
  }
  await db.close();
  times.sort((a, b) => a - b);
  return {
    engine: 'pglite',
    coaches: 50,
    participants: 1000,
    meetings: 20000,
    medianMs: round(percentile(times, 50), 1),
    maxMs: round(times.at(-1)!, 1),
    slackBlocks: blocks,
    what: 'weekly digest: queries + text, Block Kit, Adaptive Card and chart PNG',
  };
}

/**
 * Scale-out: 2,000 reminders due at once, sent by one `lots serve` and then by two on one
 * PostgreSQL, through a fake 46elks answering in 5 ms. Seconds from queueing to the last one
 * reaching the provider, and how many arrived twice (must be none).
 */
async function benchScaleOut(n = 2_000) {
  const clockStart = '2026-11-23T09:00:00Z';
  const run = async (processes: number) => {
    const { db, url, drop } = await benchDb('postgres');
    const fake = await fakeElksApi(5);
    const env = {
      // The demo is asked for by name: with an SMS provider set, serve no longer loads it by itself
      // (here the provider is a local fake, so its numbers reach no one).
      DATABASE_URL: url!, LOTS_DEMO: '1', LOTS_SIMULATOR: '0', LOTS_CLOCK_START: clockStart, LOTS_TICK_SECONDS: '1', LOTS_SMS_PER_SECOND: '1000',
      ELKS_API_USER: 'u-bench', ELKS_API_PASSWORD: 'p-bench', ELKS_API_BASE: fake.url,
    };
    // The first loads the demo programme into the empty database; the others start on it.
    const served = [await spawnServe(env)];
    while (served.length < processes) served.push(await spawnServe(env));
    try {
      await queueReminders(db, n, new Date(clockStart));
      const t0 = performance.now();
      await fake.reached(n, 300_000);
      const seconds = round((performance.now() - t0) / 1000, 2);
      return { processes, seconds, perSecond: round(n / seconds), sentTwice: fake.received.length - n };
    } finally {
      await Promise.all(served.map((s) => s.stop()));
      await fake.close();
      await db.close();
      await drop();
    }
  };
  const one = await run(1);
  const two = await run(2);
  return { reminders: n, providerLatencyMs: 5, one, two, speedup: round(one.seconds / two.seconds, 2) };
}

async function timeToHealthy(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const served = await spawnServe({ LOTS_DATA_DIR: dataDir });
  const seconds = round((performance.now() - t0) / 1000, 2);
  await served.stop();
  return seconds;
}

async function benchStartup() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lots-bench-'));
  try {
    const firstStartSeconds = await timeToHealthy(dir);
    const restartSeconds = await timeToHealthy(dir);
    return { firstStartSeconds, restartSeconds, what: 'npx lots serve on an empty LOTS_DATA_DIR (create PGlite, migrate, load demo) until /healthz is 200; then again on the same folder' };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// Each part runs when asked for: `npm run bench -- inboundVersusBare classify` runs those two.
const parts: Record<string, () => unknown> = {
  startup: benchStartup,
  classify: benchClassify,
  understandingParts: () => ({
    crisisMicrosPerMessage: microsPerCall(detectCrisis),
    datesMicrosPerMessage: microsPerCall((text) => findTime(text, new Date('2026-11-23T08:00:00Z'))),
  }),
  inbound: async () => ({ '46elks': await benchInbound('46elks'), twilio: await benchInbound('twilio') }),
  // PostgreSQL too when DATABASE_URL points at a server (a throw-away database is made there).
  inboundVersusBare: async () => [await benchInboundVersusBare('pglite'), ...(process.env.DATABASE_URL ? [await benchInboundVersusBare('postgres')] : [])],
  reminders: benchReminders,
  // Two lots serve processes against one (PostgreSQL only).
  ...(process.env.DATABASE_URL ? { scaleOut: benchScaleOut } : {}),
  digest: benchDigest,
};
const asked = process.argv.slice(2);
const unknownPart = asked.find((name) => !(name in parts));
if (unknownPart) {
  process.stderr.write(`no bench part "${unknownPart}"; parts: ${Object.keys(parts).join(', ')}\n`);
  process.exit(2);
}
const results: Record<string, unknown> = { machine: { cpus: os.cpus().length, node: process.version } };
for (const [name, run] of Object.entries(parts)) if (!asked.length || asked.includes(name)) results[name] = await run();
process.stdout.write(JSON.stringify(results, null, 2) + '\n');
