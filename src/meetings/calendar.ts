// The working calendar in Europe/Stockholm: working days (no weekends, no Swedish public
// holidays or the eves everyone takes off), working hours, quiet hours, and free times.
import Holidays from 'date-holidays';
import { DateTime } from 'luxon';
import { TIME_ZONE } from '../model/index.js';
import type { MeetingSettings } from './settings.js';
import { atClock, minutesOf } from '../outbox/quiet-hours.js';

const swedish = new Holidays('SE');
const closedDays = new Map<number, Map<string, string>>();

/** Public holidays and the eves offices close (julafton, midsommarafton, nyårsafton), by date. */
function holidaysOf(year: number): Map<string, string> {
  let days = closedDays.get(year);
  if (!days) {
    days = new Map();
    for (const h of swedish.getHolidays(year)) if (h.type === 'public' || h.type === 'bank') days.set(h.date.slice(0, 10), h.name);
    closedDays.set(year, days);
  }
  return days;
}

export const local = (at: Date) => DateTime.fromJSDate(at, { zone: TIME_ZONE });


/** The holiday's Swedish name when the day is one, else null. */
export function holidayOn(day: DateTime): string | null {
  return holidaysOf(day.year).get(day.toISODate()!) ?? null;
}

export function isWorkingDay(day: DateTime): boolean {
  return day.weekday <= 5 && !holidayOn(day);
}

export type Unbookable = 'past' | 'weekend' | 'holiday' | 'outsideHours';

/** Why a meeting cannot be at this time (leaving other people's calendars aside), or null. */
export function unbookable(start: Date, minutes: number, now: Date, settings: MeetingSettings): Unbookable | null {
  if (start.getTime() <= now.getTime()) return 'past';
  const d = local(start);
  if (d.weekday > 5) return 'weekend';
  if (holidayOn(d)) return 'holiday';
  const from = d.hour * 60 + d.minute;
  const end = local(new Date(start.getTime() + minutes * 60_000));
  const sameDay = end.hasSame(d, 'day');
  if (from < minutesOf(settings.workingHours.start) || !sameDay || end.hour * 60 + end.minute > minutesOf(settings.workingHours.end)) return 'outsideHours';
  return null;
}

// Quiet hours live with the outbox (it holds SMS sent in them); meetings plan around them too.
export { beforeQuietHours, inQuietHours, leavesAt, quietUntil } from '../outbox/quiet-hours.js';

export interface Busy {
  start: Date;
  end: Date;
}

export const overlaps = (a: Busy, b: Busy) => a.start < b.end && b.start < a.end;

/** A day away counts like this many minutes on the same day: the same hour tomorrow beats 08:00 tomorrow. */
const DAY_AWAY_MINUTES = 240;

/**
 * The free times nearest to the one asked for: on a half-hour grid, on working days within
 * working hours, not in the past and overlapping nothing busy. Nearest first, where nearness is
 * the time of day plus a penalty per day away; later wins a tie (the time after the one asked
 * for is usually the better offer).
 */
export function nearestFree(asked: Date, minutes: number, busy: Busy[], now: Date, settings: MeetingSettings, count = 3, days = 14): Date[] {
  const candidates: Date[] = [];
  const first = local(asked).startOf('day').minus({ days });
  for (let d = 0; d <= days * 2; d++) {
    const day = first.plus({ days: d });
    if (!isWorkingDay(day)) continue;
    for (let m = minutesOf(settings.workingHours.start); m + minutes <= minutesOf(settings.workingHours.end); m += 30) {
      const start = atClock(day, m).toJSDate();
      if (unbookable(start, minutes, now, settings)) continue;
      const slot = { start, end: new Date(start.getTime() + minutes * 60_000) };
      if (!busy.some((b) => overlaps(slot, b))) candidates.push(start);
    }
  }
  const wanted = local(asked);
  const distance = (d: Date) => {
    const l = local(d);
    const days = Math.abs(l.startOf('day').diff(wanted.startOf('day'), 'days').days);
    return Math.round(days) * DAY_AWAY_MINUTES + Math.abs(l.hour * 60 + l.minute - (wanted.hour * 60 + wanted.minute));
  };
  return candidates.sort((a, b) => distance(a) - distance(b) || b.getTime() - a.getTime()).slice(0, count);
}
