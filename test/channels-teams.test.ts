// Teams through botbuilder's real CloudAdapter at /api/messages, beyond the chat contract table
// (channels-chat.test.ts): channel mentions, card details, retries, a restart, the app package.
// Bot Framework is faked at the network's edge in its own format (test/support/bot-framework.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { demo, testApp, testConfig, type TestApp } from './support/app.js';
import { activity, APP_ID, botFramework, FixedTokenCredentials, type BotFramework, type TeamsUser } from './support/bot-framework.js';
import { createApp } from '../src/app.js';
import { openPglite } from '../src/store/db.js';
import { createLogger } from '../src/util/log.js';
import { SettableClock } from '../src/model/index.js';
import { TEST_NOW } from './support/time.js';
import { execFileSync } from 'node:child_process';
import { unzipSync } from 'fflate';
import { buildTeamsPackage, teamsManifest } from '../src/channels/teams/package.js';

const EVA: TeamsUser = { id: '29:eva', aadObjectId: 'aad-eva', email: demo.eva, name: 'Eva Lindqvist' };
const JONAS: TeamsUser = { id: '29:jonas', aadObjectId: 'aad-jonas', email: demo.jonas, name: 'Jonas Berg' };
const GUEST: TeamsUser = { id: '29:guest', aadObjectId: 'aad-guest', name: 'Gäst' };

let bf: BotFramework;
const waits: number[] = [];
beforeAll(async () => {
  bf = await botFramework([EVA, JONAS, GUEST]);
});
afterAll(() => bf.close());

const teamsConfig = () => ({ simulator: false, teams: { appId: APP_ID, appPassword: 'unused', appType: 'MultiTenant' as const, openIdMetadataUrl: bf.openIdUrl } });
const edge = { credentials: new FixedTokenCredentials(), sleep: async (ms: number) => void waits.push(ms) };

const post = (app: TestApp, body: unknown, token: string | null = bf.token()) =>
  app.server.inject({ method: 'POST', url: '/api/messages', payload: body as object, headers: token ? { authorization: `Bearer ${token}` } : {} });

