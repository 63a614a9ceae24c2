// Slack through the real Bolt App, beyond the chat contract table (channels-chat.test.ts): the URL
// check, the /lots command, App Home, the booking modal, the manifest. Slack's Web API is faked at
// the network's edge in its own format (test/support/slack-api.ts).
import fs from 'node:fs';
import yaml from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demo, testApp, type TestApp } from './support/app.js';
import { inboundSms } from '../src/channels/sms/wire.js';
import { SLACK_SECRET, signedSlack, slackApi, slackDm, slackSocket, type SlackApi } from './support/slack-api.js';

let fake: SlackApi;
// Slack's users, as its API answers for them (a test may change one's email).
const slackUsers: Record<string, string> = { U_EVA: demo.eva, U_JONAS: demo.jonas, U_SARA: demo.sara };
beforeAll(async () => {
  fake = await slackApi(slackUsers);
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

  it('keeps who a Slack user is for an hour, and forgets it when Slack says the profile changed', async () => {
    const dm = (id: string) => signed(slackDm('U_SARA', 'hjälp', id), 'json');
    await app.server.inject(dm('uc1'));
    const asSara = fake.posted.at(-1)!;
    expect(asSara).toMatchObject({ channel: 'U_SARA' });
    expect(asSara.text).not.toMatch(/känner inte igen/);
    slackUsers.U_SARA = 'someone.new@example.se';
    try {
      await app.server.inject(dm('uc2'));
      expect(fake.posted.at(-1)!.text).toBe(asSara.text); // the address Lots keeps for the hour
      const changed = JSON.stringify({ type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event_id: 'EvUser1', event: { type: 'user_change', user: { id: 'U_SARA', profile: { email: 'someone.new@example.se' } }, event_ts: '1.4' } });
      expect((await app.server.inject(signed(changed, 'json'))).statusCode).toBe(200);
      await app.server.inject(dm('uc3'));
      expect(fake.posted.at(-1)).toMatchObject({ channel: 'U_SARA', text: expect.stringMatching(/^Jag känner inte igen dig/) });
    } finally {
      slackUsers.U_SARA = demo.sara;
    }
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

  it('App Home shows the coach\'s open escalations and caseload, and a button to book', async () => {
    const opened = JSON.stringify({ type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event_id: 'EvHome1', event: { type: 'app_home_opened', user: 'U_EVA', channel: 'D1', tab: 'home', event_ts: '1.2' } });
    expect((await app.server.inject(signed(opened, 'json'))).statusCode).toBe(200);
    const [home] = fake.views;
    expect(home).toMatchObject({ method: 'views.publish', user: 'U_EVA', view: { type: 'home' } });
    const text = JSON.stringify(home!.view.blocks);
    expect(text).toContain('Inga öppna ärenden just nu.');
    expect(text).toContain('Deltagare du kan se (15)');
    expect(text).toContain('Malin Ström'); // her own participant with protected identity, marked
    expect(home!.view.blocks[1].elements[0]).toMatchObject({ action_id: 'slack.book', text: { text: 'Boka möte' } });
  });

  it('App Home for someone outside the team does not show Eva\'s caseload', async () => {
    const opened = JSON.stringify({ type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event_id: 'EvHome2', event: { type: 'app_home_opened', user: 'U_JONAS', channel: 'D2', tab: 'home', event_ts: '1.3' } });
    await app.server.inject(signed(opened, 'json'));
    const text = JSON.stringify(fake.views[0]!.view.blocks);
    // Jonas sees his team, where Malin (protected identity, Eva's) is not shown to him.
    expect(text).not.toContain('Malin Ström');
  });

  it('"/lots boka" opens the booking modal; submitting it books the meeting and answers in the DM', async () => {
    const form = new URLSearchParams({ command: '/lots', text: 'boka', user_id: 'U_EVA', team_id: 'T1', trigger_id: 'tr-book', channel_id: 'C1', response_url: 'https://hooks.slack.invalid/2' }).toString();
    expect((await app.server.inject(signed(form, 'form'))).statusCode).toBe(200);
    const [modal] = fake.views;
    expect(modal).toMatchObject({ method: 'views.open', trigger: 'tr-book', view: { type: 'modal', callback_id: 'lots.book' } });
    const participants = modal!.view.blocks[0].element.options.map((o: { value: string }) => o.value);
    expect(participants).toContain('Anna Andersson');
    const values = {
      participant: { participant: { type: 'static_select', selected_option: { value: 'Anna Andersson' } } },
      type: { type: { type: 'static_select', selected_option: { value: 'sip' } } },
      date: { date: { type: 'datepicker', selected_date: '2026-11-25' } },
      time: { time: { type: 'timepicker', selected_time: '10:00' } },
      agencies: { agencies: { type: 'checkboxes', selected_options: [{ value: 'fk' }, { value: 'soc' }] } },
    };
    const submission = JSON.stringify({ type: 'view_submission', team: { id: 'T1' }, user: { id: 'U_EVA' }, api_app_id: 'A1', view: { id: 'V1', hash: 'h1', callback_id: 'lots.book', state: { values } } });
    const res = await app.server.inject(signed(new URLSearchParams({ payload: submission }).toString(), 'form'));
    expect(res.statusCode).toBe(200);
    expect(fake.posted.at(-1)).toMatchObject({ channel: 'U_EVA' });
    expect(fake.posted.at(-1)!.text).toMatch(/^Bokat: SIP-möte med Anna Andersson/);
    const [meeting] = await app.db.query<{ type: string; agencies: string[] }>(`select type, agencies from meeting where participant_id = 'p1' and type = 'sip' and start_at = '2026-11-25T09:00:00Z'`);
    expect(meeting).toMatchObject({ type: 'sip' });
    expect([...meeting!.agencies].sort()).toEqual(['fk', 'soc']);
  });

  it('a booking modal sent without a time is answered with the field to fill in, and books nothing', async () => {
    const before = (await app.db.query(`select id from meeting`)).length;
    const values = { participant: { participant: { selected_option: { value: 'Anna Andersson' } } }, type: { type: { selected_option: { value: 'coach' } } }, date: { date: { selected_date: '2026-11-26' } }, time: { time: { selected_time: null } } };
    const submission = JSON.stringify({ type: 'view_submission', team: { id: 'T1' }, user: { id: 'U_EVA' }, api_app_id: 'A1', view: { id: 'V2', hash: 'h2', callback_id: 'lots.book', state: { values } } });
    const res = await app.server.inject(signed(new URLSearchParams({ payload: submission }).toString(), 'form'));
    expect(res.json()).toEqual({ response_action: 'errors', errors: { time: 'Fyll i: tid.' } });
    expect((await app.db.query(`select id from meeting`)).length).toBe(before);
  });
});

describe('Slack over Socket Mode (SLACK_APP_TOKEN)', () => {
  it('connects out to Slack, takes a DM from the socket, acknowledges it and answers; /slack/events is not served', async () => {
    const socket = await slackSocket();
    fake.socketUrl = socket.url;
    const app = await testApp('pglite', 'demo', { config: { simulator: false, slack: { botToken: 'xoxb-test', appToken: 'xapp-test', apiUrl: fake.url } } });
    await socket.connected;
    socket.send('events_api', 'env-1', JSON.parse(slackDm('U_EVA', 'Vem är Annas handläggare på FK?', 'sm1')));
    await expect.poll(() => fake.posted.length, { timeout: 5000 }).toBe(1);
    expect(socket.acks).toContain('env-1');
    expect(fake.posted[0]).toMatchObject({ channel: 'U_EVA' });
    expect(fake.posted[0]!.text).toContain('Karin Lund');
    expect((await app.server.inject(signed(slackDm('U_EVA', 'hej', 'sm2'), 'json'))).statusCode).toBe(404);
    await app.close();
    await socket.close();
    fake.posted.length = 0;
  });
});

describe('the Slack manifest', () => {
  it('asks for what the adapter uses and points every request at /slack/events', () => {
    const m = yaml.load(fs.readFileSync('manifest/slack/manifest.yml', 'utf8')) as any;
    expect(Object.keys(m).sort()).toEqual(['display_information', 'features', 'oauth_config', 'settings']);
    expect(m.display_information.name).toBe('Lots');
    // users.info and users.lookupByEmail need users:read.email; DMs need im:history; replies chat:write.
    expect(m.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['chat:write', 'users:read', 'users:read.email', 'im:history', 'app_mentions:read', 'commands']));
    expect(m.settings.event_subscriptions.bot_events.sort()).toEqual(['app_home_opened', 'app_mention', 'message.im', 'user_change']);
    expect(m.features.app_home.home_tab_enabled).toBe(true);
    for (const url of [m.settings.event_subscriptions.request_url, m.settings.interactivity.request_url, m.features.slash_commands[0].url]) expect(new URL(url).pathname).toBe('/slack/events');
  });
});

// Found by trying Lots as a new user: with Slack unreachable, an SMS whose turn also notifies a coach
// in Slack hung its webhook (the Web API client retried for half an hour inside the request).
describe('Slack unreachable', () => {
  it('answers the SMS webhook at once and leaves the coach\'s note in the outbox for its next try', async () => {
    const secrets = { elksWebhookSecret: 'webhook-secret-0123456789', twilioAuthToken: 't', twilioAccountSid: 'AC1', publicUrl: 'https://lots.example.se' };
    const closed = 'http://127.0.0.1:9/';
    const app = await testApp('pglite', 'demo', {
      config: {
        simulator: false,
        slack: { botToken: 'xoxb-test', signingSecret: SLACK_SECRET, apiUrl: `${closed}api/` },
        sms: { provider: '46elks', elks: { apiUser: 'u', apiPassword: 'p', webhookSecret: secrets.elksWebhookSecret, apiBase: closed, from: 'Lots', publicUrl: secrets.publicUrl }, twilio: { apiBase: closed } },
      },
    });
    try {
      const res = await app.server.inject(inboundSms('46elks', secrets, { from: demo.anna.phone, text: 'jag vill inte leva längre', id: 'down-1' }));
      expect(res.statusCode).toBe(200);
      const staff = await app.db.query<{ status: string; attempts: number }>(`select status, attempts from outbox where channel = 'staff' order by seq`);
      expect(staff.length).toBeGreaterThan(0);
      for (const row of staff) expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    } finally {
      await app.close();
    }
  }, 20_000);
});
