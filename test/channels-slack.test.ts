// Slack through the real Bolt App, beyond the chat contract table (channels-chat.test.ts): the URL
// check, the /lots command, App Home, the booking modal, the manifest. Slack's Web API is faked at
// the network's edge in its own format (test/support/slack-api.ts).
import fs from 'node:fs';
import yaml from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demo, testApp, type TestApp } from './support/app.js';
import { SLACK_SECRET, signedSlack, slackApi, type SlackApi } from './support/slack-api.js';

let fake: SlackApi;
beforeAll(async () => {
  fake = await slackApi({ U_EVA: demo.eva, U_JONAS: demo.jonas });
});
afterAll(() => fake.close());
const signed = signedSlack;

describe('Slack', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await testApp('pglite', 'demo', { config: { simulator: false, slack: { botToken: 'xoxb-test', signingSecret: SLACK_SECRET, apiUrl: fake.url } } });
  });
  afterAll(() => app.closeCheckingLogs([demo.anna.phone, 'Karin', SLACK_SECRET]));
  afterEach(() => {
    fake.posted.length = 0;
    fake.views.length = 0;
  });

  it('answers Slack\'s URL check when signed', async () => {
    const res = await app.server.inject(signed(JSON.stringify({ type: 'url_verification', challenge: 'c-123' }), 'json'));
    expect(res.json()).toEqual({ challenge: 'c-123' });
  });

  it('the /lots slash command works like a DM', async () => {
    const form = new URLSearchParams({ command: '/lots', text: 'visa mina deltagare', user_id: 'U_JONAS', team_id: 'T1', trigger_id: 'tr1', channel_id: 'C1', response_url: 'https://hooks.slack.invalid/1' }).toString();
    expect((await app.server.inject(signed(form, 'form'))).statusCode).toBe(200);
    expect(fake.posted.at(-1)).toMatchObject({ channel: 'U_JONAS' });
    expect(fake.posted.at(-1)!.text).toMatch(/^Deltagare du kan se/);
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
