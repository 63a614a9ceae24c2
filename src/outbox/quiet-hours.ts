// Quiet hours (default 21:00–08:00 in Stockholm): no SMS but replies and crisis messages goes
// out in them. Reminders are planned around them; anything else written then waits for morning.
import { DateTime } from 'luxon';
import { TIME_ZONE } from '../model/index.js';

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

/** When an SMS written now may go out: at once, or when quiet hours end. Replies and crisis messages never wait. */
export function holdUntil(purpose: string, channel: string, now: Date): Date | null {
  if (channel !== 'sms' || purpose === 'reply' || purpose === 'crisis' || purpose === 'optout-confirmation') return null;
  const local = DateTime.fromJSDate(now, { zone: TIME_ZONE });
  return inQuietHours(local, DEFAULT_QUIET_HOURS) ? afterQuietHours(local, DEFAULT_QUIET_HOURS).toJSDate() : null;
}

/**
 * When a notification or reminder SMS written now reaches the participant (the outbox holds it over
 * quiet hours, whatever a programme's own): "i dag"/"i morgon" in it are reckoned from then.
 */
export const leavesAt = (now: Date): Date => holdUntil('notification', 'sms', now) ?? now;
