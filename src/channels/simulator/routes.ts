// The simulator: the embedded default's face. A web page and JSON endpoints that stand in for
// SMS and staff chat; while it is on, everything Lots sends lands in its outbox.
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Duration } from 'luxon';
import { z } from 'zod';
import type { Lots } from '../../core/lots.js';
import type { SettableClock } from '../../model/index.js';
import { countSegments } from '../../i18n/segments.js';
import { sentMessages, type OutboxRow } from '../../outbox/outbox.js';
import { toE164 } from '../../util/phone.js';
import { projectRoot } from '../../util/paths.js';

const PUBLIC_DIR = path.join(projectRoot, 'src', 'channels', 'simulator', 'public');

const phone = z.string().transform((s, ctx) => {
  const e164 = toE164(s);
  if (!e164) {
    ctx.addIssue({ code: 'custom', message: 'from must be a phone number, e.g. +46701740621' });
    return z.NEVER;
  }
  return e164;
});
const text = z.string().trim().min(1, 'text must not be empty').max(1600, 'text is longer than 1600 characters');
const smsBody = z.strictObject({ from: phone, text });
const staffBody = z.strictObject({ from: z.email().transform((s) => s.toLowerCase()), text });
const actionBody = z.strictObject({ from: z.email().transform((s) => s.toLowerCase()), actionId: z.string().min(1).max(100), value: z.string().max(500) });
const clockBody = z.union([
  z.strictObject({
    advance: z.string().refine((s) => Duration.fromISO(s).isValid && Duration.fromISO(s).toMillis() >= 0, 'advance must be a positive ISO 8601 duration such as PT2H'),
  }),
  z.strictObject({ set: z.iso.datetime({ offset: true }) }),
], { error: 'give {"advance":"PT2H"} (an ISO 8601 duration) or {"set":"2026-11-25T08:00:00+01:00"}' });
const CLOCK_RANGE = { from: new Date('2000-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') };
const outboxQuery = z.strictObject({ to: z.string().min(1).max(320).optional() });

/** Parses with zod; on failure answers 400 with every reason, so nothing half-valid gets in. */
export function parseOr400<T>(schema: z.ZodType<T>, input: unknown): { ok: true; value: T } | { ok: false; error: string } {
  const r = schema.safeParse(input ?? {});
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, error: r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ') };
}

export interface SimulatorOptions {
  lots: Lots;
  clock: SettableClock;
  /** Runs what has fallen due by Lots' clock (reminders, check-ins, digests, escalation steps). */
  tick: () => Promise<void>;
  /** Persists the simulated time so a restart keeps it. */
  saveClock: (now: Date) => Promise<void>;
}

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const staffReply = (r: OutboxRow) => ({
  text: r.text,
  ...(r.buttons ? { buttons: r.buttons } : {}),
  ...(r.attachments ? { attachments: r.attachments } : {}),
  ...(r.rich ? { rich: r.rich } : {}),
});

export async function simulatorRoutes(app: FastifyInstance, opts: SimulatorOptions): Promise<void> {
  const { lots, clock } = opts;
  const staticFile = (file: string, type: string) => async (_req: unknown, res: import('fastify').FastifyReply) =>
    res.headers(SECURITY_HEADERS).type(type).send(fs.readFileSync(path.join(PUBLIC_DIR, file)));
  app.get('/', staticFile('index.html', 'text/html; charset=utf-8'));
  app.get('/sim/app.js', staticFile('app.js', 'text/javascript; charset=utf-8'));
  app.get('/sim/style.css', staticFile('style.css', 'text/css; charset=utf-8'));
  app.get('/favicon.ico', async (_req, res) => res.code(204).send());

  app.get('/sim/people', async () => {
    const participants = await lots.db.query(`select name, phone, language from participant where ended_at is null order by id`);
    const staff = await lots.db.query(`select name, email, role from staff order by id`);
    return { participants, staff };
  });

  app.post('/sim/sms', async (req, res) => {
    const body = parseOr400(smsBody, req.body);
    if (!body.ok) return res.code(400).send({ error: body.error });
    const { replies } = await lots.receive({ channel: 'sms', from: body.value.from, text: body.value.text, via: 'simulator' });
    return {
      replies: replies.map((r) => {
        const { segments, encoding } = countSegments(r.text);
        return { to: r.recipient, text: r.text, segments, encoding };
      }),
    };
  });

  app.post('/sim/staff', async (req, res) => {
    const body = parseOr400(staffBody, req.body);
    if (!body.ok) return res.code(400).send({ error: body.error });
    const { replies } = await lots.receive({ channel: 'staff', from: body.value.from, text: body.value.text, via: 'simulator' });
    return { replies: replies.map(staffReply) };
  });

  app.post('/sim/staff/action', async (req, res) => {
    const body = parseOr400(actionBody, req.body);
    if (!body.ok) return res.code(400).send({ error: body.error });
    const result = await lots.act({ channel: 'staff', from: body.value.from, actionId: body.value.actionId, value: body.value.value, via: 'simulator' });
    if (!result.ok) return res.code(400).send({ error: result.error });
    return { replies: result.replies.map(staffReply) };
  });

  app.get('/sim/outbox', async (req, res) => {
    const query = parseOr400(outboxQuery, req.query);
    if (!query.ok) return res.code(400).send({ error: query.error });
    const to = query.value.to && (toE164(query.value.to) ?? query.value.to.toLowerCase());
    const messages = await sentMessages(lots.db, to);
    return {
      messages: messages.map((m) => ({
        channel: m.channel,
        to: m.recipient,
        text: m.text,
        sentAt: m.sentAt?.toISOString(),
        ...(m.buttons ? { buttons: m.buttons } : {}),
        ...(m.attachments ? { attachments: m.attachments } : {}),
        ...(m.rich ? { rich: m.rich } : {}),
      })),
    };
  });

  app.get('/sim/clock', async () => ({ now: clock.now().toISOString() }));

  app.post('/sim/clock', async (req, res) => {
    const body = parseOr400(clockBody, req.body);
    if (!body.ok) return res.code(400).send({ error: body.error });
    const to = 'advance' in body.value ? new Date(clock.now().getTime() + Duration.fromISO(body.value.advance).toMillis()) : new Date(body.value.set);
    // Dates, holidays and the database all have limits; a simulated year of 275760 helps no one.
    if (!(to >= CLOCK_RANGE.from && to < CLOCK_RANGE.to)) return res.code(400).send({ error: 'the clock stays between 2000 and 2100' });
    // Time does not run backwards: what was sent would be dated after what comes next (found by a new-user trial).
    if (to < clock.now()) return res.code(400).send({ error: `the clock only moves forward (it is ${clock.now().toISOString()})` });
    clock.set(to);
    await opts.saveClock(clock.now());
    await opts.tick();
    return { now: clock.now().toISOString() };
  });
}
