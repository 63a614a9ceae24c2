// One small database interface over both engines: PGlite (embedded default) and PostgreSQL.
// The same SQL runs on both; only connection and transactions differ.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import pgUtils from 'pg/lib/utils.js';
import { serialize, type DatabaseError } from 'pg-protocol';
import type { CommandCompleteMessage, DataRowMessage, RowDescriptionMessage } from 'pg-protocol/dist/messages.js';
import { Parser } from 'pg-protocol/dist/parser.js';
import { migrate } from './migrate.js';
import { TIME_ZONE } from '../model/index.js';
import { metrics } from '../util/metrics.js';

// Every session speaks Lots' time zone: a date cast to a time ("2026-01-01"::date compared with a
// meeting's start) is Stockholm's midnight, not UTC's, on both engines. Instants are unaffected.

export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** One parameterised statement; returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A script of several statements, without parameters; returns the last statement's rows. */
  exec<T = Record<string, unknown>>(sql: string): Promise<T[]>;
  /** Runs `fn` in one transaction; nested calls reuse the outer one. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** PGlite only: the whole database as a tarball (tests copy a template this way). Not inside a transaction: it would wait for it. */
  dump?(): Promise<Blob>;
  /** PGlite only: vacuums and analyses the tables that grew (it runs by itself every thousand statements). Not inside a transaction: it would wait for it. */
  upkeep?(): Promise<void>;
}

/** A statement failed inside a transaction and its error was caught: PostgreSQL undid the whole transaction at COMMIT. */
export class TransactionRolledBack extends Error {
  constructor() {
    super('a statement in the transaction failed, so COMMIT rolled it all back');
  }
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  exec?(sql: string): Promise<unknown>;
}

/** A transaction's statements, refused once `end` is called: a handle kept past its transaction would run them in another, or in none. */
function untilEnded(q: Queryable): { statements: Queryable; end: () => void } {
  let open = true;
  const ended = () => Promise.reject(new Error('the transaction has ended'));
  return {
    statements: { query: (sql, params) => (open ? q.query(sql, params) : ended()), exec: (sql) => (open ? q.exec!(sql) : ended()) },
    end: () => (open = false),
  };
}

function wrap(kind: Db['kind'], q: Queryable, transaction: Db['transaction'], close: () => Promise<void>): Db {
  return {
    kind,
    query: async <T>(sql: string, params?: unknown[]) => (await q.query(sql, params ?? [])).rows as T[],
    exec: async <T>(sql: string) => {
      // PGlite's exec and pg's parameterless query both return one result per statement.
      const results = (q.exec ? await q.exec(sql) : await q.query(sql)) as { rows: unknown[] } | { rows: unknown[] }[];
      const last = Array.isArray(results) ? results.at(-1) : results;
      return (last?.rows ?? []) as T[];
    },
    transaction,
    close,
  };
}

/** Beyond this many distinct statements, further ones are parsed each time (a bound, not a limit met). */
const MAX_PREPARED = 1_000;

// The texts come from the code, so the map stays small.
const statementNames = new Map<string, string>();
/** A statement's name on either engine: the same text, the same name, in every process. */
export function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) statementNames.set(sql, (name = `lots_${createHash('sha1').update(sql).digest('hex').slice(0, 20)}`));
  return name;
}

/**
 * PGlite's own query() parses, plans and describes each statement afresh in six calls into
 * WebAssembly: a turn's nine statements cost more that way than all the rest of Lots' work. Here
 * each SQL text is parsed once, as a named prepared statement (PostgreSQL keeps it for the
 * session, re-planning by its own rules), and then only bound and run, in one call. Both ways
 * speak node-postgres' own protocol code: its serializer writes the parameters, so both engines
 * receive the same values, and its parser reads the answer, taken raw from PGlite. PGlite's
 * parser, down-levelled to private fields kept in WeakMaps, took 40 of a select's 57 µs.
 */
