#!/usr/bin/env node
// `lots`: serve | import FILE | demo --json | classify | report
import fs from 'node:fs';
import readline from 'node:readline';
import { z } from 'zod';
import { DateTime } from 'luxon';
import { loadConfig } from '../config.js';
import { createLogger } from '../util/log.js';
import { createApp } from '../app.js';
import { DataDirLocked, openStore } from '../store/db.js';
import { systemClock } from '../model/index.js';
import { t } from '../i18n/index.js';
import { applyImport, formatIssue, ImportError, parseImport } from '../directory/import.js';
import { demoProgramme } from '../directory/demo.js';
import { classify } from '../understanding/classify.js';
import { buildReport, susExport, toCsv } from '../reports/report.js';

const EXIT_USAGE = 2;

async function serve(): Promise<void> {
  const config = loadConfig();
  const log = createLogger({ level: config.logLevel });
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
    process.stderr.write(t('sv', 'cli:usage') + '\n');
    return EXIT_USAGE;
  }
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    process.stderr.write(t('sv', 'cli:fileMissing', { file, reason: (err as Error).message }) + '\n');
    return EXIT_USAGE;
  }
  const config = loadConfig();
  try {
    // Check the file's shape before touching the store, so a bad file never creates one.
    const plan = parseImport(text, file);
    const db = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const summary = await applyImport(db, plan, systemClock, 'cli:import');
      process.stdout.write(t('sv', 'cli:import.done', { ...summary }) + '\n');
      return 0;
    } finally {
      await db.close();
    }
  } catch (err) {
    if (err instanceof DataDirLocked) {
      process.stderr.write(t('sv', 'cli:dataDirLocked', { dir: err.dataDir, pid: err.pid }) + '\n');
      return EXIT_USAGE;
    }
    if (!(err instanceof ImportError)) throw err;
    process.stderr.write(t('sv', 'cli:import.refused') + '\n' + err.issues.map((i) => `  ${formatIssue(i)}`).join('\n') + '\n');
    return EXIT_USAGE;
  }
}

const isoDay = z
  .string({ error: 'ange ett datum som ÅÅÅÅ-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'ange ett datum som ÅÅÅÅ-MM-DD')
  .refine((s) => DateTime.fromISO(s).isValid, 'det datumet finns inte');
const reportArgs = z
  .strictObject({ from: isoDay, to: isoDay, format: z.enum(['csv', 'json']).default('json'), sus: z.boolean().default(false) })
  .refine((a) => a.from <= a.to, { message: '--from efter --to', path: ['from'] });

/** `lots report --from 2026-01-01 --to 2026-06-30 [--format csv|json] [--sus]` */
async function report(args: string[]): Promise<number> {
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < args.length; i++) {
    const m = /^--(\w+)$/.exec(args[i]!);
    if (!m) {
      process.stderr.write(t('sv', 'cli:report.usage') + '\n');
      return EXIT_USAGE;
    }
    const next = args[i + 1];
    if (m[1] === 'sus') flags.sus = true;
    else if (next !== undefined && !next.startsWith('--')) flags[m[1]!] = args[++i]!;
    else flags[m[1]!] = '';
  }
  const parsed = reportArgs.safeParse(flags);
  if (!parsed.success) {
    process.stderr.write(parsed.error.issues.map((i) => `${i.path.join('.') || 'argument'}: ${i.message}`).join('\n') + '\n' + t('sv', 'cli:report.usage') + '\n');
    return EXIT_USAGE;
  }
  const { from, to, format, sus } = parsed.data;
  const config = loadConfig();
  const db = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    if (sus) {
      const rows = await susExport(db, { from, to });
      process.stdout.write(format === 'csv' ? toCsv(rows, ['id', 'gender', 'startedAt', 'endedAt', 'exitReason', 'incomeAtStart']) : JSON.stringify({ from, to, participants: rows }, null, 2) + '\n');
    } else {
      const r = await buildReport(db, { from, to });
      process.stdout.write(format === 'csv' ? toCsv(r.figures as unknown as Record<string, unknown>[], ['measure', 'kvinna', 'man', 'annat', 'total']) : JSON.stringify(r, null, 2) + '\n');
    }
    return 0;
  } finally {
    await db.close();
  }
}

const classifyLine = z.strictObject({
  text: z.string().max(2000),
  role: z.enum(['participant', 'staff']),
  now: z.iso.datetime({ offset: true }).optional(),
});

async function classifyStdin(): Promise<number> {
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
    const { intent, confidence, slots } = classify({ ...parsed.data, now: parsed.data.now ? new Date(parsed.data.now) : new Date() });
    process.stdout.write(JSON.stringify({ intent, confidence, slots }) + '\n');
  }
  return bad ? EXIT_USAGE : 0;
}

async function main(argv: string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve();
      return undefined; // keeps running
    case 'import':
      return importFile(rest[0]);
    case 'demo':
      process.stdout.write(JSON.stringify(demoProgramme(systemClock), null, 2) + '\n');
      return 0;
    case 'classify':
      return classifyStdin();
    case 'report':
      return report(rest);
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