describe('Teams', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await testApp('pglite', 'demo', { config: teamsConfig(), teamsEdge: edge });
  });
  afterAll(() => app.closeCheckingLogs([demo.anna.phone, 'Karin', 'Andersson', demo.eva]));
  afterEach(() => {
    bf.posted.length = 0;
    waits.length = 0;
  });

  it('a mention in a channel is answered in a personal chat it opens, and the channel is told so', async () => {
    const mention = activity(bf, JONAS, {
      text: '<at>Lots</at> visa mina deltagare',
      entities: [{ type: 'mention', mentioned: { id: `28:${APP_ID}`, name: 'Lots' }, text: '<at>Lots</at>' }],
      conversation: { id: '19:team-channel@thread.tacv2;messageid=1', conversationType: 'channel', tenantId: 'tenant' },
      channelData: { tenant: { id: 'tenant' }, team: { id: '19:team@thread.tacv2' }, channel: { id: '19:team-channel@thread.tacv2' } },
    });
    expect((await post(app, mention)).statusCode).toBe(200);
    expect(bf.created.at(-1)).toMatchObject({ isGroup: false, members: [{ id: JONAS.id }], tenantId: 'tenant' });
    const inChannel = bf.posted.find((p) => p.conversation.startsWith('19:'))!;
    expect(inChannel.activity.text).toMatch(/privata chatt/);
    expect(inChannel.activity.text).not.toMatch(/Deltagare/);
    const personal = bf.posted.find((p) => p.conversation.startsWith('a:personal-'))!;
    expect(personal.activity.text).toMatch(/^Deltagare du kan se/);
  });

  it('someone without an email in AAD is told why Lots cannot help, and nothing is stored', async () => {
    expect((await post(app, activity(bf, GUEST, { text: 'hej' }))).statusCode).toBe(200);
    expect(bf.posted.at(-1)!.activity.text).toMatch(/ingen e-postadress/);
    expect(await app.db.query(`select 1 from teams_conversation where aad_object_id = $1`, [GUEST.aadObjectId])).toEqual([]);
  });

  it('an escalation reaches the coach as an Adaptive Card; Kvittera (Action.Execute) acknowledges it', async () => {
    // Eva has installed Lots: Teams told it where her personal chat is.
    expect((await post(app, activity(bf, EVA, { type: 'installationUpdate', action: 'add' }))).statusCode).toBe(200);
    await app.lots.receive({ channel: 'sms', from: demo.anna.phone, text: 'jag vill inte leva längre', via: 'test' });
    const alert = bf.posted.find((p) => p.conversation === `a:personal-${EVA.id}` && p.activity.attachments)!;
    const card = alert.activity.attachments[0];
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.content).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    expect(alert.activity.summary).toMatch(/^AKUT/);
    const actions = card.content.actions;
    expect(actions.map((a: any) => a.title)).toEqual(['Kvittera', 'Jag ringer', 'Lämna över', 'Löst']);
    for (const a of actions) expect(a).toMatchObject({ type: 'Action.Execute', fallback: { type: 'Action.Submit', data: a.data } });
    bf.posted.length = 0;
    const invoke = activity(bf, EVA, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: actions[0].verb, data: actions[0].data }, trigger: 'manual' } });
    const res = await post(app, invoke);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'Mottaget.' });
    expect(await app.db.query(`select state from escalation where participant_id = 'p1'`)).toEqual([{ state: 'acknowledged' }]);
    expect(bf.posted.at(-1)!.activity.text).toMatch(/^Kvitterat: Anna Andersson \(kris\)/);
  });

  it('a button pressed on a client without universal actions (Action.Submit) works the same', async () => {
    const submit = activity(bf, EVA, { value: { actionId: 'escalation.list', value: '' } });
    expect((await post(app, submit)).statusCode).toBe(200);
    expect(bf.posted.at(-1)!.activity.text).toMatch(/^Öppna ärenden/);
  });

  it('retries a throttled or failed send with backoff (Retry-After honoured), then delivers', async () => {
    bf.failNext(429, 502, 504);
    await post(app, activity(bf, EVA, { text: 'visa mina deltagare' }));
    expect(bf.posted).toHaveLength(1);
    expect(waits).toHaveLength(3);
    expect(waits[0]).toBe(2000);
    // Without Retry-After, waits grow (2 s then 3 s, each jittered ±50 %).
    expect(waits[1]).toBeGreaterThanOrEqual(1000);
    expect(waits[1]).toBeLessThan(3000);
    expect(waits[2]).toBeGreaterThanOrEqual(1500);
    expect(waits[2]).toBeLessThan(4500);
  });

  it('keeps the request that caused a send waiting no longer than STAFF_SEND_WAIT_MS in all; a longer wait is left to the outbox (they added up to 20 s)', async () => {
    bf.failNext(429, 429);
    bf.retryAfter = 6;
    await post(app, activity(bf, EVA, { text: 'visa mina deltagare' })).finally(() => (bf.retryAfter = 2));
    expect(waits).toEqual([6000]);
    expect(bf.posted).toEqual([]);
    const [row] = await app.db.query<{ status: string }>(`select status from outbox where recipient = $1 order by created_at desc limit 1`, [demo.eva]);
    expect(row!.status).toBe('pending');
  });

  it('gives up on a send after its retries; the outbox keeps the message to try later', async () => {
    bf.failNext(412, 412, 412, 412);
    await post(app, activity(bf, EVA, { text: 'visa mina deltagare' }));
    expect(bf.posted).toEqual([]);
    const [row] = await app.db.query<{ status: string; reason: string }>(`select status, reason from outbox where recipient = $1 order by created_at desc limit 1`, [demo.eva]);
    expect(row!.status).toBe('pending');
  });
});

