// The `lots` command as a user runs it, from the built dist/ (npm test builds it first).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importSchema } from '../src/directory/import-format.js';
import { LOTS_BIN as BIN, spawnServe } from '../src/cli/spawn-serve.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lots-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function lots(args: string[], opts: { input?: string; env?: Record<string, string> } = {}) {
  const res = spawnSync(process.execPath, [BIN, ...args], {
    input: opts.input,
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'silent', ...opts.env },
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('lots cli', () => {
  it('demo --json prints a valid programme', () => {
    const res = lots(['demo', '--json']);
    expect(res.code).toBe(0);
    expect(importSchema.safeParse(JSON.parse(res.stdout)).success).toBe(true);
  });

  it('classify writes one JSON line per input, and says which line was bad', () => {
    const input = [
      JSON.stringify({ text: 'vem är min handläggare på FK?', role: 'participant' }),
      JSON.stringify({ text: 'Vem är Annas handläggare på FK?', role: 'staff', now: '2026-11-23T09:00:00+01:00' }),
      JSON.stringify({ text: 'STOPP', role: 'participant' }),
      '{"text": 5}',
    ].join('\n');
    const res = lots(['classify'], { input });
    const out = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(out[0]).toMatchObject({ intent: 'contact.lookup', slots: { agency: 'fk' } });
    expect(out[1]).toMatchObject({ intent: 'contact.lookup', slots: { agency: 'fk', participant: 'Anna' } });
    expect(out[2]).toMatchObject({ intent: 'optout', confidence: 1 });
    expect(out[3].error).toMatch(/rad 4/);
    expect(res.code).toBe(2);
  });

  it('classify reads a text given after its flags, with the reasons when asked (--why), and refuses a bad flag', () => {
    const res = lots(['classify', '--role', 'staff', '--now', '2026-11-23T09:00:00+01:00', '--why', 'boka', 'SIP', 'med', 'Anna', 'tis', 'kl', '10']);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ intent: 'meeting.book', slots: { participant: 'Anna', meetingType: 'sip', start: '2026-11-24T10:00' } });
    expect(out.reasons.length).toBeGreaterThan(0);
    expect(JSON.parse(lots(['classify', 'vem e min kontakt på fk']).stdout)).toEqual({ intent: 'contact.lookup', confidence: expect.any(Number), slots: { agency: 'fk' } });
    // Flags after the text are flags; after "--" everything is text.
    expect(JSON.parse(lots(['classify', 'Vem är Annas handläggare på FK?', '--role', 'staff']).stdout)).toMatchObject({ intent: 'contact.lookup', slots: { participant: 'Anna' } });
    expect(JSON.parse(lots(['classify', '--', '--> ring mig']).stdout)).toMatchObject({ intent: 'escalation.request' });
    // --why names the warning signs a participant's message holds, also when no pair of them is a crisis.
    expect(JSON.parse(lots(['classify', '--why', 'har skrivit mitt testamente idag']).stdout).signs).toContain('testament');
    // …and that the coach reads a message whose keyword alone Lots read.
    expect(JSON.parse(lots(['classify', '--why', 'سلام، JA سأكون هناك غدا']).stdout)).toMatchObject({ intent: 'meeting.confirm', foreign: true });
    const bad = lots(['classify', '--role', 'boss', 'hej']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('lots classify');
    // Seven processes, each reading the whole understanding (34,000 examples: 2.2 s each on this machine, 4.5 s before 5 December's start-up mends).
  }, 120_000);

  it('import refuses a bad file with line and field, and creates no database', () => {
    const file = path.join(tmp, 'bad.json');
    fs.writeFileSync(file, JSON.stringify({ staff: [{ id: 's1', name: 'E', email: 'nope', role: 'coach', team: 't1' }] }, null, 2));
    const dataDir = path.join(tmp, 'never');
    const res = lots(['import', file], { env: { LOTS_DATA_DIR: dataDir } });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/rad 6, staff\[0\]\.email/);
    expect(fs.existsSync(dataDir)).toBe(false);
    expect(lots(['import', path.join(tmp, 'missing.json')]).code).toBe(2);
    // A CSV's bad row is told at once, without a store to check the rest against, and makes none.
    const csv = path.join(tmp, 'bad.csv');
    fs.writeFileSync(csv, 'id;name;phone;language;gender;coach\nn1;Lina Berg;0709990001;sv;kvinna;s1\nn2;Omar Said;inget nummer;sv;man;s1\n');
    const rows = lots(['import', csv], { env: { LOTS_DATA_DIR: dataDir } });
    expect([rows.code, rows.stderr.includes('rad 3, phone: ogiltigt telefonnummer')]).toEqual([2, true]);
    expect(fs.existsSync(dataDir)).toBe(false);
    // Refused on a reference alone (no staff s1 where there is no store yet): the store it opened goes (found in review).
    fs.writeFileSync(csv, 'id;name;phone;language;gender;coach\nn1;Lina Berg;0709990001;sv;kvinna;s1\n');
    const refs = lots(['import', csv], { env: { LOTS_DATA_DIR: dataDir } });
    expect([refs.code, refs.stderr.includes('rad 2, coach: ingen personal med id s1')]).toEqual([2, true]);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('import loads CSV into the store serve uses, and serve answers from it', async () => {
    const dataDir = path.join(tmp, 'data');
    const demo = path.join(tmp, 'demo.json');
    fs.writeFileSync(demo, lots(['demo', '--json']).stdout);
    expect(lots(['import', demo], { env: { LOTS_DATA_DIR: dataDir } }).code).toBe(0);
    const csv = path.join(tmp, 'contacts.csv');
    fs.writeFileSync(csv, 'participant;agency;role;name;phone;hours\np1;fk;personlig handläggare;Sofia Ek;+46101112233;tis 9–10\n');
    const res = lots(['import', csv], { env: { LOTS_DATA_DIR: dataDir } });
    expect(res.stdout).toContain('1 kontakter');

    const { url, stop } = await spawnServe({ LOTS_DATA_DIR: dataDir });
    try {
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const reply = await fetch(`${url}/sim/sms`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: '0701740621', text: 'vem är min handläggare på fk' }),
      });
      expect((await reply.json()).replies[0].text).toContain('Sofia Ek');
      // An import while serve holds the embedded database would be lost: refused instead.
      const locked = lots(['import', csv], { env: { LOTS_DATA_DIR: dataDir } });
      expect(locked.code).toBe(2);
      expect(locked.stderr).toContain('används av en annan Lots-process');
      // The simulator's clock, moved: the CLI writes by it too, so the erasure below sits among the demo's rows.
      await fetch(`${url}/sim/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ set: '2027-01-11T10:00:00+01:00' }) });
      // Staff reading about Anna is in her audit trail once serve has stopped.
      await fetch(`${url}/sim/staff`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: 'eva.lindqvist@demo.lots.se', text: 'vem är Annas handläggare på FK?' }),
      });
    } finally {
      await stop();
    }
    const env = { LOTS_DATA_DIR: dataDir };
    const trail = lots(['audit', '--participant', 'p1'], { env });
    expect(trail.code).toBe(0);
    expect(trail.stdout).toMatch(/staff:s1 {2}read\.contacts \{"agency":"fk"\}/);
    const erased = lots(['erase', '--participant', 'p1', '--by', 'admin:lars'], { env });
    expect(erased.code).toBe(0);
    expect(erased.stdout).toContain('Deltagare p1 är raderad');
    const after = JSON.parse(lots(['audit', '--participant', 'p1', '--format', 'json'], { env }).stdout);
    expect(after.entries.at(-1)).toMatchObject({ actor: 'admin:lars', action: 'participant.erased' });
    expect(new Date(after.entries.at(-1).at).toISOString()).toBe('2027-01-11T09:00:00.000Z');
    expect(lots(['erase', '--participant', 'p1'], { env }).code).toBe(2);
    const usage = lots(['audit'], { env });
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('lots audit --participant');
    // An id that was never anyone's is not "no activity" (found by a new user).
    const mistyped = lots(['audit', '--participant', 'p999'], { env });
    expect(mistyped.code).toBe(2);
    expect(mistyped.stderr).toContain('Ingen deltagare med id p999');
    // Ten processes, each opening the embedded database from its folder (~3 s apiece).
  }, 100_000);

  it('report, audit and erase refuse a folder with no database instead of answering from an empty one', () => {
    // Found by a new user: run without the LOTS_DATA_DIR serve used, audit found "no entries".
    const nowhere = path.join(tmp, 'not-started');
    for (const args of [['audit', '--participant', 'p1'], ['report', '--from', '2026-01-01', '--to', '2026-12-31'], ['erase', '--participant', 'p1']]) {
      const res = lots(args, { env: { LOTS_DATA_DIR: nowhere } });
      expect(res.code).toBe(2);
      expect(res.stderr).toContain('LOTS_DATA_DIR');
    }
    expect(fs.existsSync(nowhere)).toBe(false);
  });

  it('an unknown command prints usage and exits 2', () => {
    const res = lots(['frobnicate']);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Användning');
  });

  // Found by a helper trying the CLI as a new user: English reasons beside Swedish ones, an import
  // without a file that only printed the usage, a flag demo silently took, no --version.
  it('says what is wrong in Swedish: a missing file, an unknown argument or flag; and tells its version', () => {
    const noFile = lots(['import']);
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/^Ange filen som ska importeras/);
    const demo = lots(['demo', '--xml']);
    expect(demo.code).toBe(2);
    expect(demo.stderr).toMatch(/^Okänt argument: --xml/);
    const flag = lots(['classify', '--role', 'boss', 'hej']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/role: Ogiltigt val/);
    const version = lots(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^lots \d+\.\d+\.\d+\n$/);
  });
});
