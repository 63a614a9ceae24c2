// The import format of PRODUCT.md, validated with zod. The demo programme is one such file.
import { z } from 'zod';
import { AGENCIES } from '../model/index.js';
import { toE164 } from '../util/phone.js';
import { meetingSettingsSchema } from '../meetings/settings.js';
import { MEETING_TYPES } from '../meetings/queries.js';
import { checkinSettingsSchema } from '../checkins/checkins.js';

const id = z.string().trim().min(1, 'får inte vara tom').max(64).regex(/^[A-Za-z0-9_.-]+$/, 'bara bokstäver a–z, siffror, _ . -');
const phone = z
  .string()
  .trim()
  .transform((s, ctx) => {
    const e164 = toE164(s);
    if (!e164) {
      ctx.addIssue({ code: 'custom', message: `ogiltigt telefonnummer` });
      return z.NEVER;
    }
    return e164;
  });
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'datum som ÅÅÅÅ-MM-DD');
const localDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'tid som ÅÅÅÅ-MM-DDTtt:mm (svensk tid)');

export const contactSchema = z.strictObject({
  agency: z.enum(AGENCIES as [string, ...string[]]),
  role: z.string().trim().min(1).max(100),
  /** Absent: the post is vacant, and phone/hours are the agency's functional line. */
  name: z.string().trim().min(1).max(200).optional(),
  phone: phone.optional(),
  hours: z.string().trim().max(100).optional(),
  fallbackPhone: phone.optional(),
  fallbackHours: z.string().trim().max(100).optional(),
  lastVerified: isoDate.optional(),
  primary: z.boolean().optional(),
});

export const consentsSchema = z.strictObject({
  sms: z.boolean().optional(),
  agencySharing: z.boolean().optional(),
  sus: z.boolean().optional(),
});

export const participantSchema = z.strictObject({
  id,
  name: z.string().trim().min(1).max(200),
  phone,
  language: z.enum(['sv', 'en', 'ar', 'so', 'ti', 'fa']).default('sv'),
  gender: z.enum(['kvinna', 'man', 'annat']),
  coach: id,
  protectedIdentity: z.boolean().default(false),
  startedAt: isoDate.optional(),
  endedAt: isoDate.optional(),
  exitReason: z.union([z.literal(1), z.literal(2), z.literal(3)]).optional(),
  incomeAtStart: z.enum(['sjukpenning', 'forsorjningsstod', 'aktivitetsersattning', 'sjukersattning', 'ingen']).optional(),
  consents: consentsSchema.optional(),
  /** The participant's own weekly check-in day (1 = Monday) and time, instead of the programme's. */
  checkinWeekday: z.number().int().min(1).max(7).optional(),
  checkinTime: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'tid som tt:mm').optional(),
  /** On leave until this date: no check-ins. */
  onLeaveUntil: isoDate.optional(),
  contacts: z.array(contactSchema).default([]),
});

export const staffSchema = z.strictObject({
  id,
  name: z.string().trim().min(1).max(200),
  email: z.email().transform((s) => s.toLowerCase()),
  role: z.enum(['coach', 'teamlead', 'admin']),
  team: id,
  backup: id.optional(),
});

export const meetingSchema = z.strictObject({
  id,
  participant: id,
  type: z.enum(MEETING_TYPES),
  start: localDateTime,
  durationMinutes: z.number().int().min(5).max(480).default(60),
  place: z.string().trim().max(200).optional(),
  videoLink: z.url({ protocol: /^https$/ }).max(500).optional(),
  /** Agencies invited, by code. */
  agencies: z.array(z.enum(['fk', 'af', 'soc', 'vc', 'psyk'])).default([]),
  /** Other staff invited, by id. */
  staff: z.array(id).default([]),
  interpreterLanguage: z.string().trim().min(2).max(8).optional(),
  status: z.enum(['booked', 'confirmed', 'cancelled', 'held', 'missed']).default('booked'),
});

export const importSchema = z.strictObject({
  programme: z
    .strictObject({ id, name: z.string().trim().min(1).max(200), settings: z.strictObject({ meetings: meetingSettingsSchema.optional(), checkins: checkinSettingsSchema.optional() }).optional() })
    .optional(),
  /** `onCall`: who gets urgent escalations outside office hours (default: the lead). */
  teams: z.array(z.strictObject({ id, name: z.string().trim().min(1).max(200), lead: id.optional(), onCall: id.optional() })).default([]),
  staff: z.array(staffSchema).default([]),
  participants: z.array(participantSchema).default([]),
  meetings: z.array(meetingSchema).default([]),
});

export type ImportFile = z.infer<typeof importSchema>;
export type ImportParticipant = z.infer<typeof participantSchema>;
export type ImportContact = z.infer<typeof contactSchema>;
