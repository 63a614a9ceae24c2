#!/usr/bin/env node
// `lots`: serve | import FILE | demo --json | classify | report | audit | erase
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { z } from 'zod';
import { DateTime } from 'luxon';
import { loadConfig } from '../config.js';
import { createLogger } from '../util/log.js';
// The app and the store are imported where they are used: `lots classify` needs neither, and
// loading Bolt, botbuilder, pg-boss and PGlite for it was a second of every call.
import type { Db } from '../store/db.js';
import { auditTrail, eraseParticipant } from '../privacy/privacy.js';
import { systemClock, type Clock } from '../model/index.js';
import { t } from '../i18n/index.js';
import { projectRoot } from '../util/paths.js';
import { applyImport, formatIssue, ImportError, parseImport } from '../directory/import.js';
import { demoProgramme } from '../directory/demo.js';
import { classify } from '../understanding/classify.js';
import { signsIn } from '../understanding/crisis.js';
import { buildReport, susExport, toCsv } from '../reports/report.js';

const EXIT_USAGE = 2;

async function serve(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel });
  const { createApp } = await import('../app.js');
  const app = await createApp({ config, log });
  await app.server.listen({ host: config.host, port: config.port });
  const address = app.server.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  process.stdout.write(t('sv', 'cli:listening', { host: config.host, port }) + '\n');
  const stop = async () => {
    await app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function importFile(file: string | undefined): Promise<number> {
  if (!file) {
    process.stderr.write(t('sv', 'cli:importNeedsFile') + '\n' + t('sv', 'cli:usage') + '\n');
    return EXIT_USAGE;
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(t('sv', 'cli:fileMissing', { file, reason: (err as Error).message }) + '\n');
    return EXIT_USAGE;
  }
  const refused = (err: ImportError) => {
    process.stderr.write(t('sv', 'cli:import.refused') + '\n' + err.issues.map((i) => `  ${formatIssue(i)}`).join('\n') + '\n');
    return EXIT_USAGE;
  };
  let plan: ReturnType<typeof parseImport>;
  try {
    // Check the file's shape before touching the store, so a bad file never creates one.
    plan = parseImport(text, file);
  } catch (err) {
    if (err instanceof ImportError) return refused(err);
    throw err;
  }
  // A CSV's bad rows are told with the rest's references (an unknown coach) where there is a store
  // to check them against; a file with problems never leaves one behind.
  const config = loadConfig();
  const fresh = !storeExists(config);
  if (plan.issues.length && fresh) return refused(new ImportError(plan.issues));
  const folderWas = fresh && fs.existsSync(config.dataDir) ? fs.readdirSync(config.dataDir) : null;
  const code = await withStore(async (db, clock) => {
    try {
      const summary = await applyImport(db, plan, clock, 'cli:import');
      process.stdout.write(t('sv', 'cli:import.done', { ...summary }) + '\n');
      return 0;
    } catch (err) {
      if (err instanceof ImportError) return refused(err);
      throw err;
    }
  }, { create: true });
  // Refused on its references (an unknown coach) where there was no store: the one just made goes,
  // so a later `lots report` is not answered from an empty programme.
  if (code !== 0 && fresh && (folderWas === null || folderWas.length === 0)) {
    fs.rmSync(config.dataDir, { recursive: true, force: true });
    if (folderWas) fs.mkdirSync(config.dataDir);
  }
  return code;
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const realDay = (s: string) => DateTime.fromISO(s).isValid;
const isoDay = z
  .string({ error: t('sv', 'cli:report.dateFormat') })
  .regex(ISO_DAY, t('sv', 'cli:report.dateFormat'))
  // Asked only of a date written right: "abc" is told its format, once.
  .refine((s) => !ISO_DAY.test(s) || realDay(s), t('sv', 'cli:report.noSuchDate'));
const reportArgs = z
  .strictObject({ from: isoDay, to: isoDay, format: z.enum(['csv', 'json']).default('json'), sus: z.boolean().default(false) })
  // Only two real days are put in order: "2026-13-01" is no day, not one after --to.
  .refine((a) => !realDay(a.from) || !realDay(a.to) || a.from <= a.to, { message: t('sv', 'cli:report.fromAfterTo'), path: ['from'] });

/**
 * Flags as `--name value` (or `--name` alone for the `booleans`), and the other words: those not a
 * flag or its value, and everything after `--` ("lots classify -- --> ring mig").
 */
function parseFlags(args: string[], booleans: string[] = []): { flags: Record<string, string | boolean>; words: string[] } | null {
  const flags: Record<string, string | boolean> = {};
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      words.push(...args.slice(i + 1));
      break;
    }
    const m = /^--(\w+)$/.exec(arg);
    if (!m) {
      if (arg.startsWith('--')) return null;
      words.push(arg);
      continue;
    }
    const next = args[i + 1];
    if (booleans.includes(m[1]!)) flags[m[1]!] = true;
    else if (next !== undefined && !next.startsWith('--')) flags[m[1]!] = args[++i]!;
    else flags[m[1]!] = '';
  }
  return { flags, words };
}

