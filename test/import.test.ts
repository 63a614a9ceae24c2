// The import format: a good file loads; a bad one is refused whole, naming line and field.
import { afterEach, describe, expect, it } from 'vitest';
import { engines, testDb } from './support/db.js';
import { applyImport, ImportError, parseImport, type ImportPlan } from '../src/directory/import.js';
import { demoProgramme } from '../src/directory/demo.js';
import { SettableClock } from '../src/model/index.js';
import type { Db } from '../src/store/db.js';
import { TEST_NOW } from './support/time.js';

const clock = new SettableClock(TEST_NOW);
const minimal = {
  staff: [{ id: 's1', name: 'Eva Coach', email: 'Eva@Example.se', role: 'coach', team: 't1' }],
  participants: [
    {
      id: 'p1', name: 'Anna Andersson', phone: '070-123 45 67', language: 'sv', gender: 'kvinna', coach: 's1', protectedIdentity: false,
      contacts: [{ agency: 'fk', role: 'handläggare', name: 'Karin Lund', phone: '+46101234567', hours: 'mån–fre 9–11' }],
    },
  ],
  meetings: [{ id: 'm1', participant: 'p1', type: 'sip', start: '2026-12-01T10:00', durationMinutes: 60 }],
};

/** What a file is refused for: thrown whole, or a CSV's bad rows kept in the plan for `applyImport`. */
function issuesOf(fn: () => ImportPlan): ImportError['issues'] {
  try {
    const { issues } = fn();
    if (issues.length) return issues;
  } catch (err) {
    if (err instanceof ImportError) return err.issues;
    throw err;
  }
  throw new Error('expected the import to be refused');
}

const counts = (db: Db) =>
  db.query<{ t: string; n: number }>(
    `select 'staff' as t, count(*)::int as n from staff union all select 'participant', count(*)::int from participant
     union all select 'contact', count(*)::int from agency_contact union all select 'meeting', count(*)::int from meeting`,
  );

describe('import format, shape', () => {
  it('reads the example of PRODUCT.md, normalising phone and e-mail', () => {
    const plan = parseImport(JSON.stringify(minimal), 'x.json');
    expect(plan.file.participants[0]!.phone).toBe('+46701234567');
    expect(plan.file.staff[0]!.email).toBe('eva@example.se');
    expect(plan.contacts[0]).toMatchObject({ participant: 'p1', agency: 'fk', name: 'Karin Lund' });
  });

  it('names the line and field of every bad value in JSON', () => {
    const bad = structuredClone(minimal) as any;
    bad.participants[0].phone = '12';
    bad.participants[0].gender = 'kvinnа'; // Cyrillic а
    bad.meetings[0].start = 'tisdag';
    const text = JSON.stringify(bad, null, 2);
    const issues = issuesOf(() => parseImport(text, 'bad.json'));
    const lines = text.split('\n');
    const phone = issues.find((i) => i.field === 'participants[0].phone')!;
    expect(phone.message).toBe('ogiltigt telefonnummer');
    expect(lines[phone.line! - 1]).toContain('"phone": "12"');
    expect(issues.map((i) => i.field)).toEqual(expect.arrayContaining(['participants[0].gender', 'meetings[0].start']));
    expect(lines[issues.find((i) => i.field === 'meetings[0].start')!.line! - 1]).toContain('tisdag');
  });

  it('refuses unknown fields and broken JSON with a reason', () => {
    const extra = issuesOf(() => parseImport(JSON.stringify({ ...minimal, staf: [] }), 'x.json'));
    expect(extra[0]!.message).toMatch(/staf/);
    expect(issuesOf(() => parseImport('{"staff": [', 'x.json'))[0]!.message).toMatch(/inte giltig JSON/);
  });

  it('reads participants and contacts from CSV, with ; and quoted cells', () => {
    const participants = parseImport(
      'id;name;phone;language;gender;coach;protectedIdentity;consentSus\np9;"Berg, Lina";0701740612;sv;kvinna;s1;nej;ja\n',
      'p.csv',
    );
    expect(participants.file.participants[0]).toMatchObject({ id: 'p9', name: 'Berg, Lina', phone: '+46701740612', protectedIdentity: false, consents: { sus: true } });
    const contacts = parseImport('participant,agency,role,phone,hours\np9,af,arbetsförmedlare,0771-416 416,mån–fre 8–16\n', 'c.csv');
    expect(contacts.contacts[0]).toMatchObject({ participant: 'p9', agency: 'af', phone: '+46771416416' });
    expect(contacts.contacts[0]!.name).toBeUndefined(); // vacant
  });

  it('names a bad consent cell by its CSV column, not the JSON path (it said consents.sms)', () => {
    const plan = parseImport('id;name;phone;language;gender;coach;consentSms;consentSus\np9;Lina Berg;0701740612;sv;kvinna;s1;kanske;ja\n', 'p.csv');
    expect(plan.file.participants).toEqual([]);
    expect(plan.issues.map((i) => [i.line, i.field])).toEqual([[2, 'consentSms']]);
  });

  it('refuses a file that is not UTF-8, naming the line (Excel saves Latin-1 unless told)', () => {
    const latin1 = Buffer.from('id;name;phone;language;gender;coach\np9;Nils \u00c5kesson;0701740612;sv;man;s1\n', 'latin1').toString('utf8');
    expect(issuesOf(() => parseImport(latin1, 'p.csv'))).toEqual([expect.objectContaining({ line: 2, message: expect.stringMatching(/UTF-8/) })]);
  });

  it('says in Swedish what is wrong: a missing column, an unknown one', () => {
    const missing = issuesOf(() => parseImport('id;name;phone;language;gender\np9;Lina Berg;0701740612;sv;kvinna\n', 'p.csv'));
    expect(missing).toEqual([expect.objectContaining({ line: 2, field: 'coach', message: expect.stringMatching(/^saknas/) })]);
    const unknown = issuesOf(() => parseImport('id;name;phone;language;gender;coach;email\np9;Lina Berg;0701740612;sv;kvinna;s1;x@y.se\n', 'p.csv'));
    expect(unknown).toEqual([expect.objectContaining({ line: 2, field: 'email', message: expect.stringMatching(/Okänd nyckel/) })]);
  });

  it('names the CSV line of a bad row', () => {
    const issues = issuesOf(() => parseImport('participant,agency,role,phone\np1,fk,handläggare,+46101234567\np1,xx,handläggare,+46101234567\n', 'c.csv'));
    expect(issues).toEqual([expect.objectContaining({ line: 3, field: 'agency' })]);
  });
});

