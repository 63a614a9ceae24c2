// Digests: the team lead's daily and weekly summaries through the simulator, their Slack and
// Teams forms checked against the platforms' rules and against golden files, and the chart PNG.
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { engines } from './support/db.js';
import { auditTrail, eraseParticipant } from '../src/privacy/privacy.js';
import { demo, testApp, type TestApp } from './support/app.js';
import type { Digest } from '../src/digests/digest.js';
import { outline, toAdaptiveCard, toBlockKit, toText } from '../src/digests/render.js';
import { barChart, CHART_SIZE } from '../src/digests/chart.js';
import { digestMessage } from '../src/digests/digests.js';
import { slackBlocks } from '../src/channels/slack/slack.js';
import { toActivity } from '../src/channels/teams/cards.js';
import type { OutboxRow } from '../src/outbox/outbox.js';

/** A digest as the outbox hands it to a channel. */
const asSent = (d: Digest) => digestMessage(d, demo.maria) as unknown as OutboxRow;

const ALI = 'ali.karimi@demo.lots.se';
interface Sent {
  to: string;
  text: string;
  sentAt: string;
  rich?: { slack: { blocks: { type: string }[] }; teams: Record<string, unknown> };
  attachments?: { filename: string; contentType: string; content: string; encoding?: string }[];
}

describe.each(engines)('digests on %s', (engine) => {
  let app: TestApp;
  afterEach(() => app.closeCheckingLogs(['Malin', '+46701740621']));
  const outboxTo = async (to: string): Promise<Sent[]> => (await app.server.inject({ method: 'GET', url: `/sim/outbox?to=${encodeURIComponent(to)}` })).json().messages;
  const at = async (iso: string) => expect((await app.server.inject({ method: 'POST', url: '/sim/clock', payload: { set: iso } })).statusCode).toBe(200);

  /** Anna (10:00) and Malin, protected (11:00), do not come on Monday; the 16:00 digest goes out. */
  const twoNoShowsThenDigest = async () => {
    app = await testApp(engine);
    await app.staff(demo.eva, 'boka möte med Anna idag kl 10');
    await app.staff(demo.eva, 'boka möte med Malin idag kl 11');
    await at('2026-11-23T12:30:00+01:00');
    await app.staff(demo.eva, 'Anna uteblev');
    await app.staff(demo.eva, 'Malin uteblev');
    await at('2026-11-23T16:00:00+01:00');
  };

  it('a 10:00 no-show is in the team lead\'s 16:00 digest with participant and coach; a protected identity without name; no one else gets it', async () => {
    await twoNoShowsThenDigest();
    const digests = await app.db.query<{ recipient: string }>(`select recipient from outbox where purpose = 'digest'`);
    expect(digests.map((d) => d.recipient).sort()).toEqual([ALI, demo.maria].sort());
    const [digest] = (await outboxTo(demo.maria)).filter((m) => m.text.startsWith('Dagens sammanfattning'));
    expect(digest!.text).toContain('Uteblivna möten i dag: 2.');
    const eva = digest!.text.split('\n\n').find((s) => s.startsWith('Eva Lindqvist'))!;
    expect(eva).toContain('• Uteblev: Anna Andersson, coachsamtal mån 23 nov. kl 10.00 (första gången)');
    expect(eva).toContain('• Uteblev: deltagare med skyddad identitet, coachsamtal mån 23 nov. kl 11.00 (första gången)');
    expect(JSON.stringify(digest)).not.toContain('Malin');
    expect(digest!.rich!.slack.blocks[0]!.type).toBe('header');
    expect(digest!.rich!.teams.version).toBe('1.5');
    // The other team's lead gets their own team's digest, without Eva's participants.
    const [other] = (await outboxTo(ALI)).filter((m) => m.text.startsWith('Dagens sammanfattning'));
    expect(other!.text).not.toContain('Anna');
    // Each read is audited per participant (found by a new user: digests were not): the lead's on
    // schedule, and a coach's own when she asks.
    await app.staff(demo.eva, 'visa dagens missade möten');
    const digestReads = (await auditTrail(app.db, 'p1')).filter((e) => e.action === 'read.digest');
    const [lead] = await app.db.query<{ id: string }>(`select id from staff where email = $1`, [demo.maria]);
    expect(digestReads.map((e) => e.actor)).toEqual([`staff:${lead!.id}`, 'staff:s1']);
    const [malin] = await app.db.query<{ id: string }>(`select id from participant where name like 'Malin%'`);
    expect((await auditTrail(app.db, malin!.id)).filter((e) => e.action === 'read.digest')).toHaveLength(2);
  });

  it('erasing a participant takes their lines out of sent digests and keeps the rest (they were blanked whole; found by a new-user trial)', async () => {
    await twoNoShowsThenDigest();
    // A digest the coach asked for in chat is a digest too (it was stored as a reply and blanked whole).
    await app.staff(demo.eva, 'visa dagens missade möten');
    await eraseParticipant(app.db, 'p1', 'admin:test', app.clock.now());
    for (const reader of [demo.maria, demo.eva]) {
      const [digest] = await app.db.query<{ text: string }>(`select text from outbox where purpose = 'digest' and recipient = $1`, [reader]);
      expect(digest!.text).toMatch(/^Dagens sammanfattning/);
      expect(digest!.text).toContain('• Uteblev: deltagare med skyddad identitet, coachsamtal mån 23 nov. kl 11.00 (första gången)');
      expect(digest!.text).not.toContain('Anna');
    }
  });

  it('a digest that goes out late tells about its own day (found by a helper: Friday\'s said Saturday)', async () => {
    app = await testApp(engine);
    await app.staff(demo.eva, 'boka möte med Anna idag kl 10');
    await at('2026-11-23T12:30:00+01:00');
    await app.staff(demo.eva, 'Anna uteblev');
    await at('2026-11-24T13:00:00+01:00'); // Monday's 16:00 digest goes out on Tuesday
    const [digest] = (await outboxTo(demo.maria)).filter((m) => m.text.startsWith('Dagens sammanfattning'));
    expect(digest!.text).toMatch(/^Dagens sammanfattning, Team Södertälje \(mån 23 nov\.\)/);
    expect(digest!.text).toContain('Uteblivna möten i dag: 1.');
  });

  it('a coach asking gets only their own participants; the weekly one has the chart', async () => {
    app = await testApp(engine);
    const res = await app.staff(demo.jonas, 'visa veckans sammanfattning');
    const [reply] = res.body.replies;
    expect(reply.text).toMatch(/^Veckans sammanfattning, /);
    expect(reply.text).toContain('\nJonas Berg\n');
    expect(reply.text).not.toContain('Eva Lindqvist');
    expect(reply.attachments[0]).toMatchObject({ filename: 'uteblivna-per-vecka.png', contentType: 'image/png', encoding: 'base64' });
  });
});

