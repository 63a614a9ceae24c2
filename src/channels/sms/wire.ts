// The providers' inbound webhook requests, exactly as 46elks and Twilio send them (form fields,
// basic auth or signature). One definition serves the contract table (test/channels-sms.test.ts)
// and the benchmark, so what is measured is what is tested.
import { twilioSignature } from './twilio.js';

export interface WireSecrets {
  elksWebhookSecret: string;
  twilioAuthToken: string;
  twilioAccountSid: string;
  /** LOTS_PUBLIC_URL: Twilio signs the address it calls. */
  publicUrl: string;
}

export interface WireRequest {
  method: 'POST';
  url: string;
  payload: string;
  headers: Record<string, string>;
}

const LOTS_NUMBER = '+46766861234';
const form = (fields: Record<string, string | undefined>) => Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));
const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (password: string) => `Basic ${Buffer.from(`lots:${password}`).toString('base64')}`;

/** An SMS to Lots as the provider posts it; `forged` signs it with the wrong secret. */
export function inboundSms(provider: '46elks' | 'twilio', s: WireSecrets, m: { from?: string; text?: string; id?: string }, forged = false): WireRequest {
  if (provider === '46elks') {
    return {
      method: 'POST',
      url: '/webhooks/sms/46elks',
      payload: new URLSearchParams(form({ id: m.id, from: m.from, to: LOTS_NUMBER, message: m.text })).toString(),
      headers: { ...formHeaders, authorization: basic(forged ? `not-${s.elksWebhookSecret}` : s.elksWebhookSecret) },
    };
  }
  const fields = form({ MessageSid: m.id, AccountSid: s.twilioAccountSid, From: m.from, To: LOTS_NUMBER, Body: m.text });
  const signature = twilioSignature(forged ? `not-${s.twilioAuthToken}` : s.twilioAuthToken, `${s.publicUrl}/webhooks/sms/twilio`, fields);
  return { method: 'POST', url: '/webhooks/sms/twilio', payload: new URLSearchParams(fields).toString(), headers: { ...formHeaders, 'x-twilio-signature': signature } };
}

/** A delivery report as the provider posts it. */
export function deliveryReport(provider: '46elks' | 'twilio', s: WireSecrets, providerId: string, state: 'sent' | 'delivered' | 'failed'): WireRequest {
  return providerReport(provider, s, providerId, provider === 'twilio' && state === 'failed' ? 'undelivered' : state);
}

/** A delivery report with the provider's own word for the state (one Lots may not know). */
export function providerReport(provider: '46elks' | 'twilio', s: WireSecrets, providerId: string, providerState: string): WireRequest {
  if (provider === '46elks') {
    return { method: 'POST', url: '/webhooks/sms/46elks/status', payload: new URLSearchParams({ id: providerId, status: providerState }).toString(), headers: { ...formHeaders, authorization: basic(s.elksWebhookSecret) } };
  }
  const fields = form({ MessageSid: providerId, MessageStatus: providerState, ErrorCode: providerState === 'undelivered' ? '30003' : undefined });
  return {
    method: 'POST',
    url: '/webhooks/sms/twilio/status',
    payload: new URLSearchParams(fields).toString(),
    headers: { ...formHeaders, 'x-twilio-signature': twilioSignature(s.twilioAuthToken, `${s.publicUrl}/webhooks/sms/twilio/status`, fields) },
  };
}
