// One digest, three faces: plain text (the simulator, logs, any chat), Slack Block Kit and a
// Teams Adaptive Card 1.5. All three are made from the same outline, so they always agree.
import { DateTime } from 'luxon';
import { TIME_ZONE } from '../model/index.js';
import { t } from '../i18n/index.js';
import type { CoachSection, Digest } from './digest.js';
import { remembered } from '../util/remembered.js';

export interface Outline {
  title: string;
  summary: string;
  sections: { heading: string; lines: string[] }[];
}

// Many lines share a time: each is formatted once.
const formatter = (pattern: string) => {
  const format = remembered((ms: number) => DateTime.fromMillis(ms, { zone: TIME_ZONE }).setLocale('sv').toFormat(pattern), 10_000);
  return (d: Date) => format(d.getTime());
};
const when = formatter("ccc d LLL 'kl' HH.mm");
const day = formatter('ccc d LLL');
const k = (key: string, vars: Record<string, unknown> = {}) => t('sv', `staff:digest.${key}`, vars);

/** A list in a digest shows this many items and then how many more: a digest is read, not searched. */
const SHOWN = 10;
const capped = (lines: string[]) => (lines.length > SHOWN ? [...lines.slice(0, SHOWN), k('more', { count: lines.length - SHOWN })] : lines);

function coachLines(c: CoachSection): string[] {
  const named = (xs: { participant: string; agency: string }[], total: number) =>
    xs.map((x) => `${x.participant} (${t('sv', `common:agencyCode.${x.agency}`)})`).join(', ') + (total > xs.length ? ' …' : '');
  return [
    ...capped(c.missed.map((m) => k('line.missed', { name: m.participant, what: t('sv', `staff:meetingType.${m.type}`), when: when(m.startAt), nth: k(`nth.${Math.min(m.ordinal, 3)}`) }))),
    ...capped(
      c.escalations.map((e) =>
        k('line.escalation', { name: e.participant, what: t('sv', `staff:escalation.short.${e.reason}`), state: t('sv', `staff:escalation.state.${e.state}`), late: e.late ? k('late') : '', urgent: e.severity === 'urgent' ? t('sv', 'staff:escalation.urgentMark') : '' }),
      ),
    ),
    ...capped(c.unanswered.map((u) => k('line.unanswered', { name: u.participant, when: day(u.sentAt) }))),
    ...capped(c.unconfirmed.map((m) => k('line.unconfirmed', { name: m.participant, what: t('sv', `staff:meetingType.${m.type}`), when: when(m.startAt) }))),
    // Cadence and contacts to verify are many and slow-moving: a count, with the first few named.
    ...(c.cadence.red + c.cadence.yellow ? [k('line.cadence', { red: c.cadence.red, yellow: c.cadence.yellow, examples: c.cadence.red ? named(c.cadence.redExamples, c.cadence.red) : '–' })] : []),
    ...(c.staleContacts.count ? [k('line.stale', { count: c.staleContacts.count, examples: named(c.staleContacts.examples, c.staleContacts.count) })] : []),
  ];
}

export function outline(d: Digest): Outline {
  const period = d.kind === 'daily' ? day(d.to) : `${day(d.from)} – ${day(d.to)}`;
  const x = d.totals;
  const summary =
    d.kind === 'daily'
      ? k('summaryDaily', { missed: x.missed, urgent: x.urgent })
      : k('summaryWeekly', { missed: x.missed, escalations: x.escalations, unanswered: x.unanswered, unconfirmed: x.unconfirmed, red: x.cadenceRed, yellow: x.cadenceYellow, stale: x.staleContacts });
  const sections = d.coaches
    .map((c) => ({ heading: c.coach, lines: coachLines(c) }))
    .map((s) => (s.lines.length ? s : { ...s, lines: [k('nothing')] }));
  return { title: k(d.kind === 'daily' ? 'titleDaily' : 'titleWeekly', { team: d.team, period }), summary, sections };
}

export function toText(o: Outline): string {
  return [o.title, o.summary, ...o.sections.flatMap((s) => ['', s.heading, ...s.lines.map((l) => `• ${l}`)])].join('\n');
}

/** Slack allows 50 blocks and 3,000 characters a section: long lists are cut with a count of what is left out. */
const SLACK_MAX_BLOCKS = 50;
const SLACK_MAX_TEXT = 3000;

function fit(lines: string[], max: number): string {
  const out: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    const more = k('more', { count: lines.length - i });
    if (length + line.length + 1 > max - more.length - 1) return [...out, more].join('\n');
    out.push(line);
    length += line.length + 1;
  }
  return out.join('\n');
}

/** Slack's mrkdwn reads &, < and > as markup: a name must not become a link or a mention. */
export const escapeMrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function toBlockKit(o: Outline, image?: { url: string; alt: string }): { text: string; blocks: unknown[] } {
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: o.title.slice(0, 150), emoji: false } },
    { type: 'section', text: { type: 'mrkdwn', text: escapeMrkdwn(o.summary).slice(0, SLACK_MAX_TEXT) } },
  ];
  if (image) blocks.push({ type: 'image', image_url: image.url, alt_text: image.alt.slice(0, 2000) });
  // One block kept for the line saying how many are left out, one for the buttons the channel adds.
  const room = SLACK_MAX_BLOCKS - blocks.length - 2;
  const shown = o.sections.slice(0, Math.floor(room / 2));
  for (const s of shown) {
    blocks.push({ type: 'divider' });
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: fit([`*${escapeMrkdwn(s.heading)}*`, ...s.lines.map((l) => `• ${escapeMrkdwn(l)}`)], SLACK_MAX_TEXT) } });
  }
  if (shown.length < o.sections.length) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: k('moreCoaches', { count: o.sections.length - shown.length }) }] });
  // `text` is the notification and screen-reader fallback.
  return { text: `${o.title}: ${o.summary}`, blocks };
}

export function toAdaptiveCard(o: Outline, image?: { url: string; alt: string }): Record<string, unknown> {
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    fallbackText: `${o.title}: ${o.summary}`,
    body: [
      { type: 'TextBlock', text: o.title, size: 'Large', weight: 'Bolder', wrap: true },
      { type: 'TextBlock', text: o.summary, wrap: true },
      ...(image ? [{ type: 'Image', url: image.url, altText: image.alt }] : []),
      ...o.sections.map((s) => ({
        type: 'Container',
        separator: true,
        items: [
          { type: 'TextBlock', text: s.heading, weight: 'Bolder', wrap: true },
          { type: 'TextBlock', text: s.lines.map((l) => `- ${l}`).join('\n'), wrap: true },
        ],
      })),
    ],
  };
}
