// One contract table for the staff chat adapters (courier's style): the same rows — a valid
// message, forged ones, a missing field, a retried delivery, an unknown sender, a button — run
// against Slack (Bolt) and Teams (botbuilder) through fastify's inject, with Slack's Web API and
// Bot Framework faked at the network's edge in their own formats. (Chat platforms send no
// delivery reports, so the SMS table's status-callback row has no counterpart here.)
import type { InjectOptions } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demo, testApp, type TestApp } from './support/app.js';
import { SLACK_SECRET, signedSlack, slackApi, slackDm, slackPress, type SlackApi } from './support/slack-api.js';
import { activity, APP_ID, botFramework, FixedTokenCredentials, type BotFramework, type TeamsUser } from './support/bot-framework.js';

type Who = 'eva' | 'stranger';
const EMAIL: Record<Who, string> = { eva: demo.eva, stranger: 'okand@kommun.example.se' };

/** What a staff member was sent, the same for every channel. */
interface Seen {
  to: Who;
  text: string;
  buttons: { label: string; press: (who: Who) => InjectOptions }[];
}

interface ChatDriver {
  start(): Promise<TestApp>;
  message(who: Who, text: string, id: string): InjectOptions;
  /** Requests a forger could send: each must be refused with 401. */
  forged(text: string): [string, InjectOptions][];
  /** A request that passes authentication but lacks what a message needs. */
  missingField(): InjectOptions;
  seen(): Seen[];
  reset(): void;
}

let slackFake: SlackApi;
let bf: BotFramework;
beforeAll(async () => {
  slackFake = await slackApi({ U_EVA: EMAIL.eva, U_STRANGER: EMAIL.stranger });
  bf = await botFramework(TEAMS_USERS);
});
afterAll(async () => {
  await slackFake.close();
  await bf.close();
});

const SLACK_ID: Record<Who, string> = { eva: 'U_EVA', stranger: 'U_STRANGER' };
const slack: ChatDriver = {
  start: () => testApp('pglite', 'demo', { config: { simulator: false, slack: { botToken: 'xoxb-test', signingSecret: SLACK_SECRET, apiUrl: slackFake.url } } }),
  message: (who, text, id) => signedSlack(slackDm(SLACK_ID[who], text, id), 'json'),
  forged: (text) => [
    ['signed with the wrong secret', signedSlack(slackDm('U_EVA', text, 'f1'), 'json', 'not-the-secret')],
    ['signed more than five minutes ago', signedSlack(slackDm('U_EVA', text, 'f2'), 'json', SLACK_SECRET, 6 * 60)],
    ['unsigned', { method: 'POST', url: '/slack/events', payload: slackDm('U_EVA', text, 'f3'), headers: { 'content-type': 'application/json' } }],
  ],
  missingField: () => signedSlack(JSON.stringify({ type: 'event_callback', team_id: 'T1', event_id: 'Ev-x' }), 'json'),
  seen: () =>
    slackFake.posted.map((p) => ({
      to: (Object.keys(SLACK_ID) as Who[]).find((w) => SLACK_ID[w] === p.channel)!,
      text: p.text,
      buttons: (p.blocks?.find((b) => b.type === 'actions')?.elements ?? []).map((e: any) => ({
        label: e.text.text,
        press: (who: Who) => signedSlack(slackPress(SLACK_ID[who], e.action_id, e.value), 'form'),
      })),
    })),
  reset: () => void (slackFake.posted.length = 0),
};

const TEAMS_USERS: TeamsUser[] = [
  { id: '29:eva', aadObjectId: 'aad-eva', email: EMAIL.eva, name: 'Eva' },
  { id: '29:stranger', aadObjectId: 'aad-stranger', email: EMAIL.stranger, name: 'Okänd' },
];
const teamsUser = (who: Who) => TEAMS_USERS.find((u) => u.email === EMAIL[who])!;
const withToken = (body: unknown, token: string | null = bf.token()): InjectOptions => ({
  method: 'POST',
  url: '/api/messages',
  payload: body as object,
  headers: token ? { authorization: `Bearer ${token}` } : {},
});
const teamsDriver: ChatDriver = {
  start: () =>
    testApp('pglite', 'demo', {
      config: { simulator: false, teams: { appId: APP_ID, appPassword: 'unused', appType: 'MultiTenant', openIdMetadataUrl: bf.openIdUrl } },
      teamsEdge: { credentials: new FixedTokenCredentials(), sleep: async () => {} },
    }),
  message: (who, text, id) => withToken(activity(bf, teamsUser(who), { id, text })),
  forged: (text) => [
    ['without a token', withToken(activity(bf, teamsUser('eva'), { text }), null)],
    ['signed with a key Bot Framework does not publish', withToken(activity(bf, teamsUser('eva'), { text }), bf.token({ key: 'other' }))],
    ['whose token has expired', withToken(activity(bf, teamsUser('eva'), { text }), bf.token({ expiresIn: -600 }))],
    ['whose token is for another bot', withToken(activity(bf, teamsUser('eva'), { text }), bf.token({ audience: '00000000-0000-4000-8000-000000000000' }))],
    ['whose token was issued for another service URL', withToken(activity(bf, teamsUser('eva'), { text }), bf.token({ serviceUrl: 'https://smba.example.invalid/' }))],
  ],
  missingField: () => withToken({ type: 'message', text: 'hej', channelId: 'msteams', serviceUrl: bf.url }),
  seen: () =>
    bf.posted
      .filter((p) => p.conversation.startsWith('a:personal-'))
      .map((p) => {
        const card = p.activity.attachments?.find((a: any) => a.contentType === 'application/vnd.microsoft.card.adaptive')?.content;
        return {
          to: (Object.keys(EMAIL) as Who[]).find((w) => p.conversation === `a:personal-${teamsUser(w).id}`)!,
          text: p.activity.text ?? p.activity.summary,
          buttons: (card?.actions ?? []).map((a: any) => ({
            label: a.title,
            press: (who: Who) => withToken(activity(bf, teamsUser(who), { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: a.verb, data: a.data } } })),
          })),
        };
      }),
  reset: () => void (bf.posted.length = 0),
};