// A fixed digest for the golden files and the platform rules.
function sampleDigest(coaches = 2): Digest {
  const at = new Date('2026-11-23T09:00:00Z');
  const section = (i: number) => ({
    coachId: `s${i}`,
    coach: `Coach ${i}`,
    missed: [{ participant: `Deltagare ${i}`, protected: false, type: 'sip', startAt: at, ordinal: (i % 3) + 1 }],
    unanswered: [{ participant: 'deltagare med skyddad identitet', protected: true, sentAt: at }],
    escalations: [{ participant: `Deltagare ${i}`, protected: false, reason: 'crisis', severity: 'urgent', state: 'open', late: true, openedAt: at }],
    unconfirmed: [],
    cadence: { red: 1, yellow: 2, redExamples: [{ participant: `Deltagare ${i}`, protected: false, agency: 'fk' }] },
    staleContacts: { count: 0, examples: [] },
  });
  return {
    kind: 'weekly',
    teamId: 't1',
    team: 'Team Söder',
    from: new Date('2026-11-16T09:00:00Z'),
    to: at,
    coaches: Array.from({ length: coaches }, (_, i) => section(i + 1)),
    totals: { missed: coaches, unanswered: coaches, escalations: coaches, urgent: coaches, unconfirmed: 0, cadenceRed: coaches, cadenceYellow: 2 * coaches, staleContacts: 0 },
    noShowsPerWeek: [{ week: '2026-v47', count: coaches }],
    participantIds: [],
  };
}