function preparedStatements(pglite: PGlite, isClosed: () => boolean) {
  const prepared = new Set<string>();
  /** Sends the messages, then a Sync; returns the last statement's rows and command, or throws its error. */
  const send = async (messages: Buffer[]) => {
    // Checked under the lock, which close() takes to mark the store closing: a statement sent to a
    // backend shutting down could spin for ever (PGlite's own query() checks the same).
    if (isClosed() || !pglite.ready) throw new Error('the store is closed');
    const answer: Buffer[] = [];
    // The chunks are views of WebAssembly memory, reused by the next call: copied at once.
    await pglite.execProtocolRawStream(Buffer.concat([...messages, serialize.sync()]), {
      syncToFs: false,
      onRawData: (chunk) => answer.push(Buffer.from(chunk)),
    });
    let fields: { name: string; dataTypeID: number }[] = [];
    let rows: Record<string, unknown>[] = [];
    let command = '';
    let last: Record<string, unknown>[] = [];
    let error: Error | undefined;
    new Parser().parse(Buffer.concat(answer), (message) => {
      if (message.name === 'rowDescription') {
        fields = (message as RowDescriptionMessage).fields;
        rows = [];
      } else if (message.name === 'dataRow') {
        const row: Record<string, unknown> = {};
        (message as DataRowMessage).fields.forEach((value, i) => {
          const { name, dataTypeID } = fields[i]!;
          const parser = pglite.parsers[dataTypeID];
          row[name] = value === null || !parser ? value : parser(value, dataTypeID);
        });
        rows.push(row);
      } else if (message.name === 'commandComplete') {
        command = (message as CommandCompleteMessage).text;
        last = rows;
        rows = [];
      }
      else if (message.name === 'error') error ??= message as DatabaseError;
    });
    if (error) throw error;
    return { rows: last, command };
  };
  /** Runs one statement; the caller holds the store's lock. */
  async function run(sql: string, params: unknown[]): Promise<unknown[]> {
    let name: string | undefined = statementName(sql);
    if (!prepared.has(name)) {
      if (prepared.size < MAX_PREPARED) {
        // Parsed on its own first: a statement that does not parse throws here and is not kept.
        await send([serialize.parse({ text: sql, name, types: [] })]);
        prepared.add(name);
      } else name = undefined;
    }
    const values = params.map((p) => pgUtils.prepareValue(p) as string | null);
    const { rows } = await send([
      ...(name === undefined ? [serialize.parse({ text: sql, types: [] })] : []),
      serialize.bind({ statement: name ?? '', values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
    ]);
    return rows;
  }
  /** A script of statements without parameters (COMMIT's command is ROLLBACK if the transaction had failed). */
  const script = (sql: string) => send([serialize.query(sql)]);
  return { run, script };
}

/** Runs `work` when every earlier caller's work has ended, one at a time, first come first served. */
type Exclusive = <T>(work: () => Promise<T>) => Promise<T>;

/**
 * PGlite runs one statement at a time, and a transaction's statements must not interleave with any
 * other. A lock of the store's own serves both: a transaction holds it from BEGIN to COMMIT, and a
 * statement outside one takes it for itself. (PGlite's own two mutexes, down-levelled generators,
 * cost 10–15 µs a statement, a twentieth of a turn.)
 */
function exclusiveLock(): Exclusive {
  let tail: Promise<unknown> = Promise.resolve();
  return (work) => {
    const turn = tail.then(work);
    tail = turn.catch(() => {});
    return turn;
  };
}

/** PGlite has no autovacuum: after this many statements, the tables that grew are looked after. */
const STATEMENTS_BETWEEN_UPKEEP = 1_000;

/**
 * What PostgreSQL's autovacuum does, for PGlite, which has none. Without it a statement prepared
 * while a table was small keeps the plan made then: a send's "update outbox … where id = $1"
 * read the whole outbox, and each message cost more than the one before until the process was
 * restarted (that statement alone: 0.3 ms at 2,000 messages, 0.8 ms at 8,000; a whole reply 1.4
 * and 4.8 ms). Updated rows' old versions were never reclaimed either. A table is vacuumed and
 * analysed once it has grown by a fifth and by 8 pages (autovacuum's own rule, counted in pages,
 * as PGlite keeps no activity statistics); analysing makes PostgreSQL plan its statements again.
 */
function autovacuum(alone: (sql: string) => Promise<{ rows: Record<string, unknown>[] }>) {
  let statements = 0;
  let running: Promise<void> | undefined;
  let closing = false;
  async function upkeep() {
    const { rows: grown } = await alone(
      `select quote_ident(c.relname) as name from pg_class c
       where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r'
         and pg_relation_size(c.oid) / current_setting('block_size')::int > 8 + 1.2 * c.relpages`,
    );
    // One table at a time, so statements waiting in between are not held up by all of them.
    for (const { name } of grown) await alone(`vacuum analyze ${name as string}`);
  }
  return {
    /** Counts one statement; every thousandth starts the upkeep. */
    counted() {
      if (++statements % STATEMENTS_BETWEEN_UPKEEP || running || closing) return;
      // It queues for the store's lock behind the statement that called it (a timer would wait for a
      // busy loop of statements to end). Only speed depends on it: one that fails is tried again
      // after the next thousand statements, and counted at /metrics so a lasting failure shows.
      running = upkeep()
        .then(() => metrics.count('lots_store_upkeep_total', { outcome: 'done' }))
        .catch(() => metrics.count('lots_store_upkeep_total', { outcome: 'failed' }))
        .finally(() => (running = undefined));
    },
    upkeep,
    /** Starts no more upkeep and waits for the one in progress, so the database is not closed under it. */
    settled: () => {
      closing = true;
      return running ?? Promise.resolve();
    },
  };
}

export class DataDirLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`${dataDir} is in use by process ${pid}`);
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * PGlite is one process's database: a second process opening the same folder would write to a
 * copy that is then lost. A pid file beside the folder says who holds it; a dead holder's file
 * is taken over.
 */
function lockDataDir(dataDir: string): () => void {
  const file = `${path.resolve(dataDir)}.lock`;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(file, 'utf8'));
      if (holder && holder !== process.pid && alive(holder)) throw new DataDirLocked(path.resolve(dataDir), holder);
      fs.rmSync(file, { force: true });
    }
  }
}

