// In CI, the engines and the browser must really be there: a skipped suite is not a pass.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { engines } from './support/db.js';

describe('test environment', () => {
  it.runIf(process.env.LOTS_REQUIRE_POSTGRES === '1')('has a real PostgreSQL server', () => {
    expect(engines).toContain('postgres');
  });
  it.runIf(process.env.LOTS_REQUIRE_BROWSER === '1')('has Chromium', () => {
    expect(fs.existsSync('/usr/bin/chromium')).toBe(true);
  });
  it('always tests PGlite', () => {
    expect(engines).toContain('pglite');
  });
});