const BLOCK_TYPES = new Set(['header', 'section', 'divider', 'context', 'image', 'actions']);
function checkBlockKit(message: { text: string; blocks: any[] }) {
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  for (const b of message.blocks) {
    expect(BLOCK_TYPES.has(b.type), b.type).toBe(true);
    if (b.type === 'header') expect(b.text.type === 'plain_text' && b.text.text.length <= 150).toBe(true);
    if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(3000);
    if (b.type === 'context') expect(b.elements.length).toBeLessThanOrEqual(10);
  }
}
const CARD_ELEMENTS = new Set(['TextBlock', 'Container', 'Image', 'FactSet', 'ColumnSet']);
function checkCard(card: any) {
  expect(card.type).toBe('AdaptiveCard');
  expect(card.version).toBe('1.5');
  expect(card.$schema).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
  const walk = (items: any[]) => {
    for (const item of items) {
      expect(CARD_ELEMENTS.has(item.type), item.type).toBe(true);
      if (item.type === 'TextBlock') expect(typeof item.text).toBe('string');
      if (item.items) walk(item.items);
    }
  };
  walk(card.body);
  for (const a of card.actions ?? []) {
    expect(['Action.Execute', 'Action.Submit']).toContain(a.type);
    if (a.type === 'Action.Execute') expect(a.fallback.type).toBe('Action.Submit');
  }
}

describe('digest rendering', () => {
  it('Block Kit and the Adaptive Card match their golden files and the platforms\' rules', async () => {
    const o = outline(sampleDigest());
    const blocks = toBlockKit(o);
    const card = toAdaptiveCard(o);
    checkBlockKit(blocks);
    checkCard(card);
    // As sent: Slack gets the blocks with the button below, Teams the card with it as a universal action.
    const sent = asSent(sampleDigest());
    checkBlockKit({ text: sent.text, blocks: slackBlocks(sent)! });
    expect(JSON.stringify(slackBlocks(sent)!.at(-1))).toContain('escalation.list');
    const teamsCard = (toActivity(sent).attachments![0]!.content as any);
    checkCard(teamsCard);
    expect(teamsCard.actions).toEqual([expect.objectContaining({ type: 'Action.Execute', title: 'Visa öppna ärenden', data: { actionId: 'escalation.list', value: '' } })]);
    await expect(JSON.stringify(blocks, null, 2) + '\n').toMatchFileSnapshot('golden/digest.blockkit.json');
    await expect(JSON.stringify(card, null, 2) + '\n').toMatchFileSnapshot('golden/digest.adaptivecard.json');
    await expect(toText(o) + '\n').toMatchFileSnapshot('golden/digest.txt');
  });

  it('a team of 50 coaches still fits Slack\'s 50 blocks, saying how many are left out', () => {
    const blocks = toBlockKit(outline(sampleDigest(50)));
    checkBlockKit(blocks);
    const sent = asSent(sampleDigest(50));
    checkBlockKit({ text: sent.text, blocks: slackBlocks(sent)! });
    expect(JSON.stringify(blocks.blocks.at(-1))).toMatch(/och \d+ coacher till/);
    checkCard(toAdaptiveCard(outline(sampleDigest(50))));
  });

  it('the chart is a valid PNG of the right size', () => {
    const png = barChart([{ label: 'v46', value: 2 }, { label: 'v47', value: 5 }, { label: 'v48', value: 0 }]);
    expect(png.length).toBeGreaterThan(100);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.subarray(12, 16).toString('ascii')).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([CHART_SIZE.width, CHART_SIZE.height]);
    // The image data inflates to exactly one filter byte plus three bytes a pixel per row.
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
    const raw = zlib.inflateSync(png.subarray(41, 41 + idatLength));
    expect(raw.length).toBe((CHART_SIZE.width * 3 + 1) * CHART_SIZE.height);
    // Not blank: some pixels are the bar colour.
    expect(raw.includes(Buffer.from([32, 96, 160]))).toBe(true);
  });
});
