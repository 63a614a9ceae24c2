// What Lots sends a staff member, as a Bot Framework activity for Teams: plain text, or an Adaptive
// Card (1.5) when there are buttons or a richer layout, plus pictures inline.
import type { Activity, Attachment as BfAttachment } from 'botbuilder';
import type { Button } from '../../model/index.js';
import type { OutboxRow } from '../../outbox/outbox.js';

const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** What a card button carries back: the same shape as Lots' buttons everywhere. */
export interface CardData {
  actionId: string;
  value: string;
}

/**
 * A button as a universal action (Action.Execute, answered by an invoke the bot can reply to)
 * with a plain Action.Submit for clients that do not have universal actions.
 */
export function cardAction(b: Button): Record<string, unknown> {
  const data: CardData = { actionId: b.actionId, value: b.value };
  return { type: 'Action.Execute', title: b.label, verb: b.actionId, data, fallback: { type: 'Action.Submit', title: b.label, data } };
}

function textCard(text: string): Record<string, unknown> {
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.5',
    fallbackText: text,
    body: [{ type: 'TextBlock', text, wrap: true }],
  };
}

export function toActivity(m: OutboxRow): Partial<Activity> {
  const pictures: BfAttachment[] = (m.attachments ?? [])
    .filter((a) => a.contentType.startsWith('image/') && a.encoding === 'base64')
    .map((a) => ({ contentType: a.contentType, contentUrl: `data:${a.contentType};base64,${a.content}`, name: a.filename }));
  const layout = m.rich?.teams as Record<string, unknown> | undefined;
  if (!layout && !m.buttons?.length) {
    // Plain text: Teams would read * and _ in a name as markdown.
    return { type: 'message', text: m.text, textFormat: 'plain', attachments: pictures.length ? pictures : undefined };
  }
  const card = layout ?? textCard(m.text);
  const actions = [...((card.actions as unknown[]) ?? []), ...(m.buttons ?? []).map(cardAction)];
  return {
    type: 'message',
    // The notification preview and what a screen reader says first.
    summary: m.text.split('\n')[0],
    attachments: [{ contentType: ADAPTIVE_CARD, content: { ...card, ...(actions.length ? { actions } : {}) } }, ...pictures],
  };
}