export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Db> {
  const unlock = dataDir ? lockDataDir(dataDir) : () => {};
  let pglite: PGlite;
  try {
    pglite = await PGlite.create(dataDir, loadDataDir ? { loadDataDir } : {});
    await pglite.exec(`set time zone '${TIME_ZONE}'`);
    // Lots' statements are simple lookups: a tenth of PostgreSQL's usual sample is plenty for their
    // plans, and keeps each analysis of a grown table (upkeep below) to milliseconds (62,000 outbox
    // rows: 14 ms instead of 92, while every other statement waits).
    await pglite.exec('set default_statistics_target = 10');
    // A new 16 MB WAL segment is not filled with zeros first. PGlite writes through its emulated file
    // system, which grows a file by copying it, and the zero-fill held up every request for 100–250 ms
    // once a segment (found as the inbound bench's p99). Recovery reads records by their checksums,
    // not by the zeros (the setting is PostgreSQL's own, for file systems where the fill is waste).
    await pglite.exec('set wal_init_zero = off');
  } catch (err) {
    unlock();
    throw err;
  }
  const exclusive = exclusiveLock();
  let closed = false;
  const { run, script } = preparedStatements(pglite, () => closed);
  // Outside a transaction, a statement or script waits for any open one, and its writes reach the
  // file system after it (PGlite's own exec() parsed its answer with the slow parser). The upkeep
  // runs its statements this way too.
  const alone = <T>(work: () => Promise<T>) =>
    exclusive(async () => {
      const result = await work();
      await pglite.syncToFs();
      return result;
    });
  const scriptAlone = (sql: string) => alone(() => script(sql));
  const vacuum = autovacuum(scriptAlone);
  const query = async (sql: string, params?: unknown[]) => {
    vacuum.counted();
    return { rows: await run(sql, params ?? []) };
  };
  const outside: Queryable = { query: (sql, params) => alone(() => query(sql, params)), exec: scriptAlone };
  // A transaction as PGlite's own transaction() runs one, with its statements sent the same way
  // as the others (its BEGIN and COMMIT went through PGlite's parser, 60 µs each).
  const transaction: Db['transaction'] = (fn) =>
    exclusive(async () => {
      await script('BEGIN');
      // Its statements one at a time even when a caller starts two at once.
      const inTurn = exclusiveLock();
      const { statements, end } = untilEnded({ query: (sql, params) => inTurn(() => query(sql, params)), exec: (sql) => inTurn(() => script(sql)) });
      const inner: Db = wrap('pglite', statements, (f) => f(inner), async () => {});
      // COMMIT and ROLLBACK queue behind the statements already started (a caller that did not
      // await them), so none of those runs after its transaction, outside the lock; new ones are refused.
      try {
        const result = await fn(inner);
        end();
        // A statement that failed inside, its error caught, has already doomed the transaction.
        if ((await inTurn(() => script('COMMIT'))).command !== 'COMMIT') throw new TransactionRolledBack();
        await pglite.syncToFs();
        return result;
      } catch (err) {
        end();
        // The first error is the one to report; a failed COMMIT has ended the transaction already.
        await inTurn(() => script('ROLLBACK')).catch(() => {});
        throw err;
      }
    });
  const db: Db = wrap('pglite', outside, transaction,
    async () => {
      await vacuum.settled();
      // Under the lock: statements queued before this ends first; those queued after are refused.
      await exclusive(async () => void (closed = true));
      await pglite.close();
      unlock();
    },
  );
  return { ...db, dump: () => exclusive(() => pglite.dumpDataDir('none') as Promise<Blob>), upkeep: vacuum.upkeep };
}

