// How a programme runs its meetings: working hours, quiet hours, reminders, cadence targets.
// Defaults here; a programme overrides any of them in programme.settings.meetings (import format).
import { Duration } from 'luxon';
import { z } from 'zod';
import type { Db } from '../store/db.js';
import { participantsProgrammeSettings, programmeSettings } from '../directory/programme-settings.js';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time as HH:MM');
const isoDuration = z.string().refine((s) => Duration.fromISO(s).isValid && Duration.fromISO(s).toMillis() > 0, 'an ISO 8601 duration such as P2D or PT2H');
const agency = z.enum(['fk', 'af', 'soc', 'vc', 'psyk']);

export const meetingSettingsSchema = z.strictObject({
  /** When meetings may be booked, on working days that are not public holidays. */
  workingHours: z.strictObject({ start: clockTime, end: clockTime }).default({ start: '08:00', end: '17:00' }),
  /** No SMS but replies and crisis messages in these hours: a reminder that would fall inside goes the evening before, anything else waits for the morning. */
  quietHours: z.strictObject({ start: clockTime, end: clockTime }).default({ start: '21:00', end: '08:00' }),
  /** How long before a meeting reminders go, by default and per meeting type. */
  reminders: z
    .strictObject({ default: z.array(isoDuration).max(5).default(['P2D', 'PT2H']), byType: z.record(z.string(), z.array(isoDuration).max(5)).default({}) })
    .default({ default: ['P2D', 'PT2H'], byType: {} }),
  /**
   * Case-meeting cadence per agency, in months between meetings (DOMAIN.md: the municipality
   * monthly, FK quarterly, primary care monthly, psychiatry every other month).
   */
  cadenceMonths: z.partialRecord(agency, z.number().positive().max(24)).default({ soc: 1, fk: 3, vc: 1, psyk: 2 }),
  /** Where meetings are held unless the booking says otherwise. */
  defaultPlace: z.string().trim().max(200).optional(),
});

export type MeetingSettings = z.infer<typeof meetingSettingsSchema>;

export const DEFAULT_MEETING_SETTINGS: MeetingSettings = meetingSettingsSchema.parse({});

/** The meeting settings of the programme a participant (or team) belongs to. */
export const meetingSettings = (db: Db, teamId: string): Promise<MeetingSettings> => programmeSettings(db, teamId, 'meetings', meetingSettingsSchema);

/** The meeting settings of each participant's programme, by participant id (the outbox's quiet hours for a batch). */
export const participantsMeetingSettings = (db: Db, participantIds: string[]): Promise<Map<string, MeetingSettings>> =>
  participantsProgrammeSettings(db, participantIds, 'meetings', meetingSettingsSchema);
