// Configuration from the environment, validated once at start.
import path from 'node:path';
import { z } from 'zod';

const flag = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');

const envSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOTS_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  LOTS_DEMO: flag.default(true),
  LOTS_SIMULATOR: flag.optional(),
  LOTS_SIMULATOR_PUBLIC: flag.default(false),
  LOTS_TICK_SECONDS: z.coerce.number().min(0).max(3600).default(5),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Channel credentials: any of them set means a real channel is configured.
  SLACK_BOT_TOKEN: z.string().optional(),
  MicrosoftAppId: z.string().optional(),
  ELKS_API_USER: z.string().optional(),
  TWILIO_ACCOUNT_SID: z.string().optional(),
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
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const e = envSchema.parse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  const anyChannel = Boolean(e.SLACK_BOT_TOKEN || e.MicrosoftAppId || e.ELKS_API_USER || e.TWILIO_ACCOUNT_SID);
  return {
    host: e.HOST,
    port: e.PORT,
    dataDir: path.resolve(e.LOTS_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    loadDemo: e.LOTS_DEMO,
    simulator: e.LOTS_SIMULATOR ?? !anyChannel,
    simulatorPublic: e.LOTS_SIMULATOR_PUBLIC,
    logLevel: e.LOG_LEVEL,
    tickSeconds: e.LOTS_TICK_SECONDS,
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