/**
 * Validated flags and the other words, or the reasons and the usage on stderr (null). Only a
 * command that reads a text (`withWords`) takes words besides its flags.
 */
function flagsFor<T>(schema: z.ZodType<T>, args: string[], usage: string, booleans: string[] = [], withWords = false): (T & { words: string[] }) | null {
  const parsedArgs = parseFlags(args, booleans);
  const usable = parsedArgs && (withWords || parsedArgs.words.length === 0) ? parsedArgs : null;
  const parsed = usable ? schema.safeParse(usable.flags) : null;
  if (parsed?.success) return { ...parsed.data, words: usable!.words };
  const reasons = parsed ? parsed.error.issues.map((i) => `${i.path.join('.') || 'argument'}: ${i.message}`).join('\n') + '\n' : '';
  process.stderr.write(reasons + t('sv', usage) + '\n');
  return null;
}

/** A PostgreSQL server, or an embedded store already made in the data folder. */
const storeExists = (config: { databaseUrl?: string; dataDir: string }) => Boolean(config.databaseUrl) || fs.existsSync(path.join(config.dataDir, 'PG_VERSION'));

/**
 * Runs `fn` on the store `serve` uses; a PGlite folder held by a running `lots serve` is said plainly.
 * Only an import may begin a new folder: a report, an audit or an erasure run where there is no
 * database (LOTS_DATA_DIR not set as for `serve`) would answer from an empty one, confidently wrong.
 */
