// Logs carry ids, intents and counts — never a phone number, a name or message text.
// Redaction is the second line of defence; the first is not logging such fields at all.
import pino, { type Logger } from 'pino';

export const REDACTED_PATHS = [
  'phone', 'text', 'name', 'to', 'from', 'email', 'body', 'message', 'recipient', 'address',
  '*.phone', '*.text', '*.name', '*.to', '*.from', '*.email', '*.body', '*.recipient', '*.address',
  'req.body', 'req.query', 'req.headers.authorization', 'req.headers.cookie',
];

export function createLogger(options: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Requests are logged by route, not URL: a query string can carry a phone number.
      serializers: {
        req: (req: { method?: string; routeOptions?: { url?: string }; id?: string }) => ({ method: req.method, route: req.routeOptions?.url, id: req.id }),
      },
    },
    options.destination,
  );
}

/**
 * How an error is logged: its class and code only. Never its message or stack, which can quote the
 * request that caused it (a phone number, a name, what someone wrote).
 */
export function errorFields(err: unknown): { kind: string; code?: string } {
  const e = err as { name?: unknown; code?: unknown } | null;
  return { kind: typeof e?.name === 'string' ? e.name : 'unknown', ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
}

