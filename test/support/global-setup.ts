// Builds the test databases once per run: PGlite takes seconds to create but half a second to
// load from a dump, and PostgreSQL copies a template database in milliseconds.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openPglite, openPostgres } from '../../src/store/db.js';
import { migrate } from '../../src/store/migrate.js';
import { loadDemoIfEmpty } from '../../src/directory/demo.js';
import { SettableClock } from '../../src/model/index.js';
import { TEST_NOW } from './time.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteEmpty: string;
    pgliteDemo: string;
    postgresUrl: string | null;
    postgresTemplates: { empty: string; demo: string } | null;
  }
}

export default async function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lots-test-'));
  const clock = new SettableClock(TEST_NOW);
  const db = await openPglite(undefined);
  await migrate(db);
  const dump = async (name: string) => {
    const file = path.join(dir, `${name}.tar`);
    const blob = await db.dump!();
    fs.writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
    return file;
  };
  project.provide('pgliteEmpty', await dump('empty'));
  await loadDemoIfEmpty(db, clock);
  project.provide('pgliteDemo', await dump('demo'));
  await db.close();

  const url = process.env.TEST_DATABASE_URL ?? null;
  let templates: { empty: string; demo: string } | null = null;
  if (url) {
    const suffix = `${process.pid}`;
    templates = { empty: `lots_tpl_empty_${suffix}`, demo: `lots_tpl_demo_${suffix}` };
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    for (const name of Object.values(templates)) {
      await admin.query(`drop database if exists ${name}`);
      await admin.query(`create database ${name}`);
      const db2 = await openPostgres(withDatabase(url, name));
      await migrate(db2);
      if (name === templates.demo) await loadDemoIfEmpty(db2, clock);
      await db2.close();
    }
    await admin.end();
  }
  project.provide('postgresUrl', url);
  project.provide('postgresTemplates', templates);

  return async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (url && templates) {
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      const leftovers = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 'lots_t_%' or datname in ($1, $2)`, [templates.empty, templates.demo]);
      for (const { datname } of leftovers.rows) await admin.query(`drop database if exists ${datname} with (force)`);
      await admin.end();
    }
  };
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}
