import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * Parsing a number with the full metadata is a few percent of a whole inbound turn, and the same
 * numbers come back all day: answers are kept, up to a bound, in this process only.
 */
function remembered<T>(work: (input: string) => T): (input: string) => T {
  const answers = new Map<string, T>();
  return (input) => {
    const known = answers.get(input);
    if (known !== undefined || answers.has(input)) return known as T;
    if (answers.size >= 10_000) answers.clear();
    const answer = work(input);
    answers.set(input, answer);
    return answer;
  };
}

/** A Swedish or international number in E.164 ("070-123 45 67" → "+46701234567"), or null. */
export const toE164 = remembered((input: string): string | null => {
  const parsed = parsePhoneNumberFromString(input.trim(), 'SE');
  return parsed && parsed.isValid() ? parsed.number : null;
});

/** How a number is written for a reader: national form for Swedish numbers ("010-123 45 67"). */
export const formatPhone = remembered((e164: string): string => {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  return parsed.country === 'SE' ? parsed.formatNational() : parsed.formatInternational();
});
