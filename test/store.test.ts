import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { openPglite, statementName, TransactionRolledBack, type Db } from '../src/store/db.js';
import { engines, testDb } from './support/db.js';
import { migrate } from '../src/store/migrate.js';
import { metrics } from '../src/util/metrics.js';

const MARK_SENT = `update outbox set status = 'sent' where id = $1`;
const planOf = async (db: Db, sql: string, param: string) =>
  (await db.exec<{ 'QUERY PLAN': string }>(`explain execute ${statementName(sql)}('${param}')`)).map((r) => r['QUERY PLAN']).join('\n');
/** Many outbox rows in one statement (so the store's statement count does not start its upkeep). */
const growOutbox = (db: Db, rows: number) =>
  db.query(`insert into outbox (created_at, channel, recipient, purpose, text) select now(), 'sms', '+4670' || i, 'reply', 'Hej' from generate_series(1, $1) i`, [rows]);

describe('PGlite upkeep (PGlite has no autovacuum)', () => {
  it('a statement prepared while its table was empty finds one row by its index once the table has grown', async () => {
    const db = await openPglite(undefined);
    await migrate(db);
    await db.exec('analyze');
    // Five runs and PostgreSQL keeps a generic plan, made for the empty table.
    for (let i = 0; i < 8; i++) await db.query(MARK_SENT, [randomUUID()]);
    await growOutbox(db, 5_000);
    // Without upkeep that plan reads every row to update one (each send slower than the last).
    expect(await planOf(db, MARK_SENT, randomUUID())).toMatch(/Seq Scan on outbox/);
    await db.upkeep!();
    expect(await planOf(db, MARK_SENT, randomUUID())).toMatch(/Index Scan using outbox_pkey/);
    await db.close();
  });

  it('runs by itself after a thousand statements, on the tables that grew', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lots-upkeep-'));
    try {
      let db = await openPglite(path.join(dir, 'data'));
      await migrate(db);
      await db.exec('analyze');
      await growOutbox(db, 5_000);
      const pages = `select relname, relpages from pg_class where relname in ('outbox', 'participant') order by relname`;
      expect(await db.query(pages)).toEqual([{ relname: 'outbox', relpages: 0 }, { relname: 'participant', relpages: 0 }]);
      for (let i = 0; i < 1_000; i++) await db.query('select 1');
      await db.close(); // waits for the upkeep the thousandth statement started
      expect(metrics.render()).toContain('lots_store_upkeep_total{outcome="done"}');
      db = await openPglite(path.join(dir, 'data'));
      const [outbox, participant] = await db.query<{ relpages: number }>(pages);
      expect(outbox!.relpages).toBeGreaterThan(10);
      expect(participant!.relpages).toBe(0); // it did not grow, so it was left alone
      await db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('PGlite WAL', () => {
  it('starts a new segment without a zero-fill, and what was written after a switch survives reopening', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lots-wal-'));
    try {
      let db = await openPglite(path.join(dir, 'data'));
      expect(await db.query('show wal_init_zero')).toEqual([{ wal_init_zero: 'off' }]);
      await db.exec('create table w (a int)');
      await db.query(`select pg_switch_wal()`); // the next write goes to a new segment, made without zeros
      await db.query('insert into w select generate_series(1, 1000)');
      await db.close();
      db = await openPglite(path.join(dir, 'data'));
      expect(await db.query('select count(*)::int as n from w')).toEqual([{ n: 1000 }]);
      await db.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(engines)('transactions on %s', (engine) => {
  const table = `create table if not exists t (a int primary key)`;
  const rows = async (db: Db) => (await db.query<{ a: number }>('select a from t order by a')).map((r) => r.a);

  it('commits what the function wrote and returns its result; exec runs inside it', async () => {
    const db = await testDb(engine, 'empty');
    await db.exec(table);
    const result = await db.transaction(async (tx) => {
      await tx.exec('insert into t values (1); insert into t values (2)');
      await tx.query('insert into t values ($1)', [3]);
      return (await tx.query<{ n: number }>('select count(*)::int as n from t'))[0]!.n;
    });
    expect(result).toBe(3);
    expect(await rows(db)).toEqual([1, 2, 3]);
    await db.close();
  });

  it('undoes everything when the function throws, and the store goes on', async () => {
    const db = await testDb(engine, 'empty');
    await db.exec(table);
    await expect(db.transaction(async (tx) => {
      await tx.query('insert into t values ($1)', [1]);
      throw new Error('the handler failed');
    })).rejects.toThrow('the handler failed');
    expect(await rows(db)).toEqual([]);
    await db.close();
  });

  it('refuses to report a commit when a statement failed inside and its error was caught', async () => {
    const db = await testDb(engine, 'empty');
    await db.exec(table);
    const failed = await db.transaction(async (tx) => {
      await tx.query('insert into t values ($1)', [1]);
      await tx.query('insert into t values ($1)', [1]).catch((err: { code?: string }) => expect(err.code).toBe('23505'));
      return 'done';
    }).catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(TransactionRolledBack);
    expect(await rows(db)).toEqual([]);
    // Errors carry PostgreSQL's code on both engines, outside a transaction too.
    await db.query('insert into t values ($1)', [1]);
    await expect(db.query('insert into t values ($1)', [1])).rejects.toMatchObject({ code: '23505' });
    await db.close();
  });
  it('ends a transaction only after the statements started in it, awaited or not', async () => {
    // Found in review: COMMIT and ROLLBACK once overtook statements a caller had started at once,
    // which then ran after the transaction, outside it, or in the next caller's.
    const db = await testDb(engine, 'empty');
    await db.exec(table);
    await expect(db.transaction((tx) => Promise.all([tx.query('select 1/0'), ...[1, 2, 3].map((a) => tx.query('insert into t values ($1)', [a]))]))).rejects.toThrow('division by zero');
    const ignored = () => {};
    const unawaited = await db.transaction(async (tx) => {
      tx.query('insert into t values ($1)', [1]).catch(ignored);
      tx.query('insert into t values ($1)', [2]).catch(ignored);
      tx.query('select 1/0').catch(ignored);
      return 'returned';
    }).catch((err: unknown) => err);
    expect(unawaited).toBeInstanceOf(TransactionRolledBack);
    const next = await db.transaction(async (tx) => (await tx.query('insert into t values ($1) returning a', [9]))[0]);
    expect(next).toEqual({ a: 9 });
    expect(await rows(db)).toEqual([9]);
    await db.close();
  });
});

describe.each(engines)('a transaction handle on %s', (engine) => {
  it('refuses statements once its transaction has ended, so none runs in another', async () => {
    const db = await testDb(engine, 'empty');
    await db.exec('create table t (a int primary key)');
    const kept = await db.transaction(async (tx) => tx);
    await expect(kept.query('insert into t values ($1)', [1])).rejects.toThrow('the transaction has ended');
    await expect(kept.exec('insert into t values (2)')).rejects.toThrow('the transaction has ended');
    expect(await db.query('select a from t')).toEqual([]);
    await db.close();
  });
});

describe('a closed PGlite store', () => {
  it('refuses a statement or a transaction at once, and keeps the first error when a transaction fails', async () => {
    const db = await openPglite(undefined);
    await db.exec('create table t (a int primary key)');
    await expect(db.transaction(async (tx) => {
      await tx.query('insert into t values ($1)', [1]);
      throw new Error('the handler failed');
    })).rejects.toThrow('the handler failed');
    await db.close();
    await expect(db.query('select 1')).rejects.toThrow();
    await expect(db.transaction((tx) => tx.query('select 1'))).rejects.toThrow();
  });
});
