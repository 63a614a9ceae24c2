// One contract table for every SMS provider adapter (courier's style): the same rows — a valid
// message, a forged one, a missing field, a retried delivery, delivery reports out of order, a
// failed delivery, an unknown sender — run against 46elks and Twilio through fastify's inject,
// with the providers' APIs faked at the network's edge in their real formats.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { demo, testApp, type TestApp } from './support/app.js';
import { deliveryReport, inboundSms, providerReport, type WireRequest, type WireSecrets } from '../src/channels/sms/wire.js';
import type { SmsConfig } from '../src/config.js';

const ANNA = demo.anna.phone;
const SECRET = 'elks-webhook-secret-0123456789';
const TOKEN = 'twilio-auth-token';
const PUBLIC = 'https://lots.example.se';

// The providers' APIs, as they answer: 46elks with JSON and an id, Twilio 201 with a sid.
let fake: FastifyInstance;
let fakeUrl = '';
const sent: { provider: string; to: string; text: string; auth: string }[] = [];
beforeAll(async () => {
  fake = Fastify();
  fake.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
  fake.post('/a1/sms', async (req) => {
    const f = req.body as Record<string, string>;
    sent.push({ provider: '46elks', to: f.to!, text: f.message!, auth: req.headers.authorization ?? '' });
    return { status: 'created', direction: 'outgoing', from: f.from, to: f.to, message: f.message, id: `s${sent.length}`, parts: 1 };
  });
  fake.post('/2010-04-01/Accounts/:sid/Messages.json', async (req, res) => {
    const f = req.body as Record<string, string>;
    sent.push({ provider: 'twilio', to: f.To!, text: f.Body!, auth: req.headers.authorization ?? '' });
    return res.code(201).send({ sid: `SM${sent.length}`, status: 'queued', to: f.To, body: f.Body });
  });
  fakeUrl = await fake.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(() => fake.close());

const SECRETS: WireSecrets = { elksWebhookSecret: SECRET, twilioAuthToken: TOKEN, twilioAccountSid: 'AC123', publicUrl: PUBLIC };

interface Adapter {
  name: '46elks' | 'twilio';
  sms: SmsConfig;
  inbound(fields: { from?: string; text?: string; id?: string }, forged?: boolean): WireRequest;
  status(providerId: string, state: 'sent' | 'delivered' | 'failed'): WireRequest;
  refused: number;
}

// The requests are the providers' own formats (src/channels/sms/wire.ts, which the benchmark uses too).
const adapters = (): Adapter[] => [
  {
    name: '46elks',
    sms: { provider: '46elks', elks: { apiUser: 'u123', apiPassword: 'p456', webhookSecret: SECRET, apiBase: fakeUrl, from: 'Lots', publicUrl: PUBLIC }, twilio: { apiBase: fakeUrl } },
    inbound: (m, forged) => inboundSms('46elks', SECRETS, m, forged),
    status: (id, state) => deliveryReport('46elks', SECRETS, id, state),
    refused: 401,
  },
  {
    name: 'twilio',
    sms: { provider: 'twilio', elks: { apiBase: fakeUrl, from: 'Lots' }, twilio: { accountSid: 'AC123', authToken: TOKEN, from: '+46766861234', apiBase: fakeUrl, publicUrl: PUBLIC } },
    inbound: (m, forged) => inboundSms('twilio', SECRETS, m, forged),
    status: (id, state) => deliveryReport('twilio', SECRETS, id, state),
    refused: 403,
  },
];

describe.each(['46elks', 'twilio'] as const)('SMS contract: %s', (name) => {
  let app: TestApp;
  let adapter: Adapter;
  afterEach(async () => {
    sent.length = 0;
    await app.closeCheckingLogs([ANNA, 'Anna', 'handläggare på FK', SECRET, TOKEN]);
  });
  const start = async () => {
    adapter = adapters().find((a) => a.name === name)!;
    app = await testApp('pglite', 'demo', { config: { simulator: false, sms: adapter.sms } });
  };
  const post = (r: WireRequest) => app.server.inject(r);
  const logged = async () => (await app.db.query<{ n: number }>(`select count(*)::int as n from message_log`))[0]!.n;

  it('takes a valid message in, and the reply goes out through the provider\'s API', async () => {
    await start();
    const res = await post(adapter.inbound({ from: ANNA, text: 'vem är min handläggare på FK?', id: 'in-1' }));
    expect(res.statusCode).toBe(200);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ provider: name, to: ANNA });
    expect(sent[0]!.text).toMatch(/^Din kontakt på Försäkringskassan/);
    // Sent with the provider's API credentials, as its API expects them.
    expect(sent[0]!.auth).toBe(`Basic ${Buffer.from(name === '46elks' ? 'u123:p456' : `AC123:${TOKEN}`).toString('base64')}`);
    const [row] = await app.db.query<{ provider: string; delivery: string }>(`select provider, delivery from outbox where recipient = $1`, [ANNA]);
    expect(row).toEqual({ provider: name, delivery: 'sent' });
  });

  it('refuses a forged message and writes nothing', async () => {
    await start();
    const res = await post(adapter.inbound({ from: ANNA, text: 'hej', id: 'in-2' }, true));
    expect(res.statusCode).toBe(adapter.refused);
    expect(await logged()).toBe(0);
    expect(sent).toEqual([]);
  });

  it('answers a message without a sender with 400 and the reason, and writes nothing', async () => {
    await start();
    const res = await post(adapter.inbound({ text: 'hej', id: 'in-3' }));
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(/from/i);
    expect(await logged()).toBe(0);
  });

  it('takes forms only: JSON gets 415, a field given twice 400, and nothing is written (found by a new user)', async () => {
    await start();
    const good = adapter.inbound({ from: ANNA, text: 'hej', id: 'in-5' });
    const asJson = await post({ ...good, headers: { ...good.headers, 'content-type': 'application/json' }, payload: JSON.stringify(Object.fromEntries(new URLSearchParams(good.payload))) });
    expect(asJson.statusCode).toBe(415);
    const twice = await post({ ...good, payload: `${good.payload}&${good.payload.split('&').find((f) => /^(from|From)=/.test(f))}` });
    expect(twice.statusCode).toBe(400);
    expect(twice.json().error).toMatch(/twice/);
    expect(await logged()).toBe(0);
    expect(sent).toEqual([]);
  });

  it('handles a retried delivery once', async () => {
    await start();
    for (let i = 0; i < 3; i++) expect((await post(adapter.inbound({ from: ANNA, text: 'fk', id: 'in-4' }))).statusCode).toBe(200);
    expect(await logged()).toBe(1);
    expect(sent).toHaveLength(1);
  });

  it('moves delivery only forward, and a failed delivery reaches the coach', async () => {
    await start();
    await post(adapter.inbound({ from: ANNA, text: 'fk', id: 'in-5' }));
    const [{ providerId }] = (await app.db.query<{ providerId: string }>(`select provider_id as "providerId" from outbox where recipient = $1`, [ANNA])) as [{ providerId: string }];
    expect((await post(adapter.status(providerId, 'delivered'))).statusCode).toBe(200);
    expect((await post(adapter.status(providerId, 'sent'))).statusCode).toBe(200); // late, out of order
    expect((await app.db.query(`select delivery from outbox where provider_id = $1`, [providerId]))[0]).toEqual({ delivery: 'delivered' });

    await post(adapter.inbound({ from: ANNA, text: 'af', id: 'in-6' }));
    const [{ second }] = (await app.db.query<{ second: string }>(`select provider_id as second from outbox where recipient = $1 order by seq desc limit 1`, [ANNA])) as [{ second: string }];
    expect((await post(adapter.status(second, 'failed'))).statusCode).toBe(200);
    expect(await app.db.query(`select reason from escalation where participant_id = 'p1'`)).toEqual([{ reason: 'sms-failed' }]);
  });

  it('refuses a delivery report in a state it does not know, with the reason (found by a new user: Twilio\'s was taken for "not yet")', async () => {
    await start();
    const res = await post(providerReport(adapter.name, SECRETS, 'x-1', 'weird'));
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/status/i);
  });

  it('tells an unknown sender nothing about Lots or anyone', async () => {
    await start();
    expect((await post(adapter.inbound({ from: '+46709999999', text: 'vem är Annas coach?', id: 'in-7' }))).statusCode).toBe(200);
    expect(sent).toEqual([expect.objectContaining({ to: '+46709999999', text: 'Hej! Vi kan tyvärr inte svara på meddelanden från det här numret.' })]);
  });
});
