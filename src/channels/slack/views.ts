// Slack surfaces beyond messages: App Home (the coach's open escalations and caseload, by the same
// rules as the chat answers) and the booking modal, whose answers become a booking request.
import { DateTime } from 'luxon';
import { t } from '../../i18n/index.js';
import { escapeMrkdwn } from '../../digests/render.js';
import { AGENCIES, TIME_ZONE } from '../../model/index.js';
import { MEETING_TYPES } from '../../meetings/queries.js';
import type { Understanding } from '../../understanding/classify.js';

export const BOOK_MODAL = 'lots.book';
export const OPEN_BOOK_MODAL = 'slack.book';

const k = (key: string, vars: Record<string, unknown> = {}) => t('sv', `staff:slack.${key}`, vars);
const plain = (text: string) => ({ type: 'plain_text', text, emoji: false });
const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: escapeMrkdwn(text).slice(0, 3000) });

export function homeView(escalations: string, caseload: string, now: Date) {
  return {
    type: 'home',
    blocks: [
      { type: 'header', text: plain(k('homeTitle')) },
      { type: 'actions', elements: [{ type: 'button', action_id: OPEN_BOOK_MODAL, text: plain(k('homeBook')), style: 'primary' }] },
      { type: 'section', text: mrkdwn(escalations) },
      { type: 'divider' },
      { type: 'section', text: mrkdwn(caseload) },
      { type: 'context', elements: [mrkdwn(k('homeUpdated', { when: DateTime.fromJSDate(now, { zone: TIME_ZONE }).toFormat('d/M HH:mm') }))] },
    ],
  };
}

/** Slack's static menus hold at most 100 options. */
const MAX_OPTIONS = 100;

export function bookingModal(participants: string[], now: Date) {
  const option = (text: string, value = text) => ({ text: plain(text.slice(0, 75)), value });
  const input = (id: string, label: string, element: Record<string, unknown>, optional = false) => ({ type: 'input', block_id: id, label: plain(label), optional, element: { action_id: id, ...element } });
  return {
    type: 'modal',
    callback_id: BOOK_MODAL,
    title: plain(k('modalTitle')),
    submit: plain(k('modalSubmit')),
    close: plain(k('modalClose')),
    blocks: [
      input('participant', k('participant'), { type: 'static_select', options: participants.slice(0, MAX_OPTIONS).map((p) => option(p)) }),
      input('type', k('meetingType'), {
        type: 'static_select',
        options: MEETING_TYPES.map((m) => option(t('sv', `staff:meetingType.${m}`), m)),
        initial_option: option(t('sv', 'staff:meetingType.coach'), 'coach'),
      }),
      input('date', k('date'), { type: 'datepicker', initial_date: DateTime.fromJSDate(now, { zone: TIME_ZONE }).plus({ days: 1 }).toISODate() }),
      input('time', k('time'), { type: 'timepicker', initial_time: '10:00', timezone: TIME_ZONE }),
      input('agencies', k('agencies'), { type: 'checkboxes', options: AGENCIES.filter((a) => a !== 'coach').map((a) => option(t('sv', `common:agency.${a}`), a)) }, true),
    ],
  };
}

type ViewState = Record<string, Record<string, { selected_option?: { value: string } | null; selected_date?: string | null; selected_time?: string | null; selected_options?: { value: string }[] }>>;

/**
 * A submitted booking modal as a booking request: what the coach chose is the understanding (no
 * guessing), and the request's words carry the agencies the way a typed request would.
 */
export function bookingRequest(values: ViewState): { text: string; understanding: Understanding } | { errors: Record<string, string> } {
  const v = (id: string) => values[id]?.[id];
  const participant = v('participant')?.selected_option?.value;
  const type = v('type')?.selected_option?.value ?? 'coach';
  const date = v('date')?.selected_date;
  const time = v('time')?.selected_time;
  const agencies = (v('agencies')?.selected_options ?? []).map((o) => o.value).filter((a) => (AGENCIES as readonly string[]).includes(a));
  const errors: Record<string, string> = {};
  const missing = (field: string) => k('required', { field: k(field).toLowerCase() });
  if (!participant) errors.participant = missing('participant');
  if (!date || !/^\d{4}-\d{2}-\d{2}$/.test(date)) errors.date = missing('date');
  if (!time || !/^\d{2}:\d{2}$/.test(time)) errors.time = missing('time');
  if (!(MEETING_TYPES as readonly string[]).includes(type)) errors.type = missing('meetingType');
  if (Object.keys(errors).length) return { errors };
  const start = `${date}T${time}`;
  const text = [`boka ${t('sv', `staff:meetingType.${type}`)} med ${participant} ${date} kl ${time}`, agencies.length ? `med ${agencies.join(' och ')}` : ''].join(' ').trim();
  return { text, understanding: { intent: 'meeting.book', confidence: 1, slots: { participant, meetingType: type, start }, reasons: ['slack booking modal'] } };
}
