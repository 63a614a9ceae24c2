// Bot Framework faked at the network's edge, in its own formats: the OpenID metadata and signing
// keys its tokens are checked against, tokens signed with those keys (as Teams sends them), and
// the Connector API a bot calls back (members, conversations, activities). Microsoft's login
// server is replaced by a credentials factory handing out a fixed token, which the fake checks.
import crypto from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { ServiceClientCredentialsFactory, TokenCredentials } from 'botframework-connector';

export const APP_ID = '6f0b3c5e-2a41-4d8e-9c77-1b2a3c4d5e6f';
export const TENANT = 'b1d2c3e4-0000-4000-8000-000000000001';
const ISSUER = 'https://api.botframework.com';
const OUTBOUND_TOKEN = 'token-from-microsoft-login';

/** Tokens for Lots' calls to Bot Framework, as Microsoft's login server would hand them out. */
export class FixedTokenCredentials extends ServiceClientCredentialsFactory {
  async isValidAppId(appId: string) {
    return appId === APP_ID;
  }
  async isAuthenticationDisabled() {
    return false;
  }
  async createCredentials() {
    return new TokenCredentials(OUTBOUND_TOKEN);
  }
}

export interface Posted {
  conversation: string;
  replyTo?: string;
  activity: any;
}

export interface TeamsUser {
  id: string;
  aadObjectId: string;
  email?: string;
  name: string;
}

export interface BotFramework {
  url: string;
  openIdUrl: string;
  posted: Posted[];
  created: any[];
  /** Answers the next calls to post an activity with these statuses (then 201 again). */
  failNext(...statuses: number[]): void;
  /** The Retry-After (seconds) a 429 answers with. */
  retryAfter: number;
  /** A Bot Framework token for an activity coming from this service URL. */
  token(options?: { serviceUrl?: string; audience?: string; key?: 'real' | 'other'; expiresIn?: number }): string;
  close(): Promise<void>;
}

const b64url = (x: Buffer | string) => Buffer.from(x).toString('base64url');

export async function botFramework(users: TeamsUser[]): Promise<BotFramework> {
  const { publicKey, privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  const fake: FastifyInstance = Fastify();
  const posted: Posted[] = [];
  const created: any[] = [];
  const failures: number[] = [];
  let url = '';

  fake.get('/v1/.well-known/openidconfiguration', async () => ({ issuer: ISSUER, jwks_uri: `${url}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
  fake.get('/v1/keys', async () => ({ keys: [{ kty: 'RSA', use: 'sig', kid: 'k1', n: jwk.n, e: jwk.e, endorsements: ['msteams'] }] }));
  // The Connector API refuses calls without the token Lots got from the login server.
  fake.addHook('onRequest', async (req, res) => {
    if (req.url.startsWith('/v3/') && req.headers.authorization !== `Bearer ${OUTBOUND_TOKEN}`) return res.code(401).send({ error: { code: 'Unauthorized' } });
  });
  fake.get('/v3/conversations/:conversation/members/:member', async (req, res) => {
    const u = users.find((x) => x.id === (req.params as { member: string }).member);
    if (!u) return res.code(404).send({ error: { code: 'MemberNotFoundInConversation' } });
    return { id: u.id, name: u.name, aadObjectId: u.aadObjectId, email: u.email, userPrincipalName: u.email, tenantId: TENANT, userRole: 'user' };
  });
  fake.post('/v3/conversations', async (req) => {
    created.push(req.body);
    return { id: `a:personal-${created.length}`, serviceUrl: url, activityId: undefined };
  });
  const post = async (req: any, res: any) => {
    const status = failures.shift();
    if (status) {
      if (status === 429) res.header('retry-after', String(api.retryAfter));
      return res.code(status).send({ error: { code: status === 429 ? 'Throttled' : 'ServiceError' } });
    }
    const p = req.params as { conversation: string; activity?: string };
    posted.push({ conversation: decodeURIComponent(p.conversation), replyTo: p.activity, activity: req.body });
    return res.code(201).send({ id: `act-${posted.length}` });
  };
  fake.post('/v3/conversations/:conversation/activities', post);
  fake.post('/v3/conversations/:conversation/activities/:activity', post);
  url = await fake.listen({ port: 0, host: '127.0.0.1' });

  const api: BotFramework = {
    url,
    retryAfter: 2,
    openIdUrl: `${url}/v1/.well-known/openidconfiguration`,
    posted,
    created,
    failNext: (...statuses) => failures.push(...statuses),
    token({ serviceUrl = url, audience = APP_ID, key = 'real', expiresIn = 3600 } = {}) {
      const now = Math.floor(Date.now() / 1000);
      const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'k1' }));
      const body = b64url(JSON.stringify({ iss: ISSUER, aud: audience, serviceurl: serviceUrl, nbf: now - 60, iat: now - 60, exp: now + expiresIn }));
      const signature = crypto.sign('RSA-SHA256', Buffer.from(`${head}.${body}`), key === 'real' ? privateKey : other.privateKey);
      return `${head}.${body}.${b64url(signature)}`;
    },
    close: () => fake.close(),
  };
  return api;
}

/** An activity as Teams posts it: a personal chat unless a channel conversation is given. */
export function activity(bf: BotFramework, from: TeamsUser, fields: Record<string, unknown>): any {
  return {
    type: 'message',
    id: crypto.randomUUID(),
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: bf.url,
    from: { id: from.id, name: from.name, aadObjectId: from.aadObjectId },
    recipient: { id: `28:${APP_ID}`, name: 'Lots' },
    conversation: { id: `a:personal-${from.id}`, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    locale: 'sv-SE',
    ...fields,
  };
}
