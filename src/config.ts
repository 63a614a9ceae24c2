// Configuration from the environment, validated once at start.
import path from 'node:path';
import { z } from 'zod';
import type { TeamsConfig } from './channels/teams/teams.js';

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const envSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOTS_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  /** Unset: the demo programme loads only while no SMS provider is configured (its numbers must never be texted for real). */
  LOTS_DEMO: flag.optional(),
  LOTS_SIMULATOR: flag.optional(),
  LOTS_SIMULATOR_PUBLIC: flag.default(false),
  LOTS_TICK_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  LOTS_SMS_PER_SECOND: z.coerce.number().positive().max(1000).default(20),
  LOTS_STAFF_PER_SECOND: z.coerce.number().positive().max(1000).default(10),
  LOTS_HTTP_RATE_LIMIT: z.coerce.number().int().min(0).max(1_000_000).default(1200),
  LOTS_TRUST_PROXY: flag.default(false),
  LOTS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** A claimed message not marked sent after this long is taken back from a process that died. */
  LOTS_CLAIM_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
  /** A drill or a test: Lots' clock starts here and runs on with real time (not with the simulator, whose clock is its own). */
  LOTS_CLOCK_START: z.string().datetime({ offset: true }).transform((v) => new Date(v)).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Channel credentials: any of them set means a real channel is configured.
  SLACK_BOT_TOKEN: z.string().optional(),
  SLACK_SIGNING_SECRET: z.string().optional(),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'SLACK_APP_TOKEN is an app-level token (xapp-…)').optional(),
  /** Slack's Web API (tests point it at a fake). */
  SLACK_API_URL: z.string().url().optional(),
  MicrosoftAppId: z.string().optional(),
  MicrosoftAppPassword: z.string().optional(),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).default('MultiTenant'),
  MicrosoftAppTenantId: z.string().optional(),
  ELKS_API_USER: z.string().optional(),
  ELKS_API_PASSWORD: z.string().optional(),
  ELKS_WEBHOOK_SECRET: z.string().min(16, 'ELKS_WEBHOOK_SECRET must be at least 16 characters').optional(),
  ELKS_API_BASE: z.string().url().default('https://api.46elks.com'),
  ELKS_FROM: z.string().min(1).max(11).default('Lots'),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_FROM: z.string().optional(),
  TWILIO_API_BASE: z.string().url().default('https://api.twilio.com'),
  /** The address providers reach Lots at (Twilio signs it; 46elks reports delivery to it). */
  LOTS_PUBLIC_URL: z.string().url().optional(),
});

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl?: string;
  loadDemo: boolean;
  simulator: boolean;
  simulatorPublic: boolean;
  logLevel: string;
  /** How often due sends are looked for; 0 turns the timer off (tests drive ticks themselves). */
  tickSeconds: number;
  /** How many messages a second each kind of channel is sent (replies before bulk). */
  rates: { sms: number; staff: number };
  /** Requests a minute one address may make to the webhooks (0: no limit), and whether a proxy's X-Forwarded-For is trusted. */
  http: { rateLimit: number; trustProxy: boolean };
  /** How many days the text of messages is kept (then removed; the rows stay). */
  retentionDays: number;
  /** Seconds before a message claimed by a process that died is sent by another. */
  claimLeaseSeconds: number;
  /** Where a running clock starts (a drill); the real time when not set. */
  clockStart?: Date;
  sms: SmsConfig;
  slack: { botToken?: string; signingSecret?: string; appToken?: string; apiUrl?: string };
  teams: TeamsConfig;
}

export interface SmsConfig {
  /** The provider SMS go out through: 46elks when its API user is set, else Twilio when its account is. */
  provider: '46elks' | 'twilio' | null;
  elks: { apiUser?: string; apiPassword?: string; webhookSecret?: string; apiBase: string; from: string; publicUrl?: string };
  twilio: { accountSid?: string; authToken?: string; from?: string; apiBase: string; publicUrl?: string };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = envSchema.parse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  const anyChannel = Boolean(e.SLACK_BOT_TOKEN || e.MicrosoftAppId || e.ELKS_API_USER || e.TWILIO_ACCOUNT_SID);
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.LOTS_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    loadDemo: e.LOTS_DEMO ?? !(e.ELKS_API_USER || e.TWILIO_ACCOUNT_SID),
    simulator: e.LOTS_SIMULATOR ?? !anyChannel,
    simulatorPublic: e.LOTS_SIMULATOR_PUBLIC,
    logLevel: e.LOG_LEVEL,
    tickSeconds: e.LOTS_TICK_SECONDS,
    rates: { sms: e.LOTS_SMS_PER_SECOND, staff: e.LOTS_STAFF_PER_SECOND },
    retentionDays: e.LOTS_RETENTION_DAYS,
    claimLeaseSeconds: e.LOTS_CLAIM_LEASE_SECONDS,
    clockStart: e.LOTS_CLOCK_START,
    http: { rateLimit: e.LOTS_HTTP_RATE_LIMIT, trustProxy: e.LOTS_TRUST_PROXY },
    slack: { botToken: e.SLACK_BOT_TOKEN, signingSecret: e.SLACK_SIGNING_SECRET, appToken: e.SLACK_APP_TOKEN, apiUrl: e.SLACK_API_URL },
    teams: { appId: e.MicrosoftAppId, appPassword: e.MicrosoftAppPassword, appType: e.MicrosoftAppType, tenantId: e.MicrosoftAppTenantId },
    sms: {
      provider: e.ELKS_API_USER ? '46elks' : e.TWILIO_ACCOUNT_SID ? 'twilio' : null,
      elks: { apiUser: e.ELKS_API_USER, apiPassword: e.ELKS_API_PASSWORD, webhookSecret: e.ELKS_WEBHOOK_SECRET, apiBase: e.ELKS_API_BASE, from: e.ELKS_FROM, publicUrl: e.LOTS_PUBLIC_URL },
      twilio: { accountSid: e.TWILIO_ACCOUNT_SID, authToken: e.TWILIO_AUTH_TOKEN, from: e.TWILIO_FROM, apiBase: e.TWILIO_API_BASE, publicUrl: e.LOTS_PUBLIC_URL },
    },
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
