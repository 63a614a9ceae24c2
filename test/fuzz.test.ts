// Fuzzing (fast-check) of every way in: the SMS webhooks (46elks, Twilio, and their delivery
// reports), Slack, Teams, the simulator and the import. Whatever arrives — authenticated or not,
// well-formed or garbage — Lots answers below 500, does not crash, and a refused request writes
// nothing. Authenticated requests are fuzzed inside (fields, types), so validation is what is tested.
import fc from 'fast-check';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './support/app.js';
import { inboundSms, deliveryReport, type WireSecrets } from '../src/channels/sms/wire.js';
import { SLACK_SECRET, signedSlack, slackApi, type SlackApi } from './support/slack-api.js';
import { activity, APP_ID, botFramework, FixedTokenCredentials, type BotFramework } from './support/bot-framework.js';
import { applyImport, ImportError, parseImport } from '../src/directory/import.js';
import { demoProgramme } from '../src/directory/demo.js';
import { SettableClock } from '../src/model/index.js';
import { TEST_NOW } from './support/time.js';
import { staffActions } from '../src/core/handlers.js';

const RUNS = 60;
const SECRETS: WireSecrets = { elksWebhookSecret: 'elks-webhook-secret-0123456789', twilioAuthToken: 'twilio-auth-token', twilioAccountSid: 'AC123', publicUrl: 'https://lots.example.se' };
const TABLES = ['message_log', 'outbox', 'inbound_receipt', 'audit_log', 'meeting', 'escalation', 'checkin', 'consent', 'conversation', 'participant', 'staff', 'agency_contact'];

let app: TestApp;
let slack: SlackApi;
let bf: BotFramework;
beforeAll(async () => {
  slack = await slackApi({ U1: 'eva.lindqvist@demo.lots.se' });
  bf = await botFramework([{ id: '29:eva', aadObjectId: 'aad-eva', email: 'eva.lindqvist@demo.lots.se', name: 'Eva' }]);
  app = await testApp('pglite', 'demo', {
    config: {
      simulator: true,
      sms: {
        provider: '46elks',
        elks: { apiUser: 'u', apiPassword: 'p', webhookSecret: SECRETS.elksWebhookSecret, apiBase: 'http://127.0.0.1:9', from: 'Lots', publicUrl: SECRETS.publicUrl },
        twilio: { accountSid: SECRETS.twilioAccountSid, authToken: SECRETS.twilioAuthToken, from: '+46766861234', apiBase: 'http://127.0.0.1:9', publicUrl: SECRETS.publicUrl },
      },
      slack: { botToken: 'xoxb-test', signingSecret: SLACK_SECRET, apiUrl: slack.url },
      teams: { appId: APP_ID, appPassword: 'unused', appType: 'MultiTenant', openIdMetadataUrl: bf.openIdUrl },
    },
    teamsEdge: { credentials: new FixedTokenCredentials(), sleep: async () => {} },
  });
});
afterAll(async () => {
  await app.close();
  await slack.close();
  await bf.close();
});

async function counts(): Promise<Record<string, number>> {
  const [row] = await app.db.query<Record<string, number>>(`select ${TABLES.map((t) => `(select count(*)::int from ${t}) as ${t}`).join(', ')}`);
  return row!;
}

/** Sends a request; below 500 always; when refused (4xx), nothing was written. */
async function survives(request: InjectOptions): Promise<void> {
  const before = await counts();
  const res = await app.server.inject(request);
  expect(res.statusCode, `${request.url} → ${res.body}`).toBeLessThan(500);
  if (res.statusCode >= 400) expect(await counts()).toEqual(before);
}

// Text as people and attackers write it: any unicode, control characters, very long, or empty.
const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme', maxLength: 400 }), fc.constantFrom('', ' ', '\u0000', 'JA', 'STOPP', '3', '💀'.repeat(200), 'a'.repeat(5000)));
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const phone = fc.oneof(fc.constantFrom('+46701740621', '0701234567', '+46709999999', '46701234567', '+1', 'abc'), fc.string());
const anyJson = fc.jsonValue({ maxDepth: 3 });
const contentType = fc.constantFrom('application/json', 'application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data', 'application/xml', '');

