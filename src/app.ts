// The composition root: opens the store, wires the core to its channels and starts HTTP.
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { isLoopback, type Config } from './config.js';
import { openStore } from './store/db.js';
import { prepareUnderstanding } from './understanding/classify.js';
import type { Db } from './store/db.js';
import { SettableClock } from './model/index.js';
import { createLots, type Lots } from './core/lots.js';
import { loadDemoIfEmpty } from './directory/demo.js';
import { dispatch, type Deliver, type OutboxRow } from './outbox/outbox.js';
import { buildServer } from './http/server.js';
import { simulatorRoutes } from './channels/simulator/routes.js';
import { t } from './i18n/index.js';
import { elks } from './channels/sms/elks.js';
import { twilio } from './channels/sms/twilio.js';
import { slack, type SlackChannel } from './channels/slack/slack.js';
import { teams, type TeamsChannel, type TeamsEdge } from './channels/teams/teams.js';
import { createScheduler } from './scheduler/scheduler.js';
import { retentionPlanner } from './privacy/privacy.js';
import { RateLimiter, type Lane } from './outbox/rate-limit.js';
import { meetingDueHandlers } from './meetings/reminders.js';
import { escalateFailedSms, escalationDueHandlers } from './escalations/escalations.js';
import { checkinDueHandlers, planWeeklyCheckins } from './checkins/checkins.js';
import { digestDueHandlers, planDigests } from './digests/digests.js';
import { errorFields } from './util/log.js';

export interface App {
  lots: Lots;
  db: Db;
  clock: SettableClock;
  server: FastifyInstance;
  tick: () => Promise<void>;
  close: () => Promise<void>;
}

export interface AppOptions {
  config: Config;
  log: Logger;
  /** Opened by the caller instead (tests share a template database). */
  db?: Db;
  clock?: SettableClock;
  /** Hands messages to their channels instead (tests: a provider that fails). */
  deliver?: Deliver;
  /** Microsoft's login server and the waits between Teams retries (tests replace them). */
  teamsEdge?: TeamsEdge;
}

const CLOCK_KEY = 'simulator.clock';

/**
 * Lots' clock on a store, as `serve` keeps it; the CLI's commands write by it too, so an erasure in
 * a demo sits among the demo's rows. The simulator's time stands still between its own moves, so
 * what it shows is repeatable; it is kept in the database so a restart goes on from the same
 * moment. Outside the simulator the clock runs with real time (from LOTS_CLOCK_START for a drill).
 * A new simulator starts at LOTS_CLOCK_START too, so a scripted session begins where its script does.
 */
export async function clockOf(db: Db, config: Pick<Config, 'simulator' | 'clockStart'>): Promise<SettableClock> {
  const [saved] = config.simulator ? await db.query<{ value: string }>(`select value from setting where key = $1`, [CLOCK_KEY]) : [];
  const start = config.clockStart ?? new Date();
  return config.simulator ? new SettableClock(saved ? new Date(saved.value) : start) : new SettableClock(start, true);
}

