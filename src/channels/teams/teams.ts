// Microsoft Teams, through botbuilder's CloudAdapter. Bot Framework posts activities to
// /api/messages with a JWT the adapter checks against Microsoft's published keys; Lots answers
// through the outbox, which sends proactively to the staff member's personal chat from a stored
// conversation reference (so reminders and escalations reach them after a restart). Staff are known
// by their AAD email. Everything Teams-specific lives in this folder, so moving to the Microsoft 365
// Agents SDK (botbuilder's successor, near-identical API) stays a small change.
import {
  ActivityTypes,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  ConfigurationServiceClientCredentialFactory,
  TeamsInfo,
  TurnContext,
  type Activity,
  type ConversationReference,
} from 'botbuilder';
import { AuthenticationConstants, AuthenticationError, type ClaimsIdentity, type ConnectorFactory, type ServiceClientCredentialsFactory } from 'botframework-connector';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Lots } from '../../core/lots.js';
import type { Db } from '../../store/db.js';
import { STAFF_SEND_WAIT_MS, type OutboxRow } from '../../outbox/outbox.js';
import { t } from '../../i18n/index.js';
import { toActivity, type CardData } from './cards.js';

export interface TeamsConfig {
  appId?: string;
  appPassword?: string;
  appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
  tenantId?: string;
  /** Where Bot Framework publishes the keys it signs with (tests: a local fake with its own keys). */
  openIdMetadataUrl?: string;
}

/** What stands at the network's edge besides Bot Framework itself; tests replace it. */
export interface TeamsEdge {
  /** Gets tokens from Microsoft's login server for calls to Bot Framework. */
  credentials?: ServiceClientCredentialsFactory;
  /** Waits between retries (tests: no waiting, only a record of the waits). */
  sleep?: (ms: number) => Promise<void>;
}

/** A staff member writing in Teams, and where Lots has kept their personal chat (if it has). */
interface Writer {
  email: string;
  chatId: string | null;
  serviceUrl: string | null;
}

export interface TeamsChannel {
  routes(app: FastifyInstance): Promise<void>;
  /**
   * Sends a staff message to its recipient's personal chat with Lots; false when there is none yet
   * (they have neither installed the app nor written to Lots).
   */
  send(m: OutboxRow): Promise<boolean>;
}

/** Bot Framework's answers worth another try: throttled, precondition raced, gateway trouble. */
const RETRYABLE = new Set([412, 429, 502, 504]);
/** Waits before each retry; each is jittered to half or one and a half of it (all three fit in STAFF_SEND_WAIT_MS). */
const RETRY_WAITS_MS = [1000, 2000, 3000];

// What a request must carry before the adapter looks at it; the rest of the activity passes through.
const activitySchema = z.looseObject({
  type: z.string().min(1),
  id: z.string().optional(),
  channelId: z.string().min(1),
  serviceUrl: z.string().url(),
  from: z.looseObject({ id: z.string().min(1), aadObjectId: z.string().optional() }),
  recipient: z.looseObject({ id: z.string().min(1) }),
  conversation: z.looseObject({ id: z.string().min(1), conversationType: z.string().optional(), tenantId: z.string().optional() }),
  text: z.string().max(10_000).optional(),
});

const cardData = z.object({ actionId: z.string().min(1).max(100), value: z.string().max(500) });

/**
 * Bot Framework's clients, without their own retry policy: Lots retries (below) with its waits, which
 * tests can see and replace, and a failed send is not tried sixteen times by two layers.
 */
class LotsAuthentication extends ConfigurationBotFrameworkAuthentication {
  override createConnectorFactory(claims: ClaimsIdentity): ConnectorFactory {
    const inner = super.createConnectorFactory(claims);
    return {
      async create(serviceUrl: string, audience?: string) {
        const client = await inner.create(serviceUrl, audience);
        (client as unknown as { client?: { pipeline?: { removePolicy(o: { phase: string }): void } } }).client?.pipeline?.removePolicy({ phase: 'Retry' });
        return client;
      },
    };
  }
}

/** The adapter, answering with the invoke response instead of writing to an Express-style response. */
class LotsAdapter extends CloudAdapter {
  handle(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(authHeader, activity, logic);
  }
}

