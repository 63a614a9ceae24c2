// Dates and times as a reader expects them, in Europe/Stockholm.
import { DateTime } from 'luxon';
import { TIME_ZONE } from '../model/index.js';
import { t } from './index.js';

/** Each language's own words for days and months; the Gregorian calendar and Latin digits for all (phone numbers and times are written so too). */
const LOCALE: Record<string, string> = { sv: 'sv', en: 'en-GB', ar: 'ar', fa: 'fa', so: 'so', ti: 'ti' };

/**
 * "tisdag 1 december kl 10.00" / "Tuesday 1 December at 10:00", in the reader's language. Given the
 * moment the text is sent (`now`), a time today or tomorrow is said so ("i dag kl 10.00", "i morgon
 * tisdag kl 10.00"): an SMS is read when it comes. Texts that may be read days later (staff
 * notices, digests) leave `now` out.
 */
export function formatWhen(at: Date, lng: string, now?: Date): string {
  const zone = { zone: TIME_ZONE };
  const d = DateTime.fromJSDate(at, zone).reconfigure({ locale: LOCALE[lng] ?? 'sv', outputCalendar: 'gregory', numberingSystem: 'latn' });
  const words = { weekday: d.toFormat('cccc'), date: d.toFormat('d LLLL'), time: d.toFormat(lng === 'sv' || !LOCALE[lng] ? 'HH.mm' : 'HH:mm') };
  const days = now ? d.startOf('day').diff(DateTime.fromJSDate(now, zone).startOf('day'), 'days').days : undefined;
  return t(lng, days === 0 ? 'common:whenToday' : days === 1 ? 'common:whenTomorrow' : 'common:when', words);
}

/** Office hours: weekdays 08:00–17:00 in Stockholm (public holidays are added by the calendar). */
export function inOfficeHours(at: Date): boolean {
  const d = DateTime.fromJSDate(at, { zone: TIME_ZONE });
  return d.weekday <= 5 && d.hour >= 8 && d.hour < 17;
}

/** The next moment office hours begin (or `at` itself when inside them). */
export function nextOfficeOpening(at: Date): Date {
  let d = DateTime.fromJSDate(at, { zone: TIME_ZONE });
  if (inOfficeHours(at)) return at;
  if (d.hour >= 17) d = d.plus({ days: 1 });
  d = d.set({ hour: 8, minute: 0, second: 0, millisecond: 0 });
  while (d.weekday > 5) d = d.plus({ days: 1 });
  return d.toJSDate();
}
