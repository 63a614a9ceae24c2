// Twilio. Webhooks are signed: X-Twilio-Signature is base64(HMAC-SHA1(auth token, the full URL
// Twilio called + every form field name and value, sorted by name)); the URL is LOTS_PUBLIC_URL
// plus the path. Messages go out by POST /2010-04-01/Accounts/{sid}/Messages.json.
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { OutboxRow } from '../../outbox/outbox.js';
import { acceptForms, badRequest, phone, postForm, report, sameSecret, type SmsProvider, type WebhookContext } from './provider.js';

export interface TwilioConfig {
  accountSid?: string;
  authToken?: string;
  from?: string;
  apiBase: string;
  publicUrl?: string;
}

const inbound = z.object({ MessageSid: z.string().min(1).max(64), From: phone, To: z.string().min(1).max(32), Body: z.string().max(1600) });

/** Twilio's signature for a request to `url` with form `params`. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return crypto.createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

function signedCorrectly(req: FastifyRequest, config: TwilioConfig): boolean {
  const given = req.headers['x-twilio-signature'];
  if (!config.authToken || !config.publicUrl || typeof given !== 'string') return false;
  const url = new URL(req.url, config.publicUrl).toString();
  return sameSecret(given, twilioSignature(config.authToken, url, (req.body ?? {}) as Record<string, string>));
}

/**
 * Twilio's states of an outgoing message, as far as Lots cares: sent, delivered, failed (or nothing
 * yet). A state not among them is refused with its reason, as 46elks' are (it was taken for "not yet").
 */
const STATES = {
  accepted: null,
  scheduled: null,
  queued: null,
  sending: null,
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'failed',
  failed: 'failed',
  canceled: 'failed',
} as const satisfies Record<string, 'sent' | 'delivered' | 'failed' | null>;
const status = z.object({
  MessageSid: z.string().min(1).max(64),
  MessageStatus: z.enum(Object.keys(STATES) as (keyof typeof STATES)[], { error: `MessageStatus: one of ${Object.keys(STATES).join(', ')}` }),
  ErrorCode: z.string().optional(),
});

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export function twilio(config: TwilioConfig): SmsProvider {
  return {
    name: 'twilio',
    async routes(app: FastifyInstance, ctx: WebhookContext) {
      acceptForms(app);
      // The signature covers the form, so it is checked once the body is parsed.
      app.addHook('preHandler', async (req, res) => {
        if (!signedCorrectly(req, config)) return res.code(403).send({ error: 'bad signature' });
      });
      app.post('/webhooks/sms/twilio', async (req, res) => {
        const body = badRequest(inbound, req.body, res);
        if (!body) return res;
        await ctx.lots.receive({ channel: 'sms', from: body.From, text: body.Body, externalId: body.MessageSid, via: 'twilio' });
        return res.code(200).type('text/xml').send(EMPTY_TWIML);
      });
      app.post('/webhooks/sms/twilio/status', async (req, res) => {
        const body = badRequest(status, req.body, res);
        if (!body) return res;
        return report(ctx, 'twilio', body.MessageSid, STATES[body.MessageStatus], body.ErrorCode ? `twilio error ${body.ErrorCode}` : undefined);
      });
    },
    async send(m: OutboxRow) {
      if (!config.accountSid || !config.authToken || !config.from) throw new Error('Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)');
      const form = new URLSearchParams({ To: m.recipient, From: config.from, Body: m.text });
      if (config.publicUrl) form.set('StatusCallback', new URL('/webhooks/sms/twilio/status', config.publicUrl).toString());
      const url = new URL(`/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`, config.apiBase);
      const sent = await postForm<{ sid?: string }>(url, config.accountSid, config.authToken, form, 'Twilio');
      if (!sent.sid) throw new Error('Twilio gave no message sid');
      return { provider: 'twilio', providerId: sent.sid };
    },
  };
}