export function teams(config: TeamsConfig, deps: { lots: Lots; db: Db }, edge: TeamsEdge = {}): TeamsChannel {
  const { lots, db } = deps;
  const appId = config.appId ?? '';
  const settings = {
    MicrosoftAppId: appId,
    MicrosoftAppPassword: config.appPassword,
    MicrosoftAppType: config.appType,
    MicrosoftAppTenantId: config.tenantId,
  };
  const credentials = edge.credentials ?? new ConfigurationServiceClientCredentialFactory(settings);
  // Set one endpoint and botbuilder wants them all: the public cloud's, but keys fetched from the given place.
  const endpoints = config.openIdMetadataUrl
    ? {
        ValidateAuthority: true,
        ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
        ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
        ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
        OAuthUrl: AuthenticationConstants.OAuthUrl,
        ToBotFromChannelOpenIdMetadataUrl: config.openIdMetadataUrl,
        ToBotFromEmulatorOpenIdMetadataUrl: config.openIdMetadataUrl,
        CallerId: 'urn:botframework:azure',
      }
    : {};
  const adapter = new LotsAdapter(new LotsAuthentication({ ...settings, ...endpoints }, credentials));
  const sleep = edge.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

  async function withRetries(call: () => Promise<void>): Promise<void> {
    let waited = 0;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const e = err as { statusCode?: number; response?: { headers?: { get?(name: string): string | undefined } } };
        if (!RETRYABLE.has(e.statusCode ?? 0) || attempt >= RETRY_WAITS_MS.length) throw err;
        // Retry-After (seconds) is honoured when Teams says it. The request that caused the send waits
        // for these tries, so waits beyond STAFF_SEND_WAIT_MS in all are left to the outbox's next try.
        const retryAfter = Number(e.response?.headers?.get?.('retry-after') ?? NaN);
        const wait = retryAfter >= 0 ? retryAfter * 1000 : RETRY_WAITS_MS[attempt]! * (0.5 + Math.random());
        if (waited + wait > STAFF_SEND_WAIT_MS) throw err;
        waited += wait;
        await sleep(wait);
      }
    }
  }

  async function remember(email: string, aadObjectId: string, reference: Partial<ConversationReference>) {
    await db.transaction(async (tx) => {
      // A person whose email changed in AAD keeps one row, under the new email.
      await tx.query(`delete from teams_conversation where aad_object_id = $1 and email <> $2`, [aadObjectId, email]);
      await tx.query(
        `insert into teams_conversation (email, aad_object_id, reference, updated_at) values ($1, $2, $3, $4)
         on conflict (email) do update set aad_object_id = excluded.aad_object_id, reference = excluded.reference, updated_at = excluded.updated_at`,
        [email, aadObjectId, JSON.stringify(reference), lots.clock.now()],
      );
    });
  }

  /**
   * Who wrote: their email and where Lots last kept their personal chat, from Lots' own record
   * (one query), else their email asked of Teams (their AAD profile).
   */
  async function writerOf(ctx: TurnContext): Promise<Writer | null> {
    const aad = ctx.activity.from.aadObjectId;
    if (aad) {
      const [known] = await db.query<Writer>(
        `select email, reference->'conversation'->>'id' as "chatId", reference->>'serviceUrl' as "serviceUrl" from teams_conversation where aad_object_id = $1`,
        [aad],
      );
      if (known) return known;
    }
    const member = await TeamsInfo.getMember(ctx, ctx.activity.from.id);
    const email = (member.email ?? member.userPrincipalName)?.toLowerCase();
    return email ? { email, chatId: null, serviceUrl: null } : null;
  }

  /**
   * Keeps the personal chat's reference (written only when it is new or moved); a writer met in a
   * channel without a personal chat with Lots gets one opened.
   */
  async function keepPersonalChat(ctx: TurnContext, writer: Writer): Promise<void> {
    const a = ctx.activity;
    const aad = a.from.aadObjectId ?? a.from.id;
    if (a.conversation.conversationType === 'personal') {
      if (writer.chatId === a.conversation.id && writer.serviceUrl === a.serviceUrl) return;
      return remember(writer.email, aad, TurnContext.getConversationReference(a));
    }
    if (writer.chatId) return;
    const tenantId = a.conversation.tenantId ?? (a.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id;
    await withRetries(() =>
      adapter.createConversationAsync(
        appId,
        a.channelId,
        a.serviceUrl,
        AuthenticationConstants.ToChannelFromBotOAuthScope,
        { isGroup: false, bot: a.recipient, members: [a.from], tenantId, channelData: { tenant: { id: tenantId } }, activity: undefined as never },
        async (opened) => remember(writer.email, aad, TurnContext.getConversationReference(opened.activity)),
      ),
    );
  }

  async function answerInvoke(ctx: TurnContext, status: number, text: string) {
    await ctx.sendActivity({
      type: ActivityTypes.InvokeResponse,
      value: { status, body: { statusCode: status, type: 'application/vnd.microsoft.activity.message', value: text } },
    });
  }

  async function press(email: string, data: CardData, activityId: string | undefined): Promise<boolean> {
    const done = await lots.act({ channel: 'staff', from: email, actionId: data.actionId, value: data.value, via: 'teams', externalId: activityId });
    return done.ok;
  }

  async function onTurn(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const installed = a.type === ActivityTypes.InstallationUpdate || (a.type === ActivityTypes.ConversationUpdate && a.membersAdded?.some((m) => m.id === a.recipient.id));
    if (installed) {
      // Installed (by the person or for them by an admin): from now on Lots can reach them.
      if (a.conversation.conversationType !== 'personal' || (a.action && a.action !== 'add')) return;
      const writer = await writerOf(ctx);
      if (writer) await keepPersonalChat(ctx, writer);
      return;
    }
    if (a.type === ActivityTypes.Invoke && a.name === 'adaptiveCard/action') {
      const data = cardData.safeParse((a.value as { action?: { data?: unknown } } | undefined)?.action?.data);
      const writer = await writerOf(ctx);
      if (!data.success || !writer) return answerInvoke(ctx, 400, t('sv', 'staff:teams.actionRefused'));
      const ok = await press(writer.email, data.data, a.id);
      return answerInvoke(ctx, 200, t('sv', ok ? 'staff:teams.actionTaken' : 'staff:teams.actionRefused'));
    }
    // Any other invoke (a search, a sign-in, a name Lots has never heard of) is not something Lots
    // offers: answered 400 with a reason, not botbuilder's default 501 (found by fuzzing).
    if (a.type === ActivityTypes.Invoke) return answerInvoke(ctx, 400, t('sv', 'staff:teams.invokeUnsupported'));
    if (a.type !== ActivityTypes.Message) return;
    const writer = await writerOf(ctx);
    if (!writer) {
      await ctx.sendActivity({ type: 'message', text: t('sv', 'staff:teams.noEmail'), textFormat: 'plain' });
      return;
    }
    await keepPersonalChat(ctx, writer);
    const email = writer.email;
    // A pressed Action.Submit (clients without universal actions) arrives as a message with the button's data.
    const submitted = cardData.safeParse(a.value);
    if (submitted.success) {
      await press(email, submitted.data, a.id);
      return;
    }
    const text = (a.conversation.conversationType === 'personal' ? a.text : TurnContext.removeRecipientMention(a)) ?? '';
    const received = await lots.receive({ channel: 'staff', from: email, text: text.trim(), externalId: a.id, via: 'teams' });
    // Answers name participants: they go to the personal chat, never into a channel.
    if (!received.duplicate && a.conversation.conversationType !== 'personal') {
      await ctx.sendActivity({ type: 'message', text: t('sv', 'staff:teams.answeredPrivately'), textFormat: 'plain', replyToId: a.id });
    }
  }

  return {
    async routes(app: FastifyInstance) {
      app.post('/api/messages', async (req, res) => {
        // Without an app id botbuilder would let anyone in (the emulator's mode): refuse instead.
        if (!appId) return res.code(401).send({ error: 'Teams is not configured' });
        const activity = activitySchema.safeParse(req.body);
        if (!activity.success) return res.code(400).send({ error: `not a Bot Framework activity: ${activity.error.issues[0]?.path.join('.')} ${activity.error.issues[0]?.message}` });
        try {
          const invoke = await adapter.handle(String(req.headers.authorization ?? ''), activity.data as unknown as Activity, onTurn);
          return res.code(invoke?.status ?? 200).send(invoke?.body ?? '');
        } catch (err) {
          if (err instanceof AuthenticationError || (err as Error).name === 'JsonWebTokenError' || (err as Error).name === 'TokenExpiredError') {
            return res.code(401).send({ error: 'no valid Bot Framework token' });
          }
          throw err;
        }
      });
    },
    async send(m: OutboxRow) {
      const [row] = await db.query<{ reference: Partial<ConversationReference> }>(`select reference from teams_conversation where email = $1`, [m.recipient]);
      if (!row) return false;
      const activity = toActivity(m);
      await withRetries(() =>
        adapter.continueConversationAsync(appId, row.reference, async (ctx) => {
          await ctx.sendActivity(activity);
        }),
      );
      return true;
    },
  };
}