const garbage = (url: string) =>
  fc.record({ body: fc.oneof(fc.string(), anyJson.map((j) => JSON.stringify(j))), type: contentType }).map(({ body, type }): InjectOptions => ({ method: 'POST', url, payload: body, headers: type ? { 'content-type': type } : {} }));

describe('fuzzing every way in: no 5xx, no crash, nothing written when refused', () => {
  for (const url of ['/webhooks/sms/46elks', '/webhooks/sms/46elks/status', '/webhooks/sms/twilio', '/webhooks/sms/twilio/status', '/slack/events', '/api/messages', '/sim/sms', '/sim/staff', '/sim/staff/action', '/sim/clock']) {
    it(`${url}: any body, any content type`, async () => {
      await fc.assert(fc.asyncProperty(garbage(url), survives), { numRuns: RUNS });
    });
  }

  // Found by fuzzing: PostgreSQL text cannot hold NUL. A message is taken in without it; an id with one is refused.
  it.each([
    ['/sim/staff text', { method: 'POST', url: '/sim/staff', payload: { from: 'eva.lindqvist@demo.lots.se', text: '\u0000' } }],
    ['/sim/sms text', { method: 'POST', url: '/sim/sms', payload: { from: '+46701740621', text: 'fk\u0000' } }],
    ['a 46elks message id', inboundSms('46elks', SECRETS, { from: '+46701740621', text: 'fk', id: 'a\u0000b' })],
    ['a Twilio delivery report id', deliveryReport('twilio', SECRETS, 'SM\u0000', 'delivered')],
  ] as [string, InjectOptions][])('NUL in %s', async (_what, request) => survives(request));

  // Found by fuzzing: an invoke Lots does not offer got botbuilder's 501.
  it('Teams: an invoke without a name, or one Lots does not offer, is refused below 500', async () => {
    const user = { id: '29:eva', aadObjectId: 'aad-eva', email: 'eva.lindqvist@demo.lots.se', name: 'Eva' };
    for (const fields of [{ type: 'invoke' }, { type: 'invoke', name: 'composeExtension/query' }]) {
      await survives({ method: 'POST', url: '/api/messages', payload: activity(bf, user, fields), headers: { authorization: `Bearer ${bf.token()}` } });
    }
  });

  // Found by a helper: an acknowledge button whose value was no escalation id got a 500 (22P02).
  it('buttons: every action Lots offers, pressed with any value, by staff', async () => {
    const press = fc.record({ actionId: fc.constantFrom(...Object.keys(staffActions)), value: fc.oneof(text, fc.uuid(), fc.constantFrom('nope', '1', 'p1', 'm1:yes')) });
    await fc.assert(
      fc.asyncProperty(press, ({ actionId, value }) => survives({ method: 'POST', url: '/sim/staff/action', payload: { from: 'eva.lindqvist@demo.lots.se', actionId, value } })),
      { numRuns: RUNS },
    );
  });

  it('46elks and Twilio: authenticated messages with any fields', async () => {
    const fields = fc.record({ from: maybe(phone), text: maybe(text), id: maybe(fc.string({ maxLength: 80 })) });
    await fc.assert(fc.asyncProperty(fc.constantFrom('46elks', 'twilio') as fc.Arbitrary<'46elks' | 'twilio'>, fields, (p, f) => survives(inboundSms(p, SECRETS, f))), { numRuns: RUNS });
  });

  it('46elks and Twilio: authenticated delivery reports for any id and state', async () => {
    const arb = fc.tuple(fc.constantFrom('46elks', 'twilio') as fc.Arbitrary<'46elks' | 'twilio'>, fc.string({ maxLength: 60 }), fc.constantFrom('sent', 'delivered', 'failed') as fc.Arbitrary<'sent' | 'delivered' | 'failed'>);
    await fc.assert(fc.asyncProperty(arb, ([p, id, state]) => survives(deliveryReport(p, SECRETS, id, state))), { numRuns: RUNS });
  });

  it('Slack: signed requests with any JSON or form body', async () => {
    const event = fc.record({ type: fc.oneof(fc.constantFrom('event_callback', 'url_verification', 'block_actions'), fc.string()), event_id: maybe(fc.string()), event: maybe(anyJson), challenge: maybe(anyJson), token: maybe(fc.string()) });
    const body = fc.oneof(
      event.map((e) => signedSlack(JSON.stringify(e), 'json')),
      fc.dictionary(fc.constantFrom('payload', 'command', 'text', 'user_id', 'trigger_id'), fc.oneof(fc.string(), anyJson.map((j) => JSON.stringify(j)))).map((f) => signedSlack(new URLSearchParams(f).toString(), 'form')),
    );
    await fc.assert(fc.asyncProperty(body, survives), { numRuns: RUNS });
  });

  it('Teams: activities with a valid token and any fields', async () => {
    const user = { id: '29:eva', aadObjectId: 'aad-eva', email: 'eva.lindqvist@demo.lots.se', name: 'Eva' };
    const fields = fc.record(
      { type: fc.oneof(fc.constantFrom('message', 'invoke', 'conversationUpdate', 'installationUpdate'), fc.string()), text: maybe(text), value: maybe(anyJson), name: maybe(fc.oneof(fc.constant('adaptiveCard/action'), fc.string())), from: maybe(anyJson), conversation: maybe(anyJson) },
      { requiredKeys: ['type'] },
    );
    await fc.assert(
      fc.asyncProperty(fields, (f) => survives({ method: 'POST', url: '/api/messages', payload: activity(bf, user, f), headers: { authorization: `Bearer ${bf.token()}` } })),
      { numRuns: RUNS },
    );
  });

  it('the simulator: JSON of the right shape with any values', async () => {
    const sms = fc.record({ from: maybe(fc.oneof(phone, anyJson)), text: maybe(fc.oneof(text, anyJson)) }).map((p): InjectOptions => ({ method: 'POST', url: '/sim/sms', payload: p }));
    const staff = fc.record({ from: maybe(fc.oneof(fc.constant('eva.lindqvist@demo.lots.se'), fc.string())), text: maybe(text) }).map((p): InjectOptions => ({ method: 'POST', url: '/sim/staff', payload: p }));
    const clock = fc.oneof(fc.record({ advance: fc.oneof(fc.string(), fc.constantFrom('PT1H', 'P-1D', 'P999999Y')) }), fc.record({ set: fc.oneof(fc.string(), fc.date().map((d) => (Number.isNaN(d.getTime()) ? 'x' : d.toISOString()))) })).map((p): InjectOptions => ({ method: 'POST', url: '/sim/clock', payload: p }));
    await fc.assert(fc.asyncProperty(fc.oneof(sms, staff, clock), survives), { numRuns: RUNS });
  });
});