describe('Teams not configured', () => {
  it('refuses everything at /api/messages (no app id would mean no token check)', async () => {
    const app = await testApp('pglite', 'empty');
    const res = await app.server.inject({ method: 'POST', url: '/api/messages', payload: { type: 'message' } });
    expect(res.statusCode).toBe(401);
    await app.close();
  });
});

describe('Teams across a restart (PGlite in a folder)', () => {
  it('reaches the coach proactively from the stored conversation reference', async () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lots-teams-')), 'data');
    const quiet = () => createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
    const config = { ...testConfig, ...teamsConfig(), dataDir: dir };
    const first = await createApp({ config, log: quiet(), db: await openPglite(dir, new Blob([fs.readFileSync(inject('pgliteDemo'))])), clock: new SettableClock(TEST_NOW), teamsEdge: edge });
    // Eva installs Lots in Teams: the installation carries the personal chat's reference.
    const install = activity(bf, EVA, { type: 'installationUpdate', action: 'add' });
    const res = await first.server.inject({ method: 'POST', url: '/api/messages', payload: install, headers: { authorization: `Bearer ${bf.token()}` } });
    expect(res.statusCode).toBe(200);
    await first.close();
    bf.posted.length = 0;
    const second = await createApp({ config, log: quiet(), db: await openPglite(dir), clock: new SettableClock(TEST_NOW), teamsEdge: edge });
    await second.lots.receive({ channel: 'sms', from: demo.anna.phone, text: 'jag vill inte leva längre', via: 'test' });
    const alert = bf.posted.find((p) => p.conversation === `a:personal-${EVA.id}`);
    expect(alert?.activity.summary).toMatch(/^AKUT/);
    await second.close();
  });
});

describe('the Teams app package', () => {
  const env = { MicrosoftAppId: APP_ID, LOTS_PUBLIC_URL: 'https://lots.example.se/' };

  it('builds a zip Teams accepts: the filled manifest and both icons at their sizes', () => {
    const { zip } = buildTeamsPackage(env);
    const files = unzipSync(zip);
    expect(Object.keys(files).sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
    const manifest = JSON.parse(Buffer.from(files['manifest.json']!).toString('utf8'));
    expect(teamsManifest.safeParse(manifest).success).toBe(true);
    expect(manifest).toMatchObject({ id: APP_ID, manifestVersion: '1.17', bots: [{ botId: APP_ID, scopes: ['personal', 'team', 'groupChat'] }], validDomains: ['lots.example.se'] });
    expect(manifest.developer.websiteUrl).toBe('https://lots.example.se');
    expect(JSON.stringify(manifest)).not.toContain('${{');
    const size = (png: Uint8Array) => [Buffer.from(png).readUInt32BE(16), Buffer.from(png).readUInt32BE(20)];
    expect(size(files['color.png']!)).toEqual([192, 192]);
    expect(size(files['outline.png']!)).toEqual([32, 32]);
  });

  it.each([
    ['without an app id', { LOTS_PUBLIC_URL: 'https://lots.example.se' }, /MicrosoftAppId/],
    ['with an app id that is not a GUID', { ...env, MicrosoftAppId: 'lots-bot' }, /id: must be a GUID/],
    ['with a public address that is not https', { ...env, LOTS_PUBLIC_URL: 'http://lots.example.se' }, /websiteUrl: must be an https address/],
  ])('refuses to build %s, saying what to set', (_, given, reason) => {
    expect(() => buildTeamsPackage(given)).toThrow(reason);
  });

  it('npm run package:teams writes the zip', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lots-zip-')), 'lots.zip');
    execFileSync(process.execPath, ['dist/channels/teams/package.js', out], { env: { ...process.env, ...env } });
    expect(Object.keys(unzipSync(new Uint8Array(fs.readFileSync(out))))).toContain('manifest.json');
  });
});
