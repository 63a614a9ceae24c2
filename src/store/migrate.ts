import type { Db } from './db.js';
import { migrations } from './migrations.js';

/**
 * Applies the migrations not yet applied, in order, each in its own transaction.
 * An advisory lock keeps two processes starting at once on PostgreSQL from racing.
 */
export async function migrate(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(7411)`);
    await tx.exec(`create table if not exists schema_migration (id text primary key, applied_at timestamptz not null default now())`);
    const applied = new Set((await tx.query<{ id: string }>(`select id from schema_migration`)).map((r) => r.id));
    for (const m of migrations) {
      if (applied.has(m.id)) continue;
      await tx.exec(m.sql);
      await tx.query(`insert into schema_migration (id) values ($1)`, [m.id]);
    }
  });
}
