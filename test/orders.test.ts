// When a sentence is an order to change something: a coach's request, a participant's stop. Each
// row was written by a person in a probe of the product (2 December); the decision is the one a
// person reading it would make.
import { describe, expect, it } from 'vitest';
import { saidAsOrder, unclearOptOut } from '../src/core/understand.js';

describe('a coach: said as an order', () => {
  it.each([
    ['ställ in mötet med Anna', 'meeting.cancel'],
    ['kan du ställa in mötet med Anna?', 'meeting.cancel'],
    ['Hej! Kan du ställa in mötet med Anna?', 'meeting.cancel'],
    ['Hi, can you cancel the meeting with Anna?', 'meeting.cancel'],
    ['Går det att ställa in mötet med Anna?', 'meeting.cancel'],
    ['Anna kan inte komma, ställ in mötet', 'meeting.cancel'],
    ['Anna har inte svarat, skicka en påminnelse till henne', 'reminder.send'],
    ['Ingen fara, boka om Annas möte till fredag kl 10', 'meeting.reschedule'],
    ['skicka en påminnelse till Anna om det nya mötet', 'reminder.send'],
    ['boka SIP med Anna ons 16/12 kl 10, om möjligt med fk', 'meeting.book'],
    ['FK har flyttat sitt möte, så flytta Annas möte till fredag kl 15', 'meeting.reschedule'],
    ['Fatuma kom men var 20 min sen', 'meeting.attendance'],
    ['Emma uteblev idag, kan du notera det?', 'meeting.attendance'],
    ['Anna uteblev', 'meeting.attendance'],
    ['Ta bort mötet som jag bokade igår med Amina', 'meeting.cancel'],
  ])('%j is an order', (text, intent) => expect(saidAsOrder(text, intent)).toBe(true));

  it.each([
    ['ställ INTE in mötet med Anna', 'meeting.cancel'],
    ["don't cancel Anna's meeting", 'meeting.cancel'],
    ['ska jag boka SIP med Anna tis kl 10?', 'meeting.book'],
    ['om Anna inte kommer, ställ in', 'meeting.cancel'],
    ['if Anna does not confirm, cancel the meeting', 'meeting.cancel'],
    ['FK har ställt in mötet med Anna', 'meeting.cancel'],
    ['jag har redan bokat SIP med Anna tis kl 10', 'meeting.book'],
    ['vänta med att ställa in mötet med Anna', 'meeting.cancel'],
    ['skicka ingen incheckning till Omar, han är sjuk', 'checkin.send'],
    ['Anna uteblev inte', 'meeting.attendance'],
    ['Anna kom inte i tid men hon kom', 'meeting.attendance'],
    ['kom Anna på mötet idag?', 'meeting.attendance'],
    // From a probe of 3 December: wondering, a delivery report, a third party's past act.
    ['jag vet inte om Anna kom på mötet', 'meeting.attendance'],
    ['påminnelsen till Anna kom inte fram', 'reminder.send'],
    ['FK ställde in mötet med Omar', 'meeting.cancel'],
    ['Vet inte om vi ska avboka Aminas möte', 'meeting.cancel'],
  ])('%j is no order', (text, intent) => expect(saidAsOrder(text, intent)).toBe(false));
});

describe('a participant: a stop that is clear', () => {
  it.each(['STOPP', 'stopp tack', 'snälla sluta', 'Stop please', 'sluta skicka sms', 'stoppa alla sms', 'kan ni sluta messa mig', 'snälla sluta spamma mig', 'inga fler sms tack', 'avregistrera mig'])(
    '%j stops at once',
    (text) => expect(unclearOptOut(text)).toBe(false),
  );
  it.each([
    'jag vill sluta röka',
    'sluta röka',
    'jag orkar inte mer, vill sluta',
    'sluta inte skicka sms',
    'Sluta skicka inte sms',
    'jag vill inte att ni slutar skicka sms',
    'jag vill sluta röka, kan ni skicka info om det?',
    'min praktik slutar snart, kan du skicka info?',
  ])('%j is asked about', (text) => expect(unclearOptOut(text)).toBe(true));
});
