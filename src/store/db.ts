// One small database interface over both engines: PGlite (embedded default) and PostgreSQL.
// The same SQL runs on both; only connection and transactions differ.
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { migrate } from './migrate.js';

export interface Db {
  readonly kind: 'pglite' | 'postgres';
  /** One parameterised statement; returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** A script of several statements, without parameters. */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction; nested calls reuse the outer one. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** PGlite only: the whole database as a tarball (tests copy a template this way). */
  dump?(): Promise<Blob>;
}

interface Queryable {
  query(sql: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  exec?(sql: string): Promise<unknown>;
}

function wrap(kind: Db['kind'], q: Queryable, transaction: Db['transaction'], close: () => Promise<void>): Db {
  return {
    kind,
    query: async <T>(sql: string, params?: unknown[]) => (await q.query(sql, params ?? [])).rows as T[],
    exec: async (sql: string) => {
      if (q.exec) await q.exec(sql);
      else await q.query(sql);
    },
    transaction,
    close,
  };
}

export async function openPglite(dataDir: string | undefined, loadDataDir?: Blob): Promise<Db> {
  const pglite = await PGlite.create(dataDir, loadDataDir ? { loadDataDir } : {});
  const db: Db = wrap(
    'pglite',
    pglite,
    (fn) =>
      pglite.transaction(async (tx) => {
        const inner: Db = wrap('pglite', tx, (f) => f(inner), async () => {});
        return fn(inner);
      }),
    () => pglite.close(),
  );
  return { ...db, dump: () => pglite.dumpDataDir('none') as Promise<Blob> };
}

export async function openPostgres(connectionString: string): Promise<Db> {
  const pool = new pg.Pool({ connectionString, max: 10 });
  // A broken idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db: Db = wrap(
    'postgres',
    pool,
    async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const inner: Db = wrap('postgres', client, (f) => f(inner), async () => {});
        const result = await fn(inner);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      } finally {
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
  return db;
}
