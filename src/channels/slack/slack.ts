// Slack, through Bolt. Bolt's listeners run behind Lots' own fastify server: a small receiver
// checks Slack's signature (v0:timestamp:body, HMAC-SHA256 with the signing secret, at most five
// minutes old) on the raw body and hands the request to Bolt's processEvent. Staff are known by
// their Slack profile email; what Lots sends them goes out with chat.postMessage.
import { App, LogLevel, verifySlackRequest, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { FastifyInstance } from 'fastify';
import NodeCache from 'node-cache';
import { z } from 'zod';
import type { Logger } from 'pino';
import type { Lots } from '../../core/lots.js';
import { STAFF_SEND_WAIT_MS, type OutboxRow } from '../../outbox/outbox.js';
import type { Button } from '../../model/index.js';
import { t } from '../../i18n/index.js';
import { escapeMrkdwn } from '../../digests/render.js';
import { BOOK_MODAL, OPEN_BOOK_MODAL, bookingModal, bookingRequest, homeView } from './views.js';
import { errorFields } from '../../util/log.js';

export interface SlackConfig {
  botToken?: string;
  signingSecret?: string;
  /** An app-level token (xapp-…): Lots connects to Slack over Socket Mode instead of taking HTTP. */
  appToken?: string;
  /** Where the Web API is (tests point it at a fake that speaks Slack's format). */
  apiUrl?: string;
}

// What each kind of signed request must carry before Bolt sees it: an event, a command, an interaction.
const slackRequest = z.union([
  z.looseObject({ type: z.literal('url_verification'), challenge: z.string() }),
  z.looseObject({ type: z.literal('event_callback'), event: z.looseObject({ type: z.string() }) }),
  z.looseObject({ command: z.string().startsWith('/'), user_id: z.string().min(1) }),
  z.looseObject({ type: z.string(), user: z.looseObject({ id: z.string().min(1) }) }),
]);

/** Slack retries what is not answered within 3 s; Lots answers by 2.5 s at the latest. */
const ACK_WITHIN_MS = 2500;

/** Hands Bolt the requests fastify received; Bolt never opens a server of its own. */
class FastifyReceiver implements Receiver {
  app?: App;
  init(app: App) {
    this.app = app;
  }
  async start() {}
  async stop() {}
}

export interface SlackChannel {
  routes(app: FastifyInstance): Promise<void>;
  /** Opens the Socket Mode connection (when an app token is set). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends a staff message to its recipient's Slack DM. */
  send(m: OutboxRow): Promise<void>;
}

export function slack(config: SlackConfig, deps: { lots: Lots; log: Logger }): SlackChannel {
  // Over HTTP, fastify takes Slack's requests and hands them to Bolt; over Socket Mode, Bolt's own
  // receiver holds a WebSocket to Slack (behind a firewall, no public address needed).
  const socketMode = Boolean(config.appToken);
  const receiver = socketMode ? undefined : new FastifyReceiver();
  // No retries and a deadline in the Web API client: its default retries for half an hour, and a
  // send waits inside the request that caused it (an SMS webhook hung while Slack was down). A
  // failed or rate-limited send goes back to the outbox, which tries again with its own waits.
  const clientOptions = {
    retryConfig: { retries: 0 },
    timeout: STAFF_SEND_WAIT_MS,
    rejectRateLimitedCalls: true,
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
  };
  const bolt = new App({
    ...(socketMode ? { socketMode: true, appToken: config.appToken, installerOptions: { clientOptions } } : { receiver }),
    // One workspace, one bot token: no OAuth installation store.
    authorize: async () => ({ botToken: config.botToken ?? '' }),
    clientOptions,
    logger: boltLogger(deps.log),
  });
  // Slack user id ↔ email, asked of Slack once an hour at most (a per-process cache; the truth is
  // Slack's), and forgotten at once when Slack says a profile changed (user_change, below).
  const emails = new NodeCache({ stdTTL: 3600, maxKeys: 10_000 });
  const ids = new NodeCache({ stdTTL: 3600, maxKeys: 10_000 });
  const forget = (userId: string) => {
    const email = emails.take<string>(userId);
    if (email) ids.del(email);
  };

  async function emailOf(userId: string): Promise<string | null> {
    const cached = emails.get<string>(userId);
    if (cached) return cached;
    const info = await bolt.client.users.info({ user: userId, token: config.botToken });
    const email = info.user?.profile?.email?.toLowerCase() ?? null;
    if (email) {
      emails.set(userId, email);
      ids.set(email, userId);
    }
    return email;
  }

  async function userIdOf(email: string): Promise<string> {
    const cached = ids.get<string>(email);
    if (cached) return cached;
    const found = await bolt.client.users.lookupByEmail({ email, token: config.botToken });
    if (!found.user?.id) throw new Error('no Slack user with that email');
    ids.set(email, found.user.id);
    return found.user.id;
  }

  /** A message from a coach: Lots answers through the outbox (which sends back here). */
  async function receive(userId: string, text: string, externalId: string): Promise<void> {
    const email = await emailOf(userId);
    // Someone without an email Lots knows is told so by the core; with none at all, nothing to do.
    if (!email) return;
    await deps.lots.receive({ channel: 'staff', from: email, text, externalId, via: 'slack' });
  }

  bolt.event('message', async ({ event }) => {
    const m = event as { channel_type?: string; user?: string; text?: string; bot_id?: string; subtype?: string; client_msg_id?: string; ts: string };
    // DMs from people only (not the bot's own messages, not edits).
    if (m.channel_type !== 'im' || !m.user || m.bot_id || m.subtype) return;
    await receive(m.user, m.text ?? '', m.client_msg_id ?? m.ts);
  });
  bolt.event('app_mention', async ({ event }) => {
    await receive(event.user ?? '', (event.text ?? '').replace(/<@[A-Z0-9]+>\s*/g, ''), event.client_msg_id ?? event.ts);
  });
  async function openBookingModal(userId: string, triggerId: string) {
    const email = await emailOf(userId);
    if (!email) return;
    await bolt.client.views.open({ token: config.botToken, trigger_id: triggerId, view: bookingModal(await deps.lots.caseload(email), deps.lots.clock.now()) as never });
  }

  bolt.command('/lots', async ({ command, ack }) => {
    await ack();
    // "/lots boka" alone opens the booking form; anything else is a request in words.
    if (/^boka( (ett )?möte)?$/i.test(command.text.trim())) return openBookingModal(command.user_id, command.trigger_id);
    await receive(command.user_id, command.text, `${command.trigger_id}`);
  });
  // A changed profile (a new email address): who this Slack user is in Lots is asked of Slack again.
  bolt.event('user_change', async ({ event }) => forget(event.user.id));
  bolt.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    const email = await emailOf(event.user);
    if (!email) return;
    const [escalations, caseload] = await Promise.all([deps.lots.look(email, 'escalation.list'), deps.lots.look(email, 'caseload.list')]);
    // Someone Lots does not know sees the same sentence a message would get.
    const unknown = t('sv', 'staff:unknownStaff');
    await bolt.client.views.publish({ token: config.botToken, user_id: event.user, view: homeView(escalations ?? unknown, caseload ?? '', deps.lots.clock.now()) as never });
  });
  bolt.action(OPEN_BOOK_MODAL, async ({ body, ack }) => {
    await ack();
    await openBookingModal(body.user.id, (body as { trigger_id: string }).trigger_id);
  });
  bolt.view(BOOK_MODAL, async ({ ack, body, view }) => {
    const request = bookingRequest(view.state.values as never);
    if ('errors' in request) return ack({ response_action: 'errors', errors: request.errors });
    await ack();
    const email = await emailOf(body.user.id);
    // The answer (booked, or the nearest free times) comes in the DM, like a typed request's.
    if (email) await deps.lots.receive({ channel: 'staff', from: email, text: request.text, externalId: `view-${view.id}-${view.hash}`, via: 'slack' }, request.understanding);
  });
  // Every other button is one of Lots' own (escalations, attendance, digests).
  bolt.action(/^(?!slack\.)/, async ({ action, body, ack }) => {
    await ack();
    const a = action as { action_id: string; value?: string; action_ts?: string };
    const email = await emailOf(body.user.id);
    // Buttons in one block need distinct ids: "meeting.attendance#1" is Lots' "meeting.attendance".
    // action_ts is the press's own time stamp: the same press delivered again is done once.
    if (email) await deps.lots.act({ channel: 'staff', from: email, actionId: a.action_id.replace(/#\d+$/, ''), value: a.value ?? '', via: 'slack', ...(a.action_ts ? { externalId: `${body.user.id}:${a.action_ts}` } : {}) });
  });
  bolt.error(async (err) => {
    deps.log.error(errorFields(err), 'slack listener failed');
  });

  return {
    async start() {
      if (socketMode) await bolt.start();
    },
    async stop() {
      if (socketMode) await bolt.stop();
    },
    async routes(app: FastifyInstance) {
      if (socketMode) return;
      // Slack signs the raw body: it is kept beside the parsed one.
      app.removeContentTypeParser(['application/json']);
      for (const type of ['application/json', 'application/x-www-form-urlencoded']) {
        app.addContentTypeParser(type, { parseAs: 'string' }, (_req, raw, done) => {
          try {
            const text = String(raw);
            const body = type === 'application/json' ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
            // Interactivity arrives as a form with one field, `payload`, holding JSON.
            done(null, { raw: text, body: typeof body.payload === 'string' ? JSON.parse(body.payload) : body });
          } catch {
            done(Object.assign(new Error('the body is not valid JSON or form data'), { statusCode: 400 }), undefined);
          }
        });
      }
      app.post('/slack/events', async (req, res) => {
        const { raw, body } = (req.body ?? {}) as { raw?: string; body?: Record<string, unknown> };
        try {
          verifySlackRequest({
            signingSecret: config.signingSecret ?? '',
            body: raw ?? '',
            headers: {
              'x-slack-signature': String(req.headers['x-slack-signature'] ?? ''),
              'x-slack-request-timestamp': Number(req.headers['x-slack-request-timestamp']),
            },
          });
        } catch {
          return res.code(401).send({ error: 'bad or old Slack signature' });
        }
        const shape = slackRequest.safeParse(body);
        if (!shape.success) return res.code(400).send({ error: `not a Slack request Lots takes: ${shape.error.issues[0]?.path.join('.') || 'body'} ${shape.error.issues[0]?.message}` });
        if (body?.type === 'url_verification') return { challenge: body.challenge };
        // A retry of an event already taken: acknowledged, and the core drops the duplicate by its id.
        let acked: unknown;
        const event: ReceiverEvent = {
          body: body ?? {},
          retryNum: req.headers['x-slack-retry-num'] ? Number(req.headers['x-slack-retry-num']) : undefined,
          ack: async (response?: unknown) => {
            acked = response;
          },
        };
        // Slack wants an answer within 3 s: a turn that takes longer is acknowledged at the deadline
        // and finishes afterwards (its own reply goes out through the outbox either way).
        const processing = receiver!.app!.processEvent(event);
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ACK_WITHIN_MS)));
        const outcome = await Promise.race([processing, deadline]).finally(() => clearTimeout(timer));
        if (outcome === 'late') processing.catch((err) => deps.log.error(errorFields(err), 'slack event failed after acknowledgement'));
        return res.code(200).send(acked ?? '');
      });
    },
    async send(m: OutboxRow) {
      const channel = await userIdOf(m.recipient);
      const blocks = slackBlocks(m);
      await bolt.client.chat.postMessage({ token: config.botToken, channel, text: m.text, ...(blocks ? { blocks: blocks as never } : {}) });
    },
  };
}