describe('fuzzing the import', () => {
  it('a file of any shape is loaded whole or refused with its reasons, and a refused one writes nothing', async () => {
    const base = demoProgramme(new SettableClock(TEST_NOW));
    // Mutations of a valid programme (a field removed, replaced by anything) and files of any JSON.
    const mutated = fc
      .tuple(fc.constantFrom('teams', 'staff', 'participants', 'contacts', 'meetings'), fc.nat(), fc.string({ maxLength: 12 }), anyJson)
      .map(([list, i, key, value]) => {
        const copy = structuredClone(base) as unknown as Record<string, Record<string, unknown>[]>;
        const rows = copy[list];
        if (rows?.length) {
          const row = rows[i % rows.length]!;
          const keys = Object.keys(row);
          row[keys.length && key.length % 2 ? keys[i % keys.length]! : key] = value;
        }
        return JSON.stringify(copy);
      });
    const file = fc.oneof(mutated, anyJson.map((j) => JSON.stringify(j)), fc.string());
    await fc.assert(
      fc.asyncProperty(file, async (content) => {
        const before = await counts();
        try {
          await applyImport(app.db, parseImport(content, 'fuzz.json'), app.clock, 'fuzz');
        } catch (err) {
          expect(err).toBeInstanceOf(ImportError);
          expect((err as ImportError).issues.length).toBeGreaterThan(0);
          expect(await counts()).toEqual(before);
        }
      }),
      { numRuns: RUNS },
    );
  });
});
