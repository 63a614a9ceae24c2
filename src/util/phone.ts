import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** A Swedish or international number in E.164 ("070-123 45 67" → "+46701234567"), or null. */
export function toE164(input: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), 'SE');
  return parsed && parsed.isValid() ? parsed.number : null;
}

/** How a number is written for a reader: national form for Swedish numbers ("010-123 45 67"). */
export function formatPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country === 'SE' ? parsed.formatNational() : parsed.formatInternational();
}
