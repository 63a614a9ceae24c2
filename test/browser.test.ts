// The simulator page in headless Chromium: a person types an SMS and sees Lots' reply.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { testApp, type TestApp } from './support/app.js';

const CHROMIUM = '/usr/bin/chromium';
// Locally without Chromium the test is skipped; in CI (LOTS_REQUIRE_BROWSER=1) a missing browser fails environment.test.ts.
const haveChromium = fs.existsSync(CHROMIUM);

describe.runIf(haveChromium)('simulator page in Chromium', () => {
  let app: TestApp;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    app = await testApp('pglite');
    url = await app.server.listen({ host: '127.0.0.1', port: 0 });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('sends an SMS as Anna and shows the reply, without console errors', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.fill('#sms-from', '+46701740621');
    await page.fill('#sms-text', 'vem är min handläggare på Försäkringskassan?');
    await page.click('#sms-send');
    const reply = page.locator('#sms-thread .msg.in').last();
    await reply.waitFor({ timeout: 10_000 });
    expect(await reply.textContent()).toContain('Karin Lund');
    await page.screenshot({ path: path.join(os.tmpdir(), 'lots-simulator.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('lets a coach ask in the staff chat', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.fill('#staff-from', 'eva.lindqvist@demo.lots.se');
    await page.fill('#staff-text', 'Vem är Annas handläggare på FK?');
    await page.click('#staff-send');
    await page.waitForFunction(() => document.querySelector('#staff-thread')?.textContent?.includes('Karin Lund'), null, { timeout: 10_000 });
  });
});
