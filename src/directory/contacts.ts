// The contact directory: a participant's contacts at the agencies, and how they are told.
import { DateTime } from 'luxon';
import type { Db } from '../store/db.js';
import { AGENCIES, TIME_ZONE, type Agency } from '../model/index.js';
import { t } from '../i18n/index.js';
import { formatPhone } from '../util/phone.js';

export interface Contact {
  agency: Agency;
  role: string;
  personName: string | null;
  phone: string | null;
  hours: string | null;
  fallbackPhone: string | null;
  fallbackHours: string | null;
  lastVerified: string | null;
  isPrimary: boolean;
}

/** An entry not verified for this many days is flagged to staff for re-verification. */
export const STALE_AFTER_DAYS = 90;

export async function contactsOf(db: Db, participantId: string, agency?: Agency | null): Promise<Contact[]> {
  // A person has a handful of contacts: all are read and the agency picked here, so the statement
  // is one plan for every question (a "$2 is null or" condition is planned afresh each time).
  const rows = await db.query<Contact>(
    `select agency, role, person_name as "personName", phone, hours, fallback_phone as "fallbackPhone",
            fallback_hours as "fallbackHours", to_char(last_verified, 'YYYY-MM-DD') as "lastVerified", is_primary as "isPrimary"
     from agency_contact where participant_id = $1
     order by is_primary desc, role`,
    [participantId],
  );
  return rows.filter((c) => !agency || c.agency === agency).sort((a, b) => AGENCIES.indexOf(a.agency) - AGENCIES.indexOf(b.agency));
}

/** The number a person should call: the person's own line, or the functional line when vacant or missing. */
function reachable(c: Contact): { phone: string | null; hours: string | null } {
  if (c.personName && c.phone) return { phone: c.phone, hours: c.hours };
  return { phone: c.phone ?? c.fallbackPhone, hours: c.phone ? c.hours : c.fallbackHours };
}

/** What a participant reads about one of their own contacts, in lättläst language. */
export function describeForParticipant(c: Contact, lng: string): string {
  const { phone, hours } = reachable(c);
  const vars = {
    role: c.role,
    agency: t(lng, `common:agency.${c.agency}`),
    name: c.personName,
    phone: phone ? formatPhone(phone) : '',
    hours,
  };
  const base = c.agency === 'coach' && c.personName ? 'coach' : c.personName ? 'person' : 'vacant';
  return t(lng, `participant:contact.${base}${hours ? '' : 'NoHours'}`, vars);
}

/** What a staff member reads: the entry, its functional line, and whether it needs re-verifying. */
export function describeForStaff(c: Contact, owner: string, lng: string, now: Date): string {
  const agency = t(lng, `common:agency.${c.agency}`);
  const parts: string[] = [];
  if (c.personName) {
    parts.push(t(lng, 'staff:contact.person', { owner, role: c.role, agency, name: c.personName, phone: c.phone ? formatPhone(c.phone) : '–', hours: c.hours ?? '–' }));
    if (c.fallbackPhone) parts.push(t(lng, 'staff:contact.fallback', { phone: formatPhone(c.fallbackPhone), hours: c.fallbackHours ?? '–' }));
  } else {
    const { phone, hours } = reachable(c);
    parts.push(t(lng, 'staff:contact.vacant', { owner, role: c.role, agency, phone: phone ? formatPhone(phone) : '–', hours: hours ?? '–' }));
  }
  if (c.isPrimary) parts.push(t(lng, 'staff:contact.primary'));
  if (!c.lastVerified) parts.push(t(lng, 'staff:contact.neverVerified'));
  else if (DateTime.fromJSDate(now, { zone: TIME_ZONE }).diff(DateTime.fromISO(c.lastVerified, { zone: TIME_ZONE }), 'days').days > STALE_AFTER_DAYS) {
    parts.push(t(lng, 'staff:contact.staleSince', { date: c.lastVerified }));
  }
  return parts.join(' ');
}

/** Swedish genitive: "Anna" → "Annas", but "Lars" → "Lars"; English: "Anna's". */
export function possessive(name: string, lng: string): string {
  if (lng === 'en') return /s$/i.test(name) ? `${name}'` : `${name}'s`;
  return /[sxz]$/i.test(name) ? name : `${name}s`;
}
