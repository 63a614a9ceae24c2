// 46elks (a Swedish provider). Webhooks authenticate with HTTP basic auth whose password is
// ELKS_WEBHOOK_SECRET (46elks calls URLs like https://lots:SECRET@host/…); messages go out by
// POST /a1/sms with the API user and password, asking for a delivery report.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { OutboxRow } from '../../outbox/outbox.js';
import { acceptForms, badRequest, phone, postForm, report, sameSecret, type SmsProvider, type WebhookContext } from './provider.js';

export interface ElksConfig {
  apiUser?: string;
  apiPassword?: string;
  webhookSecret?: string;
  apiBase: string;
  from: string;
  publicUrl?: string;
}

const inbound = z.object({ id: z.string().min(1).max(100), from: phone, to: z.string().min(1).max(32), message: z.string().max(1600), created: z.string().optional() });
const status = z.object({ id: z.string().min(1).max(100), status: z.enum(['sent', 'delivered', 'failed']), delivered: z.string().optional() });

function authorised(req: FastifyRequest, secret: string | undefined): boolean {
  const header = req.headers.authorization ?? '';
  if (!secret || !header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return sameSecret(decoded.slice(decoded.indexOf(':') + 1), secret);
}

export function elks(config: ElksConfig): SmsProvider {
  return {
    name: '46elks',
    async routes(app: FastifyInstance, ctx: WebhookContext) {
      acceptForms(app);
      // No secret configured: every request is refused, so an unconfigured webhook cannot be used.
      app.addHook('onRequest', async (req, res) => {
        if (!authorised(req, config.webhookSecret)) return res.code(401).header('www-authenticate', 'Basic realm="lots"').send({ error: 'unauthorised' });
      });
      app.post('/webhooks/sms/46elks', async (req, res) => {
        const body = badRequest(inbound, req.body, res);
        if (!body) return res;
        await ctx.lots.receive({ channel: 'sms', from: body.from, text: body.message, externalId: body.id, via: '46elks' });
        // An empty answer: replies go out through the outbox like everything else.
        return res.code(200).type('text/plain').send('');
      });
      app.post('/webhooks/sms/46elks/status', async (req, res) => {
        const body = badRequest(status, req.body, res);
        if (!body) return res;
        return report(ctx, '46elks', body.id, body.status);
      });
    },
    async send(m: OutboxRow) {
      if (!config.apiUser || !config.apiPassword) throw new Error('46elks is not configured (ELKS_API_USER, ELKS_API_PASSWORD)');
      const form = new URLSearchParams({ from: config.from, to: m.recipient, message: m.text });
      if (config.publicUrl && config.webhookSecret) {
        const url = new URL('/webhooks/sms/46elks/status', config.publicUrl);
        url.username = 'lots';
        url.password = config.webhookSecret;
        form.set('whendelivered', url.toString());
      }
      const sent = await postForm<{ id?: string }>(new URL('/a1/sms', config.apiBase), config.apiUser, config.apiPassword, form, '46elks');
      if (!sent.id) throw new Error('46elks gave no message id');
      return { provider: '46elks', providerId: sent.id };
    },
  };
}