export async function createApp({ config, log, teamsEdge, ...given }: AppOptions): Promise<App> {
  if (config.simulator && !isLoopback(config.host) && !config.simulatorPublic) {
    throw new Error(t('sv', 'cli:simulatorPublicRefused', { host: config.host }));
  }
  prepareUnderstanding();
  const db = given.db ?? (await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }));
  const clock = given.clock ?? (await clockOf(db, config));
  if (!config.simulator && config.clockStart) log.warn({ clockStart: config.clockStart.toISOString() }, 'Lots\' clock starts at LOTS_CLOCK_START, not the real time (a drill)');
  const saveClock = async (now: Date) => {
    await db.query(`insert into setting (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value`, [CLOCK_KEY, JSON.stringify(now.toISOString())]);
  };

  // The SMS providers' webhooks are always there (each refuses what it cannot authenticate);
  // SMS go out through the configured one. While the simulator is on, every message is delivered
  // to it instead: the outbox row is the delivery.
  const providers = { '46elks': elks(config.sms.elks), twilio: twilio(config.sms.twilio) };
  const smsOut = config.sms.provider ? providers[config.sms.provider] : null;
  // Staff chat: Teams for those Lots has a Teams conversation with, else Slack, else Teams (which
  // fails, and is retried, until they install the app). The channels need the core: made below.
  let slackOut: SlackChannel | null = null;
  let teamsOut: TeamsChannel | null = null;
  const toStaff = async (m: OutboxRow) => {
    if (teamsOut && (await teamsOut.send(m))) return;
    if (slackOut) return slackOut.send(m);
    throw new Error(teamsOut ? 'no Teams conversation with this person yet: they must install Lots in Teams (or an admin for them)' : 'no staff channel configured');
  };
  // Real channels are paced per kind; answers and alarms go before reminders, check-ins and digests.
  const limits = { sms: new RateLimiter({ perSecond: config.rates.sms }), staff: new RateLimiter({ perSecond: config.rates.staff }) };
  const lane = (m: OutboxRow): Lane => (!m.inReplyTo && (m.purpose === 'reminder' || m.purpose === 'checkin' || m.purpose === 'digest') ? 'bulk' : 'reply');
  const toChannel: Deliver =
    given.deliver ??
    (config.simulator
      ? async () => {}
      : async (m) => {
          await limits[m.channel].take(lane(m));
          if (m.channel === 'sms' && smsOut) return smsOut.send(m);
          if (m.channel === 'staff') return toStaff(m);
          throw new Error(`no ${m.channel} channel configured`);
        });
  // An SMS that could not be delivered to a participant (after its retries) is an escalation: a coach must know.
  const escalateFailure = async (m: OutboxRow) => {
    if (m.channel === 'sms' && m.participantId) await dispatch(db, deliver, clock, { claimed: await escalateFailedSms(db, m.participantId, clock.now()) });
  };
  const deliver = toChannel;
  const sending = { onFailed: escalateFailure, leaseSeconds: config.claimLeaseSeconds };
  /** What a turn wrote, claimed as it was written. */
  const send = (claimed: OutboxRow[]) => dispatch(db, deliver, clock, { claimed, ...sending });
  /** Every pending message that is due. */
  const sendDue = () => dispatch(db, deliver, clock, sending);
  const scheduler = await createScheduler({
    db,
    clock,
    log, handlers: { ...meetingDueHandlers, ...escalationDueHandlers, ...checkinDueHandlers, ...digestDueHandlers },
    planners: [planWeeklyCheckins, planDigests, retentionPlanner(config.retentionDays)],
  });
  // One tick at a time in a process; other processes are kept apart by the database.
  let running: Promise<void> = Promise.resolve();
  const tick = () =>
    (running = running.then(async () => {
      await scheduler.tick();
      await sendDue();
    }));
  const lots = createLots({ db, clock, log, send, runDue: tick });
  const slackChannel = slack(config.slack, { lots, log });
  if (config.slack.botToken) slackOut = slackChannel;
  const teamsChannel = teams(config.teams, { lots, db }, teamsEdge);
  if (config.teams.appId) teamsOut = teamsChannel;
  if (config.loadDemo) {
    const loaded = await loadDemoIfEmpty(db, clock);
    if (loaded) log.info({ ...loaded }, 'demo programme loaded');
  }
  // What fell due while Lots was down goes now, and what recurs (weekly check-ins) is planned.
  await tick();
  // Lots' clock is checked for due sends every few seconds (the simulator's clock only moves when told).
  const timer = config.tickSeconds > 0 ? setInterval(() => void tick().catch((err) => log.error(errorFields(err), 'tick failed')), config.tickSeconds * 1000) : null;
  timer?.unref();
  let ready = false;
  const server = await buildServer({
    log,
    rateLimit: config.http.rateLimit,
    trustProxy: config.http.trustProxy,
    ready: () => ready,
    plugins: [
      ...Object.values(providers).map((p) => (app: FastifyInstance) => p.routes(app, { lots, db, onFailed: escalateFailure })),
      (app: FastifyInstance) => slackChannel.routes(app),
      (app: FastifyInstance) => teamsChannel.routes(app),
      ...(config.simulator ? [(app: FastifyInstance) => simulatorRoutes(app, { lots, clock, tick, saveClock })] : []),
    ],
  });
  // Socket Mode (SLACK_APP_TOKEN): Lots dials out to Slack instead of waiting for its requests.
  if (config.slack.botToken) await slackChannel.start();
  ready = true;
  return {
    lots,
    db,
    clock,
    server,
    tick,
    close: async () => {
      if (timer) clearInterval(timer);
      await slackChannel.stop();
      await server.close();
      await running.catch(() => {});
      await scheduler.stop();
      await db.close();
    },
  };
}
