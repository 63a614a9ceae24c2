// What every SMS provider adapter gives Lots: webhooks in (messages, delivery reports) and a way
// out. Each provider lives in its own file; this is the contract they share.
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Lots } from '../../core/lots.js';
import type { Db } from '../../store/db.js';
import type { OutboxRow } from '../../outbox/outbox.js';
import { recordDelivery } from '../../outbox/outbox.js';
import { toE164 } from '../../util/phone.js';

export interface SmsProvider {
  name: '46elks' | 'twilio';
  /** Registers the provider's webhooks (inbound messages, delivery reports) on the server. */
  routes(app: FastifyInstance, ctx: WebhookContext): Promise<void>;
  /** Hands one SMS to the provider's API; returns its id for the delivery reports. */
  send(m: OutboxRow): Promise<{ provider: string; providerId: string }>;
}

export interface WebhookContext {
  lots: Lots;
  db: Db;
  /** A delivery report said the SMS failed: the app raises the alarm. */
  onFailed: (m: OutboxRow) => Promise<void>;
}

/**
 * Providers post forms and only forms: parsed here, inside the provider's own plugin, so nothing
 * else accepts them, and JSON (which 46elks and Twilio never send) is refused here with a 415. A
 * field given twice is refused too: which of two senders or texts was meant cannot be guessed.
 */
export function acceptForms(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    const fields: Record<string, string> = {};
    for (const [key, value] of new URLSearchParams(String(body))) {
      if (Object.hasOwn(fields, key)) return done(Object.assign(new Error(`the field "${key}" is given twice`), { statusCode: 400 }), undefined);
      fields[key] = value;
    }
    done(null, fields);
  });
}

export const phone = z.string().transform((s, ctx) => {
  const e164 = toE164(s);
  if (!e164) {
    ctx.addIssue({ code: 'custom', message: 'not a phone number' });
    return z.NEVER;
  }
  return e164;
});

/** Equal secrets in constant time (a plain comparison leaks how much of a guess was right). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** Zod's verdict as a 400 with every reason; null when the body is good. */
export function badRequest<T>(schema: z.ZodType<T>, body: unknown, res: FastifyReply): T | null {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  void res.code(400).send({ error: parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ') });
  return null;
}

/** A delivery report, recorded forward-only; a failure raises the alarm once. */
export async function report(ctx: WebhookContext, provider: string, id: string, state: 'sent' | 'delivered' | 'failed' | null, reason?: string) {
  if (!state) return { known: true };
  const result = await recordDelivery(ctx.db, provider, id, state, reason);
  if (result.failed) await ctx.onFailed(result.failed);
  return { known: result.known };
}

export type Handler = (req: FastifyRequest, res: FastifyReply) => Promise<unknown>;

/** POSTs a form with HTTP basic auth to a provider's API and returns its JSON; a non-2xx answer throws. */
/** How long a provider may take to accept a message (well inside the outbox's claim lease). */
export const PROVIDER_TIMEOUT_MS = 15_000;

export async function postForm<T>(url: URL, user: string, password: string, form: URLSearchParams, provider: string): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
    // A provider that does not answer fails the send, which is retried: it must not hold the outbox.
    signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
  });
  if (!res.ok) throw new Error(`${provider} answered ${res.status}`);
  return (await res.json()) as T;
}
