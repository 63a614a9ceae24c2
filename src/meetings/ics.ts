// Calendar invites for staff (RFC 5545 via the `ics` package): one UID per meeting and its
// version as SEQUENCE, so a move updates the invite and a cancel removes it in any calendar.
import { createEvent, type EventAttributes } from 'ics';
import type { Attachment } from '../model/index.js';
import { t } from '../i18n/index.js';
import type { Meeting } from './queries.js';

export interface InviteInput {
  meeting: Meeting;
  /** What staff call the participant here (hidden for protected identity). */
  participantLabel: string;
  organizer: { name: string; email: string };
  attendees: { name: string; email: string }[];
  /** Lines for the description: invited agencies, interpreter. */
  notes: string[];
  now: Date;
}

const utc = (d: Date): [number, number, number, number, number] => [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];

export function meetingInvite(input: InviteInput, method: 'REQUEST' | 'CANCEL'): Attachment {
  const { meeting } = input;
  // `timestamp` (DTSTAMP) is in ics' schema but not its types; without it the stamp would be the wall clock.
  const { error, value } = createEvent({
    uid: `${meeting.id}@lots`,
    sequence: meeting.version - 1,
    method,
    status: method === 'CANCEL' ? 'CANCELLED' : 'CONFIRMED',
    productId: 'lots/meetings',
    title: `${t('sv', `staff:meetingType.${meeting.type}`)}: ${input.participantLabel}`,
    start: utc(meeting.startAt),
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { minutes: meeting.durationMinutes },
    timestamp: utc(input.now),
    ...(meeting.place ? { location: meeting.place } : {}),
    ...(meeting.videoLink ? { url: meeting.videoLink } : {}),
    description: input.notes.join('\n'),
    organizer: { name: input.organizer.name, email: input.organizer.email },
    attendees: input.attendees.map((a) => ({ name: a.name, email: a.email, rsvp: true, role: 'REQ-PARTICIPANT', partstat: 'NEEDS-ACTION' })),
  } as EventAttributes);
  if (error || !value) throw new Error(`calendar invite could not be made: ${error?.message ?? 'empty'}`);
  return { filename: `${meeting.type}-${meeting.id}.ics`, contentType: `text/calendar; charset=utf-8; method=${method}`, content: value };
}
