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
