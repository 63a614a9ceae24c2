// A property test of who may see whom: for random staff asking random things about random
// participants, no reply or digest names a participant outside what the asker may see (their
// team; a protected identity only to their own coach and the team lead); and no SMS to a
// participant ever names another participant.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, testApp, type TestApp } from './support/app.js';
import { visibleParticipants, type Staff } from '../src/directory/people.js';
import { digestMessage } from '../src/digests/digests.js';
import { buildDigest } from '../src/digests/digest.js';

interface Person {
  id: string;
  name: string;
  phone: string | null;
}

let app: TestApp;
let people: Person[];
let staff: Staff[];
beforeAll(async () => {
  app = await testApp('pglite', 'demo');
  people = await app.db.query<Person>(`select id, name, phone from participant`);
  staff = await app.db.query<Staff>(`select id, email, role, team_id as "teamId", name from staff`);
});
afterAll(() => app.close());

const ASK = [
  (n: string) => `vem är ${n}s handläggare på FK?`,
  (n: string) => `vilka kontakter har ${n}?`,
  (n: string) => `när är ${n}s nästa möte?`,
  (n: string) => `hur mår ${n}?`,
  (n: string) => `skicka en påminnelse till ${n}`,
  (n: string) => `boka sip med ${n} på torsdag kl 10`,
  () => 'mina deltagare',
  () => 'öppna ärenden',
  () => 'veckans sammanfattning',
];

/** Whether `text` names this person: their full name, or their first name as a word. */
const names = (text: string, p: Person) => text.includes(p.name) || new RegExp(`\\b${p.name.split(' ')[0]}\\b`, 'u').test(text);

describe('who sees whom, for random staff and participants', () => {
  it('no staff reply or digest names a participant the asker may not see', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), fc.boolean(), async (s, p, q, firstNameOnly) => {
        const asker = staff[s % staff.length]!;
        const about = people[p % people.length]!;
        const visible = new Set((await visibleParticipants(app.db, asker)).map((v) => v.id));
        const hidden = people.filter((x) => !visible.has(x.id) && !people.some((v) => visible.has(v.id) && v.name.split(' ')[0] === x.name.split(' ')[0]));
        const written = firstNameOnly ? about.name.split(' ')[0]! : about.name;
        const res = await app.staff(asker.email, ASK[q % ASK.length]!(written));
        expect(res.status).toBe(200);
        // Saying back the name the asker wrote ("no one called Anna Andersson among yours") reveals nothing.
        const said = JSON.stringify(res.body).split(written).join('…');
        for (const h of hidden) expect(names(said, h), `${asker.id} asked about ${about.id} and was told about ${h.id}: ${said}`).toBe(false);
        // The scheduled digests go to team leads (the chat's "veckans sammanfattning" is asked above).
        if (asker.role === 'teamlead') {
          for (const kind of ['daily', 'weekly'] as const) {
            const digest = digestMessage(await buildDigest(app.db, asker.teamId!, kind, app.clock.now()), asker.email);
            for (const h of hidden) expect(names(JSON.stringify(digest), h), `${kind} digest to ${asker.id} names ${h.id}`).toBe(false);
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  // Stated on its own, not through visibleParticipants (the property above takes that as given).
  it('an admin sees no participant in chat and books nothing for one', async () => {
    for (const ask of ['vem är Annas handläggare på fk', 'hur mår Anna?', 'visa mina deltagare', 'visa öppna larm', 'när är Annas nästa möte?', 'veckans sammanfattning']) {
      // Saying back the name the admin wrote reveals nothing; anything else about anyone would.
      const said = JSON.stringify((await app.staff(demo.lars, ask)).body).replaceAll('Anna', '…');
      for (const p of people) expect(names(said, p), `admin asked "${ask}": ${said}`).toBe(false);
    }
    const before = await app.db.query(`select id from meeting`);
    await app.staff(demo.lars, 'boka SIP med Anna fre kl 10');
    expect(await app.db.query(`select id from meeting`)).toEqual(before);
  });

  it('no SMS to a participant names another participant', async () => {
    const texts = ['vem är min handläggare på fk', 'när är mitt nästa möte', 'ring mig', 'hej', '3', 'JA', 'vilka kontakter har jag', 'vem är Omars coach', 'orkar inte leva', 'hjälp'];
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom(...texts), async (p, text) => {
        const from = people.filter((x) => x.phone)[p % people.filter((x) => x.phone).length]!;
        const res = await app.sms(from.phone!, text);
        expect(res.status).toBe(200);
        const said = JSON.stringify(res.body);
        for (const other of people) if (other.id !== from.id) expect(said.includes(other.name), `${from.id} was told about ${other.id}`).toBe(false);
      }),
      { numRuns: 60 },
    );
  });
});
