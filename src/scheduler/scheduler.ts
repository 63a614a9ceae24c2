// Sends planned by Lots' clock. A planned_send row says what is due when; a tick claims the rows
// that are due by Lots' clock (not the database's: the simulator and tests move it) and hands
// them to pg-boss as jobs in the same transaction; workers take jobs from pg-boss and turn each
// into outbox messages, completing the job in the transaction that writes them. So a claimed row
// is handed over once, a job that dies half-way is retried by pg-boss, and a retried job whose
// row is already done does nothing: each send happens once, across restarts and processes.
import type { Logger } from 'pino';
import PgBoss from 'pg-boss';
import type { Db } from '../store/db.js';
import type { Clock, OutboundMessage } from '../model/index.js';
import { enqueue } from '../outbox/outbox.js';
import { metrics } from '../util/metrics.js';
import { JOB_QUEUE } from './queue-name.js';
import { errorFields } from '../util/log.js';

export interface PlannedSend {
  id: string;
  kind: string;
  ref: string;
  version: number;
  label: string;
  participantId: string | null;
  dueAt: Date;
}

/** What to do with a send that fell due: send these messages, skip it (and say why), or wait. */
export type DueOutcome = { send: OutboundMessage[] } | { skip: string } | { deferTo: Date };

/** Remembers a value for the rest of one batch (settings, staff): thousands of sends at once share them. */
export type Memo = <T>(key: string, load: () => Promise<T>) => Promise<T>;

/** Decides, at send time, what a planned send of one kind becomes. Parts register one per kind. */
export type DueHandler = (tx: Db, send: PlannedSend, now: Date, memo: Memo) => Promise<DueOutcome>;

function batchMemo(): Memo {
  const values = new Map<string, Promise<unknown>>();
  return <T>(key: string, load: () => Promise<T>) => {
    let v = values.get(key) as Promise<T> | undefined;
    if (!v) values.set(key, (v = load()));
    return v;
  };
}

export const PLANNED_COLUMNS = `id, kind, ref, version, label, participant_id as "participantId", due_at as "dueAt"`;

/** pg-boss speaks to the database through Lots' own store, so PGlite and PostgreSQL behave alike. */
export function bossDb(db: Db): PgBoss.Db {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({ rows: values?.length ? await db.query(text, values) : await db.exec(text) }),
  } as PgBoss.Db;
}

export interface SchedulerOptions {
  db: Db;
  clock: Clock;
  log: Logger;
  handlers: Record<string, DueHandler>;
  /** Run in a transaction before each tick: parts plan what recurs (the next weekly check-in). */
  planners?: ((tx: Db, now: Date) => Promise<void>)[];
  /** How many sends one transaction claims or works through. */
  batchSize?: number;
}