async function withStore(fn: (db: Db, clock: Clock) => Promise<number>, { create = false } = {}): Promise<number> {
  const config = loadConfig();
  if (!create && !storeExists(config)) {
    process.stderr.write(t('sv', 'cli:noDatabase', { dir: config.dataDir }) + '\n');
    return EXIT_USAGE;
  }
  const [{ DataDirLocked, openStore }, { clockOf }] = await Promise.all([import('../store/db.js'), import('../app.js')]);
  let db: Db;
  try {
    db = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (err) {
    if (!(err instanceof DataDirLocked)) throw err;
    process.stderr.write(t('sv', 'cli:dataDirLocked', { dir: err.dataDir, pid: err.pid }) + '\n');
    return EXIT_USAGE;
  }
  try {
    // The simulator's saved clock when it is on; otherwise real time (a drill's LOTS_CLOCK_START
    // moves with the serve process that started it, which a separate CLI run cannot know).
    return await fn(db, await clockOf(db, { simulator: config.simulator, clockStart: undefined }));
  } finally {
    await db.close();
  }
}

/** `lots report --from 2026-01-01 --to 2026-06-30 [--format csv|json] [--sus]` */
async function report(args: string[]): Promise<number> {
  const a = flagsFor(reportArgs, args, 'cli:report.usage', ['sus']);
  if (!a) return EXIT_USAGE;
  const { from, to, format, sus } = a;
  return withStore(async (db) => {
    if (sus) {
      const rows = await susExport(db, { from, to });
      process.stdout.write(format === 'csv' ? toCsv(rows, ['id', 'gender', 'startedAt', 'endedAt', 'exitReason', 'incomeAtStart']) : JSON.stringify({ from, to, participants: rows }, null, 2) + '\n');
    } else {
      const r = await buildReport(db, { from, to });
      process.stdout.write(format === 'csv' ? toCsv(r.figures as unknown as Record<string, unknown>[], ['measure', 'kvinna', 'man', 'annat', 'total']) : JSON.stringify(r, null, 2) + '\n');
    }
    return 0;
  });
}

const participantArg = z.string({ error: 'ange deltagarens id' }).min(1, 'ange deltagarens id');

/** `lots audit --participant ID [--format text|json]`: who did or saw what of one person, when. */
async function audit(args: string[]): Promise<number> {
  const a = flagsFor(z.strictObject({ participant: participantArg, format: z.enum(['text', 'json']).default('text') }), args, 'cli:audit.usage');
  if (!a) return EXIT_USAGE;
  return withStore(async (db) => {
    const entries = await auditTrail(db, a.participant);
    // An erased participant's entries stay; an id that was never anyone's is said to be unknown,
    // as erase says it (a mistyped id read as "no activity").
    if (!entries.length && !(await db.query(`select 1 from participant where id = $1`, [a.participant])).length) {
      process.stderr.write(t('sv', 'cli:audit.unknown', { id: a.participant }) + '\n');
      return EXIT_USAGE;
    }
    if (a.format === 'json') process.stdout.write(JSON.stringify({ participant: a.participant, entries }, null, 2) + '\n');
    else if (!entries.length) process.stdout.write(t('sv', 'cli:audit.none', { id: a.participant }) + '\n');
    else
      for (const e of entries) {
        const at = DateTime.fromJSDate(new Date(e.at), { zone: 'Europe/Stockholm' }).toFormat('yyyy-MM-dd HH:mm:ss');
        const detail = Object.keys(e.detail ?? {}).length ? ` ${JSON.stringify(e.detail)}` : '';
        process.stdout.write(`${at}  ${e.actor}  ${e.action}${detail}\n`);
      }
    return 0;
  });
}

/** `lots erase --participant ID [--by WHO]`: removes a person's data, leaving an audit entry. */
async function erase(args: string[]): Promise<number> {
  const a = flagsFor(z.strictObject({ participant: participantArg, by: z.string().min(1).optional() }), args, 'cli:erase.usage');
  if (!a) return EXIT_USAGE;
  const by = a.by ?? `cli:${os.userInfo().username}`;
  return withStore(async (db, clock) => {
    const erased = await eraseParticipant(db, a.participant, by, clock.now());
    if (!erased) {
      process.stderr.write(t('sv', 'cli:erase.unknown', { id: a.participant }) + '\n');
      return EXIT_USAGE;
    }
    const rows = Object.values(erased.rows).reduce((x, y) => x + y, 0);
    process.stdout.write(t('sv', 'cli:erase.done', { id: a.participant, rows, by }) + '\n');
    return 0;
  });
}

const classifyLine = z.strictObject({
  text: z.string().max(2000),
  role: z.enum(['participant', 'staff']),
  now: z.iso.datetime({ offset: true }).optional(),
});

/** One understanding as the JSON line `classify` writes; `why` adds the reasons and the runners-up. */
function classifiedLine(input: z.infer<typeof classifyLine>, why: boolean): string {
  const u = classify({ ...input, now: input.now ? new Date(input.now) : new Date() });
  const { intent, confidence, slots } = u;
  // A participant's warning signs are shown even when no pair of them made a crisis: which half is there.
  const signs = input.role === 'participant' ? signsIn(input.text) : [];
  // --why also says who else reads the message: the coach, for words in another language or a concern.
  const passedOn = { ...(u.foreign ? { foreign: true } : {}), ...(u.concern ? { concern: true } : {}) };
  // The runners-up: the intents after the one chosen (it was listed as its own runner-up).
  const alternatives = (u.alternatives ?? []).filter((a) => a.intent !== intent);
  return JSON.stringify(why ? { intent, confidence, slots, reasons: u.reasons, alternatives, ...(signs.length ? { signs } : {}), ...passedOn } : { intent, confidence, slots }) + '\n';
}

const classifyArgs = z.strictObject({
  role: z.enum(['participant', 'staff']).default('participant'),
  now: z.iso.datetime({ offset: true }).optional(),
  why: z.boolean().default(false),
});

/**
 * `lots classify` reads JSON lines on stdin (PRODUCT.md). For a person trying it by hand, a text
 * after the flags is classified on its own: `lots classify --role staff --why "boka SIP med Anna"`.
 */
async function classifyCommand(args: string[]): Promise<number> {
  const flags = flagsFor(classifyArgs, args, 'cli:classifyUsage', ['why'], true);
  if (!flags) return EXIT_USAGE;
  if (!flags.words.length) return classifyStdin(flags.why);
  const parsed = classifyLine.safeParse({ text: flags.words.join(' '), role: flags.role, ...(flags.now ? { now: flags.now } : {}) });
  if (!parsed.success) {
    process.stderr.write(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n') + '\n' + t('sv', 'cli:classifyUsage') + '\n');
    return EXIT_USAGE;
  }
  process.stdout.write(classifiedLine(parsed.data, flags.why));
  return 0;
}

async function classifyStdin(why: boolean): Promise<number> {
  let bad = 0;
  let n = 0;
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let parsed;
    try {
      parsed = classifyLine.safeParse(JSON.parse(line));
    } catch (err) {
      parsed = { success: false as const, error: { issues: [{ message: (err as Error).message, path: [] }] } };
    }
    if (!parsed.success) {
      bad++;
      const reason = parsed.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
      process.stdout.write(JSON.stringify({ error: t('sv', 'cli:badLine', { line: n, reason }) }) + '\n');
      continue;
    }
    process.stdout.write(classifiedLine(parsed.data, why));
  }
  return bad ? EXIT_USAGE : 0;
}

async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  // The commands answer a person at a terminal in Swedish, zod's reasons too ("Okänd nyckel"); the
  // server's HTTP errors stay as they are (providers and tests read them).
  if (command !== 'serve') z.config(z.locales.sv());
  switch (command) {
    case 'serve':
      await serve();
      return undefined; // keeps running
    case 'import':
      return importFile(rest[0]);
    case 'demo': {
      const unknown = rest.find((arg) => arg !== '--json');
      if (unknown !== undefined) {
        process.stderr.write(t('sv', 'cli:unknownArgument', { arg: unknown }) + '\n' + t('sv', 'cli:usage') + '\n');
        return EXIT_USAGE;
      }
      process.stdout.write(JSON.stringify(demoProgramme(systemClock), null, 2) + '\n');
      return 0;
    }
    case 'version':
    case '--version':
    case '-v':
      process.stdout.write(`lots ${(JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string }).version}\n`);
      return 0;
    case 'classify':
      return classifyCommand(rest);
    case 'report':
      return report(rest);
    case 'audit':
      return audit(rest);
    case 'erase':
      return erase(rest);
    case undefined:
    case 'help':
    case '--help':
      process.stdout.write(t('sv', 'cli:usage') + '\n');
      return command ? 0 : EXIT_USAGE;
    default:
      process.stderr.write(t('sv', 'cli:unknownCommand', { command }) + '\n' + t('sv', 'cli:usage') + '\n');
      return EXIT_USAGE;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (err: Error) => {
    // A configuration mistake is the operator's to fix: say what, not a stack trace.
    if (err instanceof z.ZodError) process.stderr.write(t('sv', 'cli:badConfig', { reason: err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') }) + '\n');
    else process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  },
);