/** node-postgres prepares a named statement once per connection, then only binds and runs it. */
function preparedOn(q: pg.Pool | pg.PoolClient): Queryable {
  return {
    query: (sql, params) => q.query({ name: statementName(sql), text: sql, values: params }),
    exec: (sql) => q.query(sql),
  };
}

export async function openPostgres(connectionString: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max: 10, options: `-c TimeZone=${TIME_ZONE}` });
  // A broken idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db: Db = wrap(
    'postgres',
    preparedOn(pool),
    async (fn) => {
      const client = await pool.connect();
      const { statements, end } = untilEnded(preparedOn(client));
      try {
        await client.query('BEGIN');
        const inner: Db = wrap('postgres', statements, (f) => f(inner), async () => {});
        const result = await fn(inner);
        if ((await client.query('COMMIT')).command !== 'COMMIT') throw new TransactionRolledBack();
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
        end();
        client.release();
      }
    },
    () => pool.end(),
  );
  return db;
}

export interface StoreOptions {
  databaseUrl?: string;
  dataDir: string;
}

/** Opens the store the configuration names and brings its schema up to date. */
export async function openStore(opts: StoreOptions): Promise<Db> {
  const db = opts.databaseUrl ? await openPostgres(opts.databaseUrl) : await openPglite(opts.dataDir);
  await migrate(db);
  // PGlite has no autovacuum: without statistics the planner takes a big table for a one-row one
  // (a digest went from 20 ms to 120 ms a query). PostgreSQL keeps its own. From here on the store's
  // own upkeep keeps them as tables grow.
  if (db.kind === 'pglite') await db.exec('analyze');
  return db;
}
