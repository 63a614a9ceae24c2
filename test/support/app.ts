// A whole Lots (core, simulator, HTTP) on a fresh test database, with a fake clock and logs
// captured in memory so tests can check that nothing personal was logged.
import { Writable } from 'node:stream';
import { createApp, type App } from '../../src/app.js';
import { createLogger } from '../../src/util/log.js';
import { SettableClock } from '../../src/model/index.js';
import type { Config } from '../../src/config.js';
import type { Deliver } from '../../src/outbox/outbox.js';
import type { TeamsEdge } from '../../src/channels/teams/teams.js';
import { testDb, type Engine } from './db.js';
import { TEST_NOW } from './time.js';
import { demoProgramme } from '../../src/directory/demo.js';

// Whatever a test checks, no log line of any test app may carry a participant's phone number or
// name, or the text of a message sent in: checked at every close, so the whole suite's logs are.
const DEMO = demoProgramme(new SettableClock(TEST_NOW));
const PERSONAL = (DEMO.participants as { phone?: string; name: string }[]).flatMap((p) => [p.phone, p.name, ...p.name.split(' ').filter((n: string) => n.length >= 4)]).filter((x): x is string => Boolean(x));
/** Message texts long enough not to be a word any log line could hold for another reason. */
const QUOTABLE = 12;

export interface TestApp extends App {
  logs: string[];
  /** Fails if any log line carries one of these (phone numbers, names, message text), then closes. */
  closeCheckingLogs(secrets: string[]): Promise<void>;
  sms(from: string, text: string): Promise<{ status: number; body: any }>;
  staff(from: string, text: string): Promise<{ status: number; body: any }>;
}

export const testConfig: Config = {
  host: '127.0.0.1',
  port: 0,
  dataDir: '/nonexistent',
  loadDemo: false,
  simulator: true,
  simulatorPublic: false,
  logLevel: 'info',
  tickSeconds: 0,
  rates: { sms: 1000, staff: 1000 },
  retentionDays: 90,
  claimLeaseSeconds: 120,
  http: { rateLimit: 1200, trustProxy: false },
  sms: { provider: null, elks: { apiBase: 'http://127.0.0.1:9', from: 'Lots' }, twilio: { apiBase: 'http://127.0.0.1:9' } }, slack: {}, teams: { appType: 'MultiTenant' },
};

export async function testApp(engine: Engine, contents: 'empty' | 'demo' = 'demo', options: { deliver?: Deliver; config?: Partial<Config>; teamsEdge?: TeamsEdge } = {}): Promise<TestApp> {
  const logs: string[] = [];
  const log = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });
  const { config, ...rest } = options;
  const app = await createApp({ config: { ...testConfig, ...config }, log, db: await testDb(engine, contents), clock: new SettableClock(TEST_NOW), ...rest });
  const sentTexts = new Set<string>();
  const post = async (url: string, payload: unknown) => {
    const text = (payload as { text?: unknown } | null)?.text;
    if (typeof text === 'string' && text.length >= QUOTABLE) sentTexts.add(text);
    const res = await app.server.inject({ method: 'POST', url, payload: payload as object });
    return { status: res.statusCode, body: res.json() };
  };
  const close = async (secrets: string[] = []) => {
    const all = logs.join('');
    await app.close();
    const leaked = [...new Set([...secrets, ...PERSONAL, ...sentTexts])].filter((secret) => all.includes(secret));
    if (leaked.length) throw new Error(`logs carry personal data: ${leaked.join(', ')}`);
  };
  return {
    ...app,
    logs,
    close: () => close(),
    closeCheckingLogs: close,
    sms: (from, text) => post('/sim/sms', { from, text }),
    staff: (from, text) => post('/sim/staff', { from, text }),
  };
}

/** The demo programme's people the tests talk about. */
export const demo = {
  anna: { phone: '+46701740621', name: 'Anna Andersson' },
  eva: 'eva.lindqvist@demo.lots.se',
  jonas: 'jonas.berg@demo.lots.se',
  maria: 'maria.holm@demo.lots.se',
  sara: 'sara.nordin@demo.lots.se',
  lars: 'lars.ekstrom@demo.lots.se', // the programme's admin
} as const;
