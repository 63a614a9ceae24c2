// The HTTP face: health, metrics, the simulator's page and its answers to bad requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp, type TestApp } from './support/app.js';
import { createApp } from '../src/app.js';
import { createLogger } from '../src/util/log.js';
import { testConfig } from './support/app.js';

let app: TestApp;
beforeAll(async () => {
  app = await testApp('pglite');
});
afterAll(async () => app.close());

const rows = async () =>
  (await app.db.query<{ n: number }>(`select (select count(*) from message_log) + (select count(*) from outbox) + (select count(*) from audit_log) as n`))[0]!.n;

describe('http', () => {
  it('answers /healthz and /metrics', async () => {
    expect((await app.server.inject('/healthz')).json()).toEqual({ status: 'ok' });
    await app.sms('+46701740621', 'fk');
    const metrics = await app.server.inject('/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toMatch(/lots_inbound_total\{channel="sms",duplicate="false"\} \d+/);
  });

  it('serves the simulator page with security headers', async () => {
    const page = await app.server.inject('/');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).toContain('/sim/app.js');
    expect((await app.server.inject('/sim/app.js')).statusCode).toBe(200);
  });

  it.each([
    ['/sim/sms', { from: '12', text: 'hej' }, /from/],
    ['/sim/sms', { from: '+46701740621', text: '' }, /text/],
    ['/sim/sms', { from: '+46701740621' }, /text/],
    ['/sim/sms', { from: '+46701740621', text: 'hej', extra: 1 }, /extra/],
    ['/sim/sms', [1, 2], /./],
    ['/sim/staff', { from: 'not-an-email', text: 'hej' }, /from/],
    ['/sim/staff/action', { from: 'eva.lindqvist@demo.lots.se', actionId: 'nope', value: 'x' }, /unknown action/],
    ['/sim/clock', { advance: 'två timmar' }, /advance|ISO/],
    ['/sim/clock', { set: 'igår' }, /set|datetime/],
  ])('POST %s %j → 400 with a reason, nothing written', async (url, payload, reason) => {
    const before = await rows();
    const res = await app.server.inject({ method: 'POST', url, payload: payload as object });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatch(reason);
    expect(await rows()).toBe(before);
  });

  it('refuses malformed JSON, a wrong content type and an oversized body with 4xx', async () => {
    const broken = await app.server.inject({ method: 'POST', url: '/sim/sms', headers: { 'content-type': 'application/json' }, payload: '{"from":' });
    expect(broken.statusCode).toBe(400);
    const form = await app.server.inject({ method: 'POST', url: '/sim/sms', headers: { 'content-type': 'text/plain' }, payload: 'hej' });
    expect(form.statusCode).toBe(415);
    const huge = await app.server.inject({ method: 'POST', url: '/sim/sms', payload: { from: '+46701740621', text: 'x'.repeat(100_000) } });
    expect(huge.statusCode).toBe(413);
    expect((await app.server.inject('/nowhere')).statusCode).toBe(404);
  });

  it('moves the clock and tells the time', async () => {
    const set = await app.server.inject({ method: 'POST', url: '/sim/clock', payload: { set: '2026-12-01T09:00:00+01:00' } });
    expect(set.json()).toEqual({ now: '2026-12-01T08:00:00.000Z' });
    await app.server.inject({ method: 'POST', url: '/sim/clock', payload: { advance: 'PT2H' } });
    expect((await app.server.inject('/sim/clock')).json()).toEqual({ now: '2026-12-01T10:00:00.000Z' });
    // Not backwards: what was sent would be dated after what comes next.
    const back = await app.server.inject({ method: 'POST', url: '/sim/clock', payload: { set: '2026-11-30T09:00:00+01:00' } });
    expect(back.statusCode).toBe(400);
    expect(back.json().error).toMatch(/only moves forward/);
  });

  it('refuses to put the simulator on a public address unless told to', async () => {
    await expect(createApp({ config: { ...testConfig, host: '0.0.0.0' }, log: createLogger({ level: 'silent' }), db: app.db })).rejects.toThrow(/LOTS_SIMULATOR_PUBLIC/);
  });
});

describe('rate limits on the public endpoints', () => {
  it('refuses a flood to a webhook with 429 and a reason, writes nothing, and leaves health and the simulator alone', async () => {
    const limited = await testApp('pglite', 'demo', { config: { http: { rateLimit: 3, trustProxy: false } } });
    try {
      const hook = () => limited.server.inject({ method: 'POST', url: '/webhooks/sms/46elks', payload: 'from=%2B46701740621&message=hej', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      for (let i = 0; i < 3; i++) expect((await hook()).statusCode).not.toBe(429);
      const before = (await limited.db.query<{ n: number }>(`select count(*)::int as n from message_log`))[0]!.n;
      const refused = await hook();
      expect(refused.statusCode).toBe(429);
      expect(refused.json().error).toMatch(/at most 3 a minute/);
      expect(refused.headers['retry-after']).toBeDefined();
      expect((await limited.db.query<{ n: number }>(`select count(*)::int as n from message_log`))[0]!.n).toBe(before);
      for (let i = 0; i < 5; i++) {
        expect((await limited.server.inject('/healthz')).statusCode).toBe(200);
        expect((await limited.sms('+46701740621', 'fk')).status).toBe(200);
      }
    } finally {
      await limited.close();
    }
  });
});
