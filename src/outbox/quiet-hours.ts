// Quiet hours (a programme's own, by default 21:00–08:00 in Stockholm): no SMS but replies and
// crisis messages go out in them. Reminders are planned around them; anything else written then
// waits for the morning.
import { DateTime } from 'luxon';
import { TIME_ZONE, type OutboundMessage } from '../model/index.js';
import type { Db } from '../store/db.js';
import { participantsMeetingSettings } from '../meetings/settings.js';

export interface QuietHours {
  quietHours: { start: string; end: string };
}

export const DEFAULT_QUIET_HOURS: QuietHours = { quietHours: { start: '21:00', end: '08:00' } };

/** "08:30" → 510 minutes after midnight. */
export const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));

/** That day at a wall-clock time (minutes after midnight). Not midnight plus minutes: a DST day is 23 or 25 hours long. */
export const atClock = (day: DateTime, minutes: number) => day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 });

export function inQuietHours(at: DateTime, settings: QuietHours): boolean {
  const m = at.hour * 60 + at.minute;
  const start = minutesOf(settings.quietHours.start);
  const end = minutesOf(settings.quietHours.end);
  return start > end ? m >= start || m < end : m >= start && m < end;
}

/**
 * Where a send that would fall in quiet hours goes instead: earlier, an hour before quiet hours
 * begin that evening (the evening before when it fell in the small hours).
 */
export function beforeQuietHours(at: DateTime, settings: QuietHours): DateTime {
  const start = minutesOf(settings.quietHours.start);
  const evening = at.hour * 60 + at.minute >= start ? at : at.minus({ days: 1 });
  return atClock(evening, start - 60);
}

/** When quiet hours end next (the morning after `at`, or that same morning). */
export function afterQuietHours(at: DateTime, settings: QuietHours): DateTime {
  const end = minutesOf(settings.quietHours.end);
  const morning = at.hour * 60 + at.minute >= end ? at.plus({ days: 1 }) : at;
  return atClock(morning, end);
}

/** Whether a message may wait for quiet hours to end: SMS but replies, crisis messages and an opt-out's confirmation (they answer the person now). */
const mayWait = (purpose: string, channel: string) => channel === 'sms' && purpose !== 'reply' && purpose !== 'crisis' && purpose !== 'optout-confirmation';

/** When the quiet hours `now` falls in end, or null when it falls outside them. */
export function quietUntil(now: Date, hours: QuietHours): Date | null {
  const local = DateTime.fromJSDate(now, { zone: TIME_ZONE });
  return inQuietHours(local, hours) ? afterQuietHours(local, hours).toJSDate() : null;
}

/** When an SMS written now may go out, by the quiet hours of the recipient's programme: at once (null), or when they end. */
export const holdUntil = (purpose: string, channel: string, now: Date, hours: QuietHours): Date | null =>
  mayWait(purpose, channel) ? quietUntil(now, hours) : null;

/**
 * When a notification or reminder SMS written now reaches the participant (the outbox holds it over
 * the quiet hours of her programme): "i dag"/"i morgon" in it are reckoned from then.
 */
export const leavesAt = (now: Date, hours: QuietHours): Date => holdUntil('notification', 'sms', now, hours) ?? now;

/** A message as far as quiet hours go: an outbound message, or an outbox row being tried again. */
type Waiting = Pick<OutboundMessage, 'purpose' | 'channel'> & { participantId?: string | null };

/**
 * The quiet hours each message waits by, where one may wait: its participant's programme's (one
 * query for a batch), the default for an SMS to no known participant.
 */
export async function quietHoursOf(db: Db, messages: Waiting[]): Promise<(m: Waiting) => QuietHours> {
  const ids = [...new Set(messages.filter((m) => mayWait(m.purpose, m.channel) && m.participantId).map((m) => m.participantId!))];
  const settings = ids.length ? await participantsMeetingSettings(db, ids) : new Map<string, QuietHours>();
  return (m) => (m.participantId && settings.get(m.participantId)) || DEFAULT_QUIET_HOURS;
}
