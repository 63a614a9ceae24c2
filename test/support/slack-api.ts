// Slack's Web API faked at the network's edge, in its own format: users.info, users.lookupByEmail,
// chat.postMessage, views.open and views.publish (form-encoded in, JSON out).
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { WebSocketServer, type WebSocket } from 'ws';

export const SLACK_SECRET = 'slack-signing-secret';

export interface SlackApi {
  url: string;
  /** Where apps.connections.open sends Socket Mode clients. */
  socketUrl?: string;
  posted: { channel: string; text: string; blocks?: any[] }[];
  views: { method: 'views.open' | 'views.publish'; user?: string; trigger?: string; view: any }[];
  close(): Promise<void>;
}

export async function slackApi(users: Record<string, string>): Promise<SlackApi> {
  const fake: FastifyInstance = Fastify();
  const posted: SlackApi['posted'] = [];
  const views: SlackApi['views'] = [];
  fake.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_r, body, done) => done(null, Object.fromEntries(new URLSearchParams(String(body)))));
  fake.post('/api/users.info', async (req) => {
    const { user } = req.body as { user: string };
    return users[user] ? { ok: true, user: { id: user, profile: { email: users[user] } } } : { ok: false, error: 'user_not_found' };
  });
  fake.post('/api/users.lookupByEmail', async (req) => {
    const { email } = req.body as { email: string };
    const id = Object.keys(users).find((k) => users[k] === email);
    return id ? { ok: true, user: { id } } : { ok: false, error: 'users_not_found' };
  });
  fake.post('/api/chat.postMessage', async (req) => {
    const b = req.body as { channel: string; text: string; blocks?: string };
    posted.push({ channel: b.channel, text: b.text, ...(b.blocks ? { blocks: JSON.parse(b.blocks) } : {}) });
    return { ok: true, channel: b.channel, ts: `${Date.now() / 1000}` };
  });
  for (const method of ['views.open', 'views.publish'] as const) {
    fake.post(`/api/${method}`, async (req) => {
      const b = req.body as { user_id?: string; trigger_id?: string; view: string };
      views.push({ method, user: b.user_id, trigger: b.trigger_id, view: JSON.parse(b.view) });
      return { ok: true, view: { id: `V${views.length}` } };
    });
  }
  fake.post('/api/apps.connections.open', async (req, res) => {
    if (req.headers.authorization !== 'Bearer xapp-test') return { ok: false, error: 'invalid_auth' };
    return api.socketUrl ? { ok: true, url: api.socketUrl } : res.code(500).send({ ok: false });
  });
  const url = `${await fake.listen({ port: 0, host: '127.0.0.1' })}/api/`;
  const api: SlackApi = { url, posted, views, close: () => fake.close() };
  return api;
}

/** A request to /slack/events signed as Slack signs it (or with the wrong secret, or too long ago). */
export function signedSlack(body: string, type: 'json' | 'form', secret = SLACK_SECRET, ageSeconds = 0) {
  const ts = Math.floor(Date.now() / 1000) - ageSeconds;
  const signature = `v0=${crypto.createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}`;
  return {
    method: 'POST' as const,
    url: '/slack/events',
    payload: body,
    headers: {
      'content-type': type === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': signature,
    },
  };
}

/** A direct message to the app, as Slack's Events API delivers it. */
export const slackDm = (user: string, text: string, id: string) =>
  JSON.stringify({ type: 'event_callback', team_id: 'T1', api_app_id: 'A1', event_id: `Ev${id}`, event: { type: 'message', channel_type: 'im', channel: `D${user}`, user, text, ts: '1.1', client_msg_id: id } });

/** A button press, as Slack posts interactivity: a form with one field holding JSON; each press its own action_ts. */
let presses = 0;
export const slackPress = (user: string, actionId: string, value?: string) =>
  new URLSearchParams({
    payload: JSON.stringify({ type: 'block_actions', user: { id: user }, team: { id: 'T1' }, api_app_id: 'A1', trigger_id: `t-${user}-${++presses}`, actions: [{ type: 'button', action_id: actionId, value, block_id: 'b1', action_ts: `1795000000.${String(presses).padStart(6, '0')}` }] }),
  }).toString();

/** Slack's Socket Mode end: says hello to a client, sends it envelopes and collects its acks. */
export async function slackSocket() {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const acks: string[] = [];
  let client: WebSocket | null = null;
  const connected = new Promise<void>((resolve) =>
    server.on('connection', (ws) => {
      client = ws;
      ws.on('message', (data) => acks.push(JSON.parse(String(data)).envelope_id));
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'A1' } }));
      resolve();
    }),
  );
  return {
    url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/`,
    acks,
    connected,
    send(type: 'events_api' | 'slash_commands' | 'interactive', envelopeId: string, payload: unknown) {
      client!.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: type !== 'events_api', retry_attempt: 0, retry_reason: '' }));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  };
}