describe.each([
  ['Slack', slack],
  ['Teams', teamsDriver],
] as const)('chat contract: %s', (_, driver) => {
  let app: TestApp;
  const count = async (table: string) => (await app.db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]!.n;
  beforeAll(async () => {
    app = await driver.start();
  });
  afterAll(() => app.closeCheckingLogs([demo.anna.phone, 'Karin', 'Andersson', 'jag vill inte leva']));
  afterEach(() => driver.reset());

  it('answers a valid message in the writer\'s chat', async () => {
    expect((await app.server.inject(driver.message('eva', 'Vem är Annas handläggare på FK?', 'c1'))).statusCode).toBe(200);
    const seen = driver.seen();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ to: 'eva' });
    expect(seen[0]!.text).toContain('Karin Lund');
  });

  it('refuses every forged request with 401 and writes nothing', async () => {
    for (const [how, request] of driver.forged('visa mina deltagare')) {
      const before = await count('message_log');
      expect((await app.server.inject(request)).statusCode, how).toBe(401);
      expect(await count('message_log'), how).toBe(before);
    }
    expect(driver.seen()).toEqual([]);
  });

  it('answers a request missing what a message needs with 400, and writes nothing', async () => {
    const before = await count('message_log');
    const res = await app.server.inject(driver.missingField());
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBeTruthy();
    expect(await count('message_log')).toBe(before);
  });

  it('handles a delivery the platform retries once', async () => {
    const before = await count('message_log');
    for (let i = 0; i < 3; i++) expect((await app.server.inject(driver.message('eva', 'visa mina deltagare', 'c2'))).statusCode).toBe(200);
    expect(await count('message_log')).toBe(before + 1);
    expect(driver.seen()).toHaveLength(1);
  });

  it('tells someone Lots does not know to ask an administrator, and nothing more', async () => {
    expect((await app.server.inject(driver.message('stranger', 'visa mina deltagare', 'c3'))).statusCode).toBe(200);
    expect(driver.seen()).toEqual([expect.objectContaining({ to: 'stranger', text: 'Jag känner inte igen dig. Be en administratör att lägga in din e-postadress i Lots.' })]);
  });

  it('a booking at a time that cannot be offers free times as buttons; pressing one books it', async () => {
    expect((await app.server.inject(driver.message('eva', 'boka coachsamtal med Anna lör kl 10', 'c4'))).statusCode).toBe(200);
    const offer = driver.seen().at(-1)!;
    expect(offer.text).toMatch(/^Det går inte/);
    expect(offer.buttons.length).toBeGreaterThan(0);
    driver.reset();
    expect((await app.server.inject(offer.buttons[0]!.press('eva'))).statusCode).toBe(200);
    expect(driver.seen().find((s) => s.to === 'eva' && s.text.startsWith('Bokat: coachsamtal med Anna Andersson'))).toBeTruthy();
    expect(await app.db.query(`select type from meeting where participant_id = 'p1' and type = 'coach' and booked_by = 's1' and status = 'booked' and start_at > $1`, [new Date('2026-11-23T08:00:00Z')])).not.toEqual([]);
  });

  it('an escalation reaches the coach with buttons, and pressing Kvittera acknowledges it', async () => {
    await app.lots.receive({ channel: 'sms', from: demo.anna.phone, text: 'jag vill inte leva längre', via: 'test' });
    const alert = driver.seen().find((s) => s.text.startsWith('AKUT'))!;
    expect(alert.to).toBe('eva');
    expect(alert.buttons.map((b) => b.label)).toEqual(['Kvittera', 'Jag ringer', 'Lämna över', 'Löst']);
    driver.reset();
    expect((await app.server.inject(alert.buttons[0]!.press('eva'))).statusCode).toBe(200);
    expect(await app.db.query(`select state from escalation where participant_id = 'p1'`)).toEqual([{ state: 'acknowledged' }]);
    expect(driver.seen().at(-1)!.text).toMatch(/^Kvitterat: Anna Andersson \(kris\)/);
  });

  it('a press the platform delivers three times acts once', async () => {
    // Another of Eva's participants than the test above: an escalation of its own.
    const [other] = await app.db.query<{ phone: string }>(`select phone from participant where coach_id = 's1' and id <> 'p1' and not protected_identity and phone is not null order by id limit 1`);
    driver.reset();
    await app.lots.receive({ channel: 'sms', from: other!.phone, text: 'jag vill inte leva längre', via: 'test' });
    const alert = driver.seen().find((s) => s.text.startsWith('AKUT'))!;
    driver.reset();
    const press = alert.buttons[0]!.press('eva');
    for (let i = 0; i < 3; i++) expect((await app.server.inject(press)).statusCode).toBe(200);
    expect(driver.seen().filter((s) => s.text.startsWith('Kvitterat'))).toHaveLength(1);
    expect(await app.db.query(`select state from escalation e join participant p on p.id = e.participant_id where p.phone = $1`, [other!.phone])).toEqual([{ state: 'acknowledged' }]);
  });
});
