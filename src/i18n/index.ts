// Every sentence a person reads comes from locales/<language>/<namespace>.json.
// Swedish is the fallback; participant texts in Swedish are written in lättläst (easy) Swedish.
import fs from 'node:fs';
import path from 'node:path';
import i18next, { type i18n, type Resource } from 'i18next';
import { projectRoot } from '../util/paths.js';

export const LOCALES_DIR = path.join(projectRoot, 'locales');
export const PARTICIPANT_LANGUAGES = ['sv', 'en', 'ar', 'so', 'ti', 'fa'] as const;
export type Language = (typeof PARTICIPANT_LANGUAGES)[number];

function loadResources(): Record<string, Record<string, unknown>> {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const lng of fs.readdirSync(LOCALES_DIR)) {
    const dir = path.join(LOCALES_DIR, lng);
    if (!fs.statSync(dir).isDirectory()) continue;
    resources[lng] = {};
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      resources[lng]![file.replace(/\.json$/, '')] = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    }
  }
  return resources;
}

export const resources = loadResources();

const instance: i18n = i18next.createInstance();
void instance.init({
  resources: resources as Resource,
  fallbackLng: 'sv',
  ns: Object.keys(resources.sv ?? {}),
  defaultNS: 'common',
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

/**
 * The sentence `key` ("namespace:path") in `lng`, falling back to Swedish.
 * A key missing in Swedish is a programming error and throws, so tests catch it.
 */
export function t(lng: string, key: string, vars: Record<string, unknown> = {}): string {
  if (!instance.exists(key, { lng: 'sv' })) throw new Error(`missing locale key ${key}`);
  return instance.t(key, { lng, ...vars }) as string;
}
