// The first understanding: contact.lookup with its slots, help, STOP/START, unknown.
import { describe, expect, it } from 'vitest';
import { classify, findParticipantName } from '../src/understanding/classify.js';
import { editDistance, tokenMatches, tokens } from '../src/understanding/text.js';

const p = (text: string) => classify({ text, role: 'participant' });
const s = (text: string) => classify({ text, role: 'staff' });

describe('understanding', () => {
  it.each([
    ['vem är min handläggare på Försäkringskassan?', 'fk'],
    ['vem e min kontakt på fk', 'fk'],
    ['nummer till kassan', 'fk'],
    ['vem är min arbetsförmedlare', 'af'],
    ['min handläggare på AF?', 'af'],
    ['numret till socialen', 'soc'],
    ['vem är min socialsekreterare', 'soc'],
    ['vem är rehabkoordinatorn på vårdcentralen', 'vc'],
    ['telefon till psykiatrin', 'psyk'],
    ['vem är min coach', 'coach'],
    ['nummer till min samordnare', 'coach'],
    ['vem ar min handlaggare pa forsakringskassan', 'fk'], // no å ä ö
    ['vem är min handläggre på försäkringskasan', 'fk'], // typos
    ['who is my caseworker at the employment service?', 'af'],
  ])('%s → contact.lookup, agency %s', (text, agency) => {
    expect(p(text)).toMatchObject({ intent: 'contact.lookup', slots: { agency } });
  });

  it('contact.lookup without an agency has agency null', () => {
    expect(p('vem är min kontakt?')).toMatchObject({ intent: 'contact.lookup', slots: { agency: null } });
  });

  it.each([
    ['Vem är Annas handläggare på FK?', 'Anna', 'fk'],
    ["Who is Anna's caseworker at FK?", 'Anna', 'fk'],
    ['Lina Bergs kontakter', 'Lina Berg', null],
    ['Vem är Lars handläggare på soc', 'Lars', 'soc'],
    ['Omars kontakt på psykiatrin', 'Omar', 'psyk'],
  ])('staff: %s → participant %s, agency %s', (text, participant, agency) => {
    expect(s(text)).toMatchObject({ intent: 'contact.lookup', slots: { participant, agency } });
  });

  it.each(['STOP', 'stopp', 'Sluta', 'AVSLUTA', 'Stopp!', ' stop '])('%s → optout', (text) => {
    expect(p(text)).toMatchObject({ intent: 'optout', confidence: 1 });
  });

  it.each(['START', 'start', 'Starta'])('%s → optin', (text) => {
    expect(p(text).intent).toBe('optin');
  });

  it('STOP is a participant command, not a staff one', () => {
    expect(s('stop').intent).not.toBe('optout');
  });

  it('help and unknown', () => {
    expect(p('HJÄLP').intent).toBe('help');
    expect(p('vad kan du göra?').intent).toBe('help');
    expect(p('blå banan').intent).toBe('unknown');
    expect(p('').intent).toBe('unknown');
  });

  it('explains its decision', () => {
    expect(p('vem är min handläggare på FK').reasons).toEqual(expect.arrayContaining(['phrase "handläggare" +2', 'agency found +1.6']));
  });

  it('folds text and matches tokens with small typos and inflections', () => {
    expect(tokens('Vem ÄR min Handläggare?!')).toEqual(['vem', 'ar', 'min', 'handlaggare', '?']);
    expect(editDistance('handlaggare', 'handlagrae')).toBe(2);
    expect(tokenMatches('handlaggaren', 'handlaggare')).toBe(true);
    expect(tokenMatches('fk', 'af')).toBe(false);
  });

  it('does not take capitalised words it knows for names', () => {
    expect(findParticipantName('Vem är handläggare på FK?')).toBeUndefined();
    expect(findParticipantName('Visa Johan Karlssons kontakter')).toBe('Johan Karlsson');
  });
});
