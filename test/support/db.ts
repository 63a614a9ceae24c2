// A fresh database for a test, on either engine, copied from the templates global-setup made.
import fs from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { openPglite, openPostgres, type Db } from '../../src/store/db.js';
import { withDatabase } from './global-setup.js';

export type Engine = 'pglite' | 'postgres';

/** The engines this run tests: PGlite always, PostgreSQL when TEST_DATABASE_URL is set (CI sets it). */
export const engines: Engine[] = inject('postgresUrl') ? ['pglite', 'postgres'] : ['pglite'];

let counter = 0;

export async function testDb(engine: Engine, contents: 'empty' | 'demo' = 'demo'): Promise<Db> {
  if (engine === 'pglite') {
    const file = inject(contents === 'demo' ? 'pgliteDemo' : 'pgliteEmpty');
    return openPglite(undefined, new Blob([fs.readFileSync(file)]));
  }
  const url = inject('postgresUrl')!;
  const template = inject('postgresTemplates')![contents];
  const name = `lots_t_${process.pid}_${++counter}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database ${name} template ${template}`);
  await admin.end();
  const db = await openPostgres(withDatabase(url, name));
  return {
    ...db,
    close: async () => {
      await db.close();
      const a = new pg.Client({ connectionString: url });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}