/** A message as Block Kit: its layout (or its text) with its buttons below; none for plain text. */
export function slackBlocks(m: Pick<OutboxRow, 'text' | 'rich' | 'buttons'>): unknown[] | undefined {
  const layout = (m.rich?.slack as { blocks?: unknown[] } | undefined)?.blocks;
  const buttons = m.buttons?.length ? [actionsBlock(m.buttons)] : [];
  if (layout) return [...layout, ...buttons];
  return buttons.length ? [textBlock(m.text), ...buttons] : undefined;
}

function textBlock(text: string) {
  return { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(text).slice(0, 3000) } };
}

/** Lots' buttons as one actions block (ids made distinct: "meeting.attendance#1"). */
function actionsBlock(buttons: Button[]) {
  return {
    type: 'actions',
    elements: buttons.slice(0, 25).map((b, i) => ({ type: 'button', text: { type: 'plain_text', text: b.label }, action_id: `${b.actionId}#${i}`, ...(b.value ? { value: b.value } : {}) })),
  };
}

/**
 * Bolt's and Socket Mode's logs through pino, at debug only: their messages can quote a request
 * (names, text), so nothing of theirs reaches the info-level log.
 */
function boltLogger(log: Logger) {
  const quiet = log.child({ part: 'slack' });
  let level = LogLevel.INFO;
  const say = () => quiet.debug('slack library log line (kept out: it may quote a request)');
  return {
    debug: say,
    info: say,
    warn: say,
    error: () => quiet.warn('slack library reported an error'),
    setLevel: (l: LogLevel) => void (level = l),
    getLevel: () => level,
    setName: () => {},
  };
}
