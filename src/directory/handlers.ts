// contact.lookup for participants (their own contacts only) and staff (participants they may see).
import type { Handler, ParticipantTurn, StaffTurn } from '../core/turn.js';
import { auditReads, reply, replyText, requestText } from '../core/turn.js';
import { t } from '../i18n/index.js';
import { AGENCIES } from '../model/index.js';
import { slotData } from '../understanding/lexicon.js';
import { fold, tokens } from '../understanding/text.js';
import { formatPhone } from '../util/phone.js';
import { contactsOf, describeForParticipant, describeForStaff, possessive, type Contact } from './contacts.js';
import { caretakers, firstNameIn, firstNameOf, matchParticipants, participantsNamedIn, visibleParticipants, writesAName, type Participant } from './people.js';

/** The contacts a message names by first name, not counting the participant's own name ("mvh Anna"). */
function contactsNamedIn(text: string, contacts: Contact[], participant: Participant): Contact[] {
  const named = firstNameIn(text);
  const own = firstNameOf(participant.name);
  return contacts.filter((c) => c.personName && named(c.personName) && firstNameOf(c.personName) !== own);
}

export const participantContactLookup: Handler<ParticipantTurn> = async (turn) => {
  const agency = turn.understanding.slots.agency ?? null;
  const contacts = await contactsOf(turn.tx, turn.participant.id, agency);
  if (!agency) {
    // "vad är Karins nummer?": a contact of theirs named by name is that contact (read in the whole
    // request, when this is the answer to a question; not their own name, as in "mvh Anna").
    const text = requestText(turn);
    const byName = contactsNamedIn(text, contacts, turn.participant);
    const codes = [...new Set(contacts.map((c) => c.agency))].map((a) => t(turn.lng, `common:agencyCode.${a}`));
    if (byName.length || codes.length === 1) {
      replyText(turn, (byName.length ? byName : contacts).map((c) => describeForParticipant(c, turn.lng)).join('\n'));
      return;
    }
    // "Vem är min kontakt?": ask which, offering only the agencies this person has. A name that is
    // none of theirs ("vad är Omars nummer?") is told plainly that only their own are given.
    const choices = codes.length > 1 ? `${codes.slice(0, -1).join(', ')} ${t(turn.lng, 'common:or')} ${codes.at(-1)}` : AGENCIES.join(', ');
    turn.conversation.pending = { intent: 'contact.lookup', slots: { agency: null }, missing: 'agency' };
    reply(turn, `participant:contact.${writesAName(text) ? 'onlyYours' : 'which'}`, { choices });
    return;
  }
  if (!contacts.length) {
    // Every participant has a coach, whose number an import may not have given: the name, and RING.
    if (agency === 'coach') {
      const { coach } = await caretakers(turn.tx, turn.participant);
      turn.conversation.offered = 'escalation.request';
      return reply(turn, 'participant:contact.coachByCall', { name: coach.name });
    }
    reply(turn, 'participant:contact.none', { agency: t(turn.lng, `common:agency.${agency}`) });
    return;
  }
  replyText(turn, contacts.map((c) => describeForParticipant(c, turn.lng)).join('\n'));
};

/** Resolves the participant a staff member means, or replies with why not (none, several). */
export async function resolveParticipant(turn: StaffTurn): Promise<Participant | null> {
  const visible = await visibleParticipants(turn.tx, turn.staff);
  // "Anna kom men Omar uteblev", "ställ in mötet med Anna och Omar": acting on the first name alone
  // marked or cancelled the wrong person's meeting. One at a time.
  const named = participantsNamedIn(turn.msg.text, visible);
  const firstNames = [...new Set(named.map((p) => p.name.split(' ')[0]!))];
  if (firstNames.length > 1) {
    reply(turn, 'staff:participant.oneAtATime', { names: firstNames.join(', ') });
    return null;
  }
  const written = turn.understanding.slots.participant;
  const { exact, near } = written ? matchParticipants(written, visible) : { exact: [], near: [] };
  // Written in lower case, or the name was not recognised as one: look for any known first name.
  const matches = exact.length ? exact : named;
  if (matches.length === 1) return matches[0]!;
  if (!matches.length) {
    if (written && near.length) reply(turn, 'staff:participant.notFoundSuggest', { name: written, choices: near.map((p) => p.name).join(', ') });
    else if (written) reply(turn, 'staff:participant.notFound', { name: written });
    else {
      // Ask once; the answer is read as the name and the request goes on.
      turn.conversation.pending = { intent: turn.understanding.intent, slots: turn.understanding.slots, missing: 'participant', request: requestText(turn) };
      reply(turn, 'staff:ask.participant');
    }
    return null;
  }
  // The answer (a full name) completes the same request.
  turn.conversation.pending = { intent: turn.understanding.intent, slots: turn.understanding.slots, missing: 'participant', request: requestText(turn) };
  reply(turn, 'staff:participant.ambiguous', {
    name: written ?? matches[0]!.name.split(' ')[0],
    choices: matches.map((p) => p.name).join(', '),
  });
  return null;
}

const OWN_PHONE = new Set(slotData.ownPhoneWords.map(fold));
const CONTACT_STEMS = slotData.contactStems.map(fold);

/** "Fatumas nummer", "vad har Omar för telefon?": a number asked for, and no contact named by role ("handläggares", "handläggre"). */
function asksOwnPhone(text: string): boolean {
  const words = tokens(text);
  return words.some((w) => OWN_PHONE.has(w)) && !words.some((w) => CONTACT_STEMS.some((stem) => w.startsWith(stem)));
}

export const staffContactLookup: Handler<StaffTurn> = async (turn) => {
  const participant = await resolveParticipant(turn);
  if (!participant) return;
  const agency = turn.understanding.slots.agency ?? null;
  const all = await contactsOf(turn.tx, participant.id, agency);
  const text = requestText(turn);
  // A contact named by name ("vad har Karin Lund för nummer, Anna?") is that contact, as for a participant.
  const byName = agency ? [] : contactsNamedIn(text, all, participant);
  if (!agency && !byName.length && asksOwnPhone(text)) {
    await auditReads(turn, 'read.phone', [participant.id]);
    return reply(turn, 'staff:contact.ownPhone', { name: participant.name, phone: formatPhone(participant.phone) });
  }
  const contacts = byName.length ? byName : all;
  await auditReads(turn, 'read.contacts', [participant.id], { agency });
  const firstName = participant.name.split(' ')[0]!;
  if (!contacts.length) {
    if (agency) reply(turn, 'staff:contact.none', { name: participant.name, agency: t(turn.lng, `common:agency.${agency}`) });
    else reply(turn, 'staff:contact.noneAtAll', { name: participant.name });
    return;
  }
  const owner = possessive(firstName, turn.lng);
  const lines = contacts.map((c) => describeForStaff(c, owner, turn.lng, turn.now));
  replyText(turn, agency ? lines.join('\n') : [t(turn.lng, 'staff:contact.all', { name: participant.name }), ...lines.map((l) => `• ${l}`)].join('\n'));
};
