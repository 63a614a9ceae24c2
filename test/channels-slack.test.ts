// Slack through the real Bolt App: signed requests in (events, buttons), Slack's Web API faked at
// the network's edge in its own format (users.info, users.lookupByEmail, chat.postMessage).
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import yaml from 'js-yaml';
import { demo, testApp, type TestApp } from './support/app.js';

const SECRET = 'slack-signing-secret';
const USERS: Record<string, string> = { U_EVA: demo.eva, U_JONAS: demo.jonas };

let fake: FastifyInstance;
let apiUrl = '';
const posted: { channel: string; text: string; blocks?: any[] }[] = [];
beforeAll(async () => {
  fake = Fastify();
  fake.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
  fake.post('/api/users.info', async (req) => {
    const { user } = req.body as { user: string };
    return USERS[user] ? { ok: true, user: { id: user, profile: { email: USERS[user] } } } : { ok: false, error: 'user_not_found' };
  });
  fake.post('/api/users.lookupByEmail', async (req) => {
    const { email } = req.body as { email: string };
    const id = Object.keys(USERS).find((k) => USERS[k] === email);
    return id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' };
  });
  fake.post('/api/chat.postMessage', async (req) => {
    const b = req.body as { channel: string; text: string; blocks?: string };
    posted.push({ channel: b.channel, text: b.text, ...(b.blocks ? { blocks: JSON.parse(b.blocks) } : {}) });
    return { ok: true, channel: b.channel, ts: `${Date.now() / 1000}` };
  });
  apiUrl = `${await fake.listen({ port: 0, host: '127.0.0.1' })}/api/`;
});
afterAll(() => fake.close());

function signed(body: string, type: 'json' | 'form', secret = SECRET, ageSeconds = 0) {
  const ts = Math.floor(Date.now() / 1000) - ageSeconds;
  const signature = `v0=${crypto.createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    method: 'POST' as const,
    url: '/slack/events',
    payload: body,
    headers: {
      'content-type': type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signature,
    },
  };
}
const dm = (user: string, text: string, id: string) =>
  JSON.stringify({ type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event_id: `Ev${id}`, event: { type: 'message', channel_type: 'im', channel: `D${user}`, user, text, ts: '1.1', client_msg_id: id } });

describe('Slack', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await testApp('pglite', 'demo', { config: { simulator: false, slack: { botToken: 'xoxb-test', signingSecret: SECRET, apiUrl } } });
  });
  afterAll(() => app.closeCheckingLogs([demo.anna.phone, 'Karin', SECRET]));
  afterEach(() => {
    posted.length = 0;
  });

  it('answers Slack\'s URL check when signed', async () => {
    const res = await app.server.inject(signed(JSON.stringify({ type: 'url_verification', challenge: 'c-123' }), 'json'));
    expect(res.json()).toEqual({ challenge: 'c-123' });
  });

  it.each([
    ['signed with the wrong secret', signed(dm('U_EVA', 'hej', 'f1'), 'json', 'not-the-secret')],
    ['more than five minutes old', signed(dm('U_EVA', 'hej', 'f2'), 'json', SECRET, 6 * 60)],
    ['unsigned', { method: 'POST' as const, url: '/slack/events', payload: dm('U_EVA', 'hej', 'f3'), headers: { 'content-type': 'application/json' } }],
  ])('refuses a request %s, and does nothing', async (_, request) => {
    const before = (await app.db.query<{ n: number }>(`select count(*)::int as n from message_log`))[0]!.n;
    expect((await app.server.inject(request)).statusCode).toBe(401);
    expect((await app.db.query<{ n: number }>(`select count(*)::int as n from message_log`))[0]!.n).toBe(before);
    expect(posted).toEqual([]);
  });

  it('a coach\'s DM is answered in the DM; Slack\'s retry of it is handled once', async () => {
    const body = dm('U_EVA', 'Vem är Annas handläggare på FK?', 'm1');
    expect((await app.server.inject(signed(body, 'json'))).statusCode).toBe(200);
    const retry = signed(body, 'json');
    expect((await app.server.inject({ ...retry, headers: { ...retry.headers, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } })).statusCode).toBe(200);
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ channel: 'U_EVA' });
    expect(posted[0]!.text).toContain('Karin Lund');
  });

  it('an escalation reaches the coach with buttons, and pressing Kvittera acknowledges it', async () => {
    await app.lots.receive({ channel: 'sms', from: demo.anna.phone, text: 'jag vill inte leva längre', via: 'test' });
    const alert = posted.find((p) => p.text.startsWith('AKUT'))!;
    expect(alert.channel).toBe('U_EVA');
    const buttons = alert.blocks!.find((b) => b.type === 'actions').elements;
    expect(buttons.map((b: { text: { text: string } }) => b.text.text)).toEqual(['Kvittera', 'Jag ringer', 'Lämna över', 'Löst']);
    const ack = buttons[0];
    const payload = JSON.stringify({ type: 'block_actions', user: { id: 'U_EVA' }, team: { id: 'T1' }, api_app_id: 'A1', trigger_id: 't1', actions: [{ type: 'button', action_id: ack.action_id, value: ack.value, block_id: 'b1', action_ts: '1' }] });
    expect((await app.server.inject(signed(new URLSearchParams({ payload }).toString(), 'form'))).statusCode).toBe(200);
    expect(posted.at(-1)).toMatchObject({ channel: 'U_EVA' });
    expect(posted.at(-1)!.text).toMatch(/^Kvitterat: Anna Andersson \(kris\)/);
    expect(await app.db.query(`select state from escalation where participant_id = 'p1'`)).toEqual([{ state: 'acknowledged' }]);
  });

  it('the /lots slash command works like a DM', async () => {
    const form = new URLSearchParams({ command: '/lots', text: 'visa mina deltagare', user_id: 'U_JONAS', team_id: 'T1', trigger_id: 'tr1', channel_id: 'C1', response_url: 'https://hooks.slack.invalid/1' }).toString();
    expect((await app.server.inject(signed(form, 'form'))).statusCode).toBe(200);
    expect(posted.at(-1)).toMatchObject({ channel: 'U_JONAS' });
    expect(posted.at(-1)!.text).toMatch(/^Deltagare du kan se/);
  });
});

describe('the Slack manifest', () => {
  it('asks for what the adapter uses and points every request at /slack/events', () => {
    const m = yaml.load(fs.readFileSync('manifest/slack/manifest.yml', 'utf8')) as any;
    expect(Object.keys(m).sort()).toEqual(['display_information', 'features', 'oauth_config', 'settings']);
    expect(m.display_information.name).toBe('Lots');
    // users.info and users.lookupByEmail need users:read.email; DMs need im:history; replies chat:write.
    expect(m.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['chat:write', 'users:read', 'users:read.email', 'im:history', 'app_mentions:read', 'commands']));
    expect(m.settings.event_subscriptions.bot_events.sort()).toEqual(['app_mention', 'message.im']);
    for (const url of [m.settings.event_subscriptions.request_url, m.settings.interactivity.request_url, m.features.slash_commands[0].url]) expect(new URL(url).pathname).toBe('/slack/events');
  });
});
