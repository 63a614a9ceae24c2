// The plain types every floor of Lots speaks. Nothing here imports anything of Lots.

export type Channel = 'sms' | 'staff';
export type Role = 'participant' | 'staff';
export type StaffRole = 'coach' | 'teamlead' | 'admin';
export type Agency = 'fk' | 'af' | 'soc' | 'vc' | 'psyk' | 'coach';
export const AGENCIES: readonly Agency[] = ['fk', 'af', 'soc', 'vc', 'psyk', 'coach'];
export type Gender = 'kvinna' | 'man' | 'annat';

/** A message as it arrives from any channel, already reduced to what the core needs. */
export interface InboundMessage {
  channel: Channel;
  /** E.164 phone number for SMS, e-mail address for staff channels. */
  from: string;
  text: string;
  /** The provider's id for the message, used to drop retried deliveries. */
  externalId?: string;
  /** Which staff channel it came through (slack, teams, simulator); informational. */
  via?: string;
}

export interface Button {
  actionId: string;
  value: string;
  label: string;
}

/** A file sent with a staff message (a calendar invite). */
export interface Attachment {
  filename: string;
  contentType: string;
  /** The file's text, or its bytes in base64 when `encoding` says so (a picture). */
  content: string;
  encoding?: 'base64';
}

/** A message Lots wants to send. It is written to the outbox before anything is sent. */
export interface OutboundMessage {
  channel: Channel;
  /** E.164 phone number for SMS, e-mail address for staff. */
  to: string;
  text: string;
  /** Why it is sent: replies go before bulk, and an opt-out confirmation may pass an opt-out. */
  purpose: 'reply' | 'optout-confirmation' | 'crisis' | 'notification' | 'reminder' | 'checkin' | 'digest';
  buttons?: Button[];
  attachments?: Attachment[];
  /** The same message laid out for channels that can show more than text (Slack blocks, a Teams card). */
  rich?: { slack?: unknown; teams?: unknown };
  /** Participant the message concerns, for suppression rules (opt-out); never sent anywhere. */
  participantId?: string;
}

/** Lots' own clock. Never call `new Date()` in the domain: take it from here. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * A clock that can be set and moved. A still one (the simulator, tests) stands between moves, so
 * what it shows is repeatable; a running one (a real server) goes on with real time from where it
 * was last set.
 */
export class SettableClock implements Clock {
  private base: number;
  private setAt = Date.now();
  constructor(start: Date = new Date(), private readonly running = false) {
    this.base = start.getTime();
  }
  now(): Date {
    return new Date(this.base + (this.running ? Date.now() - this.setAt : 0));
  }
  set(to: Date): void {
    this.base = to.getTime();
    this.setAt = Date.now();
  }
  advance(ms: number): void {
    this.set(new Date(this.now().getTime() + ms));
  }
}

export const TIME_ZONE = 'Europe/Stockholm';
