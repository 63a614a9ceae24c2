// One HTTP server for health, metrics, the simulator and (later) the channel webhooks.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { metrics } from '../util/metrics.js';
import { errorFields } from '../util/log.js';

export interface ServerOptions {
  log: Logger;
  ready: () => boolean;
  /** Fastify plugins that add routes: the simulator, channels. */
  plugins: ((app: FastifyInstance) => Promise<void>)[];
}

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.log as unknown as import('fastify').FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    // Phone numbers may appear in query strings: request ids only, routes logged by pattern.
    requestIdHeader: false,
  });

  // Strict content types: JSON (and, per channel, what its provider sends) and nothing else → 415.
  app.removeContentTypeParser('text/plain');

  // Client mistakes answer 4xx with a reason; only our own faults are 500, and they say nothing inside.
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, res) => {
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