export async function createScheduler(opts: SchedulerOptions) {
  const { db, clock, log, handlers } = opts;
  const batchSize = opts.batchSize ?? 500;
  const boss = new PgBoss({ db: bossDb(db), schema: 'pgboss', schedule: false, supervise: true, migrate: true });
  // pg-boss reports trouble as events; an unheard 'error' event would end the process.
  boss.on('error', (err: Error) => log.error(errorFields(err), 'job queue error'));
  await boss.start();
  // pg-boss 10's types omit the data argument that its code expects before the options; without
  // it the options would be read as data and the completion would leave our transaction.
  const complete = (ids: string[], tx: Db) =>
    (boss.complete as unknown as (name: string, ids: string[], data: null, options: PgBoss.ConnectionOptions) => Promise<void>)(JOB_QUEUE, ids, null, { db: bossDb(tx) });

  /** Claims what is due by Lots' clock and hands it to pg-boss. Returns how many were handed over. */
  async function handOver(now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const handed = await db.transaction(async (tx) => {
        const rows = await tx.query<{ id: string }>(
          `update planned_send set status = 'queued'
           where id in (select id from planned_send where status = 'planned' and due_at <= $1 order by due_at limit $2 for update skip locked)
           returning id`,
          [now, batchSize],
        );
        // Due now, so fetchable at once: pg-boss takes a job when start_after < now(), and PGlite's
        // now() counts whole milliseconds, so a fetch in the same millisecond as this insert missed
        // it and the reminder waited for the next tick (an hour late in the simulator; found in CI).
        if (rows.length) await boss.insert(rows.map((r) => ({ name: JOB_QUEUE, data: { send: r.id }, startAfter: '-1 second' })), { db: bossDb(tx) });
        return rows.length;
      });
      total += handed;
      if (handed < batchSize) return total;
    }
  }

  /**
   * Runs planned sends inside one transaction; returns the outbox ids written. The rows are marked
   * done in one statement first (a skip or deferral corrects its own row), and every message is
   * written in one statement at the end: thousands of reminders at once cost few round trips.
   */
  async function runSends(tx: Db, sendIds: string[], now: Date, memo: Memo): Promise<string[]> {
    // A row no longer 'queued' was done by an earlier run of the same job: nothing happens twice.
    const sends = await tx.query<PlannedSend>(
      `update planned_send set status = 'done', done_at = $2 where id = any($1::uuid[]) and status = 'queued' returning ${PLANNED_COLUMNS}`,
      [sendIds, now],
    );
    sends.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
    const out: OutboundMessage[] = [];
    for (const send of sends) {
      const handler = handlers[send.kind];
      const outcome: DueOutcome = handler ? await handler(tx, send, now, memo) : { skip: `no handler for ${send.kind}` };
      if ('deferTo' in outcome) {
        await tx.query(`update planned_send set status = 'planned', due_at = $2, reason = 'deferred', done_at = null where id = $1`, [send.id, outcome.deferTo]);
        log.info({ send: send.id, kind: send.kind, label: send.label }, 'send deferred');
      } else if ('skip' in outcome) {
        await tx.query(`update planned_send set status = 'skipped', reason = $2 where id = $1`, [send.id, outcome.skip]);
        log.info({ send: send.id, kind: send.kind, label: send.label, reason: outcome.skip }, 'send skipped');
        metrics.count('lots_planned_sends_total', { kind: send.kind, outcome: 'skipped' });
      } else {
        metrics.count('lots_planned_sends_total', { kind: send.kind, outcome: 'sent' });
        out.push(...outcome.send);
      }
    }
    return enqueue(tx, out, now);
  }

  /** Takes jobs from pg-boss until none is left; returns the outbox ids written. */
  async function work(now: Date): Promise<string[]> {
    const written: string[] = [];
    for (;;) {
      const jobs = (await boss.fetch<{ send: string }>(JOB_QUEUE, { batchSize })) ?? [];
      if (!jobs.length) return written;
      try {
        // The batch in one transaction: jobs complete exactly when their messages are written.
        const ids = await db.transaction(async (tx) => {
          const out = await runSends(tx, jobs.map((j) => j.data.send), now, batchMemo());
          await complete(jobs.map((j) => j.id), tx);
          return out;
        });
        written.push(...ids);
      } catch (err) {
        // One bad send must not hold back the rest: retry the batch one job at a time.
        log.warn({ ...errorFields(err), jobs: jobs.length }, 'batch of sends failed; trying them one by one');
        for (const job of jobs) {
          try {
            const ids = await db.transaction(async (tx) => {
              const out = await runSends(tx, [job.data.send], now, batchMemo());
              await complete([job.id], tx);
              return out;
            });
            written.push(...ids);
          } catch (err) {
            log.error({ send: job.data.send, ...errorFields(err) }, 'planned send failed; pg-boss retries it');
            await boss.fail(JOB_QUEUE, job.id, { error: (err as Error).name });
          }
        }
      }
    }
  }

  /** Everything due by Lots' clock now: hand over, then work. Returns the outbox ids written. */
  async function tick(): Promise<string[]> {
    const now = clock.now();
    if (opts.planners?.length) await db.transaction(async (tx) => {
      for (const plan of opts.planners!) await plan(tx, now);
    });
    await handOver(now);
    return work(now);
  }

  return { tick, handOver, work, stop: () => boss.stop({ graceful: false, wait: true, close: false }) };
}

export type Scheduler = Awaited<ReturnType<typeof createScheduler>>;

/**
 * Plans one send. Planning the same (kind, ref, version, label) again changes nothing; a row
 * due before it was planned is recorded as skipped with the reason, never silently dropped.
 */
export async function planSend(
  tx: Db,
  send: { kind: string; ref: string; version: number; label: string; participantId: string | null; dueAt: Date },
  now: Date,
  skip?: string,
): Promise<void> {
  await tx.query(
    `insert into planned_send (kind, ref, version, label, participant_id, due_at, status, reason, planned_at, done_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (kind, ref, version, label) do nothing`,
    [send.kind, send.ref, send.version, send.label, send.participantId, send.dueAt, skip ? 'skipped' : 'planned', skip ?? null, now, skip ? now : null],
  );
}

/**
 * Undoes `retireSends` for one reason: the sends of this version of the thing that it made inert
 * are planned again if still ahead, or recorded as skipped if their time passed meanwhile (so
 * none is undone twice).
 */
export async function resumeSends(tx: Db, ref: string, version: number, reason: string, now: Date, kind: string): Promise<void> {
  await tx.query(
    `update planned_send set status = case when due_at > $5 then 'planned' else 'skipped' end,
       reason = case when due_at > $5 then null else $3 || ', and its time passed meanwhile' end,
       done_at = case when due_at > $5 then null else $5::timestamptz end
     where ref = $1 and version = $2 and kind = $4 and status = 'inert' and reason = $3`,
    [ref, version, reason, kind, now],
  );
}

/** Makes every send still waiting for this thing inert (it moved, was cancelled or happened). */
export async function retireSends(tx: Db, ref: string, reason: string, now: Date, kind?: string): Promise<number> {
  const rows = await tx.query(
    `update planned_send set status = 'inert', reason = $2, done_at = $3 where ref = $1 and status in ('planned', 'queued') and ($4::text is null or kind = $4) returning id`,
    [ref, reason, now, kind ?? null],
  );
  return rows.length;
}