describe.each(engines)('import into the store on %s', (engine) => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });
  /** The error a plan is refused with. */
  const refusal = async (plan: ImportPlan) => {
    const err = await applyImport(db!, plan, clock).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    return err as ImportError;
  };
  const participantsCsv = (...rows: string[]) => ['id;name;phone;language;gender;coach', ...rows].join('\n');

  it('a participant imported without SMS consent gets no SMS, as after STOP; consent in a later file lifts that, but not their own STOP', async () => {
    db = await testDb(engine, 'empty');
    const refused = structuredClone(minimal) as typeof minimal & { participants: { consents?: Record<string, boolean> }[] };
    refused.participants[0]!.consents = { sms: false };
    await applyImport(db, parseImport(JSON.stringify(refused), 'x.json'), clock);
    const optedOut = () => db!.query<{ out: boolean }>(`select opted_out_at is not null as out from participant where id = 'p1'`);
    expect(await optedOut()).toEqual([{ out: true }]);
    refused.participants[0]!.consents = { sms: true };
    await applyImport(db, parseImport(JSON.stringify(refused), 'x.json'), clock);
    expect(await optedOut()).toEqual([{ out: false }]);
    // Their own STOP (as the SMS handler records it) outlasts any file.
    await db.query(`update participant set opted_out_at = $1 where id = 'p1'`, [clock.now()]);
    await db.query(`insert into consent (participant_id, kind, granted, recorded_at, recorded_by) values ('p1', 'sms', false, $1, 'participant:sms')`, [clock.now()]);
    refused.participants[0]!.consents = { sms: false };
    await applyImport(db, parseImport(JSON.stringify(refused), 'x.json'), clock);
    refused.participants[0]!.consents = { sms: true };
    await applyImport(db, parseImport(JSON.stringify(refused), 'x.json'), clock);
    expect(await optedOut()).toEqual([{ out: true }]);
  });

  it('loads a file, and a second import updates without duplicating, keeping contact history', async () => {
    db = await testDb(engine, 'empty');
    await applyImport(db, parseImport(JSON.stringify(minimal), 'x.json'), clock);
    const changed = structuredClone(minimal);
    changed.participants[0]!.contacts[0]!.name = 'Per Nilsson';
    await applyImport(db, parseImport(JSON.stringify(changed), 'x.json'), clock);
    expect(await counts(db)).toEqual([
      { t: 'staff', n: 1 }, { t: 'participant', n: 1 }, { t: 'contact', n: 1 }, { t: 'meeting', n: 1 },
    ]);
    const history = await db.query<{ before: any; after: any }>(`select before, after from agency_contact_history order by changed_at, before nulls first`);
    expect(history.map((h) => h.after.person_name)).toEqual(['Karin Lund', 'Per Nilsson']);
    const [meeting] = await db.query<{ start_at: Date }>(`select start_at from meeting`);
    expect(meeting!.start_at.toISOString()).toBe('2026-12-01T09:00:00.000Z'); // 10:00 in Stockholm
  });

  it('writes nothing when a reference is wrong', async () => {
    db = await testDb(engine, 'empty');
    const bad = structuredClone(minimal);
    bad.participants[0]!.coach = 's9';
    const text = JSON.stringify(bad, null, 2);
    await expect(applyImport(db, parseImport(text, 'x.json'), clock)).rejects.toThrow(ImportError);
    try {
      await applyImport(db, parseImport(text, 'x.json'), clock);
    } catch (err) {
      const issue = (err as ImportError).issues[0]!;
      expect(issue).toMatchObject({ field: 'participants[0].coach', message: 'ingen personal med id s9' });
      expect(text.split('\n')[issue.line! - 1]).toContain('"coach": "s9"');
    }
    expect((await counts(db)).every((c) => c.n === 0)).toBe(true);
  });

  it('refuses a phone number that belongs to another participant', async () => {
    db = await testDb(engine, 'demo');
    // The demo's Anna, written another way.
    const clash = { participants: [{ ...minimal.participants[0], id: 'new1', coach: 's1', phone: '070-174 06 21' }] };
    await expect(applyImport(db, parseImport(JSON.stringify(clash), 'x.json'), clock)).rejects.toThrow(/används redan av deltagare p1/);
  });

  it('tells a CSV\'s bad rows and its unknown references together, in the file\'s order, and writes nothing (they came in two passes)', async () => {
    db = await testDb(engine, 'demo');
    const plan = parseImport(participantsCsv('n1;Lina Berg;0709990001;sv;kvinna;s9', 'n2;Omar Said;inget nummer;sv;man;s1', 'n3;Sara Ek;0709990002;sv;kvinna;s1'), 'p.csv');
    expect(plan.file.participants.map((p) => p.id)).toEqual(['n1', 'n3']);
    const before = await counts(db);
    expect((await refusal(plan)).issues.map((i) => [i.line, i.field])).toEqual([
      [2, 'coach'],
      [3, 'phone'],
    ]);
    expect(await counts(db)).toEqual(before);
  });

  it("tells a CSV row that repeats an earlier one's id or phone, bad rows among them (a repeat of a bad row was told only once it was mended)", async () => {
    db = await testDb(engine, 'demo');
    const plan = parseImport(
      participantsCsv('n1;Lina Berg;0709990001;sv;kvinna;s1', 'n1;Omar Said;inget nummer;sv;man;s1', 'n3;Sara Ek;0709990001;sv;kvinna;s1', 'n4;Ali Nur;0709990004;sv;man;s1'),
      'p.csv',
    );
    expect(plan.file.participants.map((p) => p.id)).toEqual(['n1', 'n4']);
    expect((await refusal(plan)).issues.map((i) => [i.line, i.field, i.message])).toEqual([
      [3, 'id', 'n1 förekommer mer än en gång'],
      [3, 'phone', expect.any(String)],
      [4, 'phone', '+46709990001 förekommer mer än en gång'],
    ]);
  });

  it("refuses a JSON file whose participants repeat an id or a phone, naming the repeat's place", async () => {
    db = await testDb(engine, 'empty');
    const twice = structuredClone(minimal);
    twice.participants.push({ ...twice.participants[0]!, name: 'Omar Said', phone: '+46709990004' }, { ...twice.participants[0]!, id: 'p2', name: 'Sara Ek' });
    expect((await refusal(parseImport(JSON.stringify(twice), 'x.json'))).issues.map((i) => [i.field, i.message])).toEqual([
      ['participants[1].id', 'p1 förekommer mer än en gång'],
      ['participants[2].phone', '+46701234567 förekommer mer än en gång'],
    ]);
  });

  it('refuses contacts for a participant that does not exist, naming the CSV line', async () => {
    db = await testDb(engine, 'demo');
    const plan = parseImport('participant,agency,role,phone\np1,fk,handläggare,+46101234567\nnobody,fk,handläggare,+46101234567\n', 'c.csv');
    await expect(applyImport(db, plan, clock)).rejects.toThrow(/rad 3, participant: ingen deltagare med id nobody/);
  });

  it('the demo programme is valid and has what PRODUCT.md asks of it', async () => {
    const demo = parseImport(JSON.stringify(demoProgramme(clock)), 'demo.json').file;
    const t1 = demo.participants.filter((p) => demo.staff.find((s) => s.id === p.coach)?.team === 't1');
    expect(t1.length).toBeGreaterThanOrEqual(12);
    expect(demo.staff.filter((s) => s.role === 'coach' && s.team === 't1').length).toBeGreaterThanOrEqual(2);
    expect(demo.staff.some((s) => s.role === 'teamlead' && s.team === 't1')).toBe(true);
    expect(demo.participants.some((p) => p.protectedIdentity)).toBe(true);
    expect(demo.participants.some((p) => p.language !== 'sv')).toBe(true);
    expect(demo.participants.some((p) => p.contacts.some((c) => !c.name))).toBe(true);
    expect(new Set(demo.participants.flatMap((p) => p.contacts.map((c) => c.agency)))).toEqual(new Set(['fk', 'af', 'soc', 'vc', 'psyk', 'coach']));
  });
});
