// Configuration from the environment: defaults that keep a live installation safe.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('loads the demo programme by default only while no SMS provider is configured', () => {
    expect(loadConfig({}).loadDemo).toBe(true);
    const elks = { ELKS_API_USER: 'u', ELKS_API_PASSWORD: 'p', ELKS_WEBHOOK_SECRET: 'a-webhook-secret-of-16+' };
    expect(loadConfig(elks).loadDemo).toBe(false);
    expect(loadConfig({ TWILIO_ACCOUNT_SID: 'AC1', TWILIO_AUTH_TOKEN: 't' }).loadDemo).toBe(false);
    // Asked for, it loads anyway (a staging installation with a test number).
    expect(loadConfig({ ...elks, LOTS_DEMO: '1' }).loadDemo).toBe(true);
    expect(loadConfig({ LOTS_DEMO: '0' }).loadDemo).toBe(false);
  });
});
