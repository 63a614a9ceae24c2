// One HTTP server for health, metrics, the simulator and (later) the channel webhooks.
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import type { Logger } from 'pino';
import { metrics } from '../util/metrics.js';
import { errorFields } from '../util/log.js';

export interface ServerOptions {
  log: Logger;
  ready: () => boolean;
  /** Fastify plugins that add routes: the simulator, channels. */
  plugins: ((app: FastifyInstance) => Promise<void>)[];
  /** Requests a minute one address may make to the public endpoints (webhooks); 0: no limit. */
  rateLimit?: number;
  /** Behind a reverse proxy: take the client's address from X-Forwarded-For. */
  trustProxy?: boolean;
}

/** Not limited: health and metrics (probes), and the simulator, which only listens on loopback. */
const UNLIMITED = /^\/(healthz|metrics|sim\/|$)/;

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.log as unknown as import('fastify').FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    // Phone numbers may appear in query strings: request ids only, routes logged by pattern.
    requestIdHeader: false,
    trustProxy: opts.trustProxy ?? false,
  });

  // Public endpoints are rate-limited per address: 429 with Retry-After, which providers honour
  // by retrying later (and retries are deduplicated), so a flood costs nothing and loses nothing.
  if (opts.rateLimit) {
    await app.register(rateLimit, {
      global: false,
      max: opts.rateLimit,
      timeWindow: 60_000,
      // Thrown to the error handler below, which answers { error: message } like every other 4xx.
      errorResponseBuilder: (_req, ctx) => Object.assign(new Error(`too many requests: at most ${ctx.max} a minute, try again in ${ctx.after}`), { statusCode: 429 }),
    });
    // A root hook runs before any channel's own checks, so forged floods are limited too.
    const limit = app.rateLimit();
    app.addHook('onRequest', async (req, res) => {
      if (!UNLIMITED.test(req.url)) await limit.call(app, req, res);
    });
  }

  // Strict content types: JSON (and, per channel, what its provider sends) and nothing else → 415.
  app.removeContentTypeParser('text/plain');

  // Client mistakes answer 4xx with a reason; only our own faults are 500, and they say nothing inside.
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, res) => {
    // A character PostgreSQL cannot store (NUL) in an id or a field: the request's fault, and its
    // transaction has rolled back, so nothing was written.
    if (err.code === '22021' || err.code === '22P05') return res.code(400).send({ error: 'the request holds a character that cannot be stored (NUL)' });
    const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) req.log.error(errorFields(err), 'request failed');
    metrics.count('lots_http_errors_total', { status: String(status) });
    return res.code(status).send({ error: status === 500 ? 'internal error' : err.message });
  });
  app.setNotFoundHandler((_req, res) => res.code(404).send({ error: 'not found' }));

  app.get('/healthz', async (_req, res) => (opts.ready() ? { status: 'ok' } : res.code(503).send({ status: 'starting' })));
  app.get('/metrics', async (_req, res) => res.type('text/plain; version=0.0.4').send(metrics.render()));

  for (const plugin of opts.plugins) await app.register(plugin);
  return app;
}
