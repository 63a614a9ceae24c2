import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { remembered } from './remembered.js';

// Parsing a number with the full metadata is a few percent of a whole inbound turn, and the same
// numbers come back all day: answers are remembered.
const NUMBERS_REMEMBERED = 10_000;

/** A Swedish or international number in E.164 ("070-174 06 21" → "+46701740621"), or null. */
export const toE164 = remembered((input: string): string | null => {
  const parsed = parsePhoneNumberFromString(input.trim(), 'SE');
  return parsed && parsed.isValid() ? parsed.number : null;
}, NUMBERS_REMEMBERED);

/** How a number is written for a reader: national form for Swedish numbers ("010-123 45 67"). */
export const formatPhone = remembered((e164: string): string => {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country === 'SE' ? parsed.formatNational() : parsed.formatInternational();
}, NUMBERS_REMEMBERED);
