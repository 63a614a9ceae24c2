// Dates and times as a reader expects them, in Europe/Stockholm.
import { DateTime } from 'luxon';
import { TIME_ZONE } from '../model/index.js';
import { t } from './index.js';

/** "tisdag 1 december kl 10.00" / "Tuesday 1 December at 10:00". */
export function formatWhen(at: Date, lng: string): string {
  const d = DateTime.fromJSDate(at, { zone: TIME_ZONE }).setLocale(lng === 'en' ? 'en-GB' : 'sv');
  return t(lng === 'en' ? 'en' : 'sv', 'common:when', { weekday: d.toFormat('cccc'), date: d.toFormat('d LLLL'), time: d.toFormat(lng === 'en' ? 'HH:mm' : 'HH.mm') });
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
