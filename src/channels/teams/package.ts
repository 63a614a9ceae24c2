// `npm run package:teams`: the Teams app package (manifest.json and the two icons in one zip) to
// upload in Teams admin center or "Upload a custom app". The manifest in manifest/teams/ is a
// template: ${{NAME}} is filled from the environment (MicrosoftAppId, LOTS_PUBLIC_URL, …), and the
// result is checked against the rules Teams enforces on upload before the zip is written.
import fs from 'node:fs';
import path from 'node:path';
import { zipSync } from 'fflate';
import { z } from 'zod';
import { projectRoot } from '../../util/paths.js';

const guid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'must be a GUID (the Azure Bot\'s Microsoft App ID)');
const https = z.string().url().startsWith('https://', 'must be an https address');
const scope = z.enum(['personal', 'team', 'groupChat']);

/** The parts of Teams' manifest schema (v1.17) this app uses, with its limits. */
export const teamsManifest = z.object({
  $schema: z.string().url(),
  manifestVersion: z.literal('1.17'),
  version: z.string().regex(/^\d+\.\d+\.\d+$/, 'must be semver'),
  id: guid,
  localizationInfo: z.object({ defaultLanguageTag: z.string() }).optional(),
  developer: z.object({ name: z.string().min(1).max(32), websiteUrl: https, privacyUrl: https, termsOfUseUrl: https }),
  name: z.object({ short: z.string().min(1).max(30), full: z.string().max(100).optional() }),
  description: z.object({ short: z.string().min(1).max(80), full: z.string().min(1).max(4000) }),
  icons: z.object({ color: z.string(), outline: z.string() }),
  accentColor: z.string().regex(/^#[0-9a-fA-F]{6}$/),
  bots: z
    .array(
      z.object({
        botId: guid,
        scopes: z.array(scope).min(1).max(3),
        supportsFiles: z.boolean().optional(),
        isNotificationOnly: z.boolean().optional(),
        commandLists: z
          .array(z.object({ scopes: z.array(scope).min(1), commands: z.array(z.object({ title: z.string().min(1).max(32), description: z.string().min(1).max(128) })).max(10) }))
          .max(3)
          .optional(),
      }),
    )
    .length(1),
  permissions: z.array(z.enum(['identity', 'messageTeamMembers'])).optional(),
  validDomains: z.array(z.string().regex(/^[a-z0-9.*-]+(:\d+)?$/i, 'must be a host name')).optional(),
});

/** Teams wants a 192×192 colour icon and a 32×32 outline icon on a transparent background. */
const ICON_SIZES = { color: 192, outline: 32 } as const;

function pngSize(png: Uint8Array): { width: number; height: number; alpha: boolean } {
  const b = Buffer.from(png);
  if (b.subarray(1, 4).toString('ascii') !== 'PNG' || b.subarray(12, 16).toString('ascii') !== 'IHDR') throw new Error('not a PNG');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), alpha: b[25] === 6 || b[25] === 4 };
}

export function buildTeamsPackage(env: NodeJS.ProcessEnv, dir = path.join(projectRoot, 'manifest', 'teams')): { zip: Uint8Array; manifest: z.infer<typeof teamsManifest> } {
  const required = ['MicrosoftAppId', 'LOTS_PUBLIC_URL'].filter((name) => !env[name]);
  if (required.length) throw new Error(`set ${required.join(' and ')} first: the Azure Bot's Microsoft App ID, and the https address Teams reaches Lots at`);
  const publicUrl = env.LOTS_PUBLIC_URL!.replace(/\/$/, '');
  const values: Record<string, string | undefined> = {
    MicrosoftAppId: env.MicrosoftAppId,
    LOTS_PUBLIC_URL: publicUrl,
    LOTS_PUBLIC_HOST: URL.canParse(publicUrl) ? new URL(publicUrl).host : undefined,
    // The organisation's own privacy notice and terms; its public address until it has them.
    LOTS_PRIVACY_URL: env.LOTS_PRIVACY_URL ?? publicUrl,
    LOTS_TERMS_URL: env.LOTS_TERMS_URL ?? publicUrl,
  };
  const template = fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8');
  const missing = new Set<string>();
  const filled = template.replace(/\$\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) missing.add(name);
    return value ?? '';
  });
  if (missing.size) throw new Error(`the manifest template asks for ${[...missing].join(', ')}, which nothing sets`);
  const parsed = teamsManifest.safeParse(JSON.parse(filled));
  if (!parsed.success) throw new Error(`the Teams manifest would be refused: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const manifest = parsed.data;
  const files: Record<string, Uint8Array> = { 'manifest.json': Buffer.from(JSON.stringify(manifest, null, 2)) };
  for (const kind of ['color', 'outline'] as const) {
    const png = new Uint8Array(fs.readFileSync(path.join(dir, manifest.icons[kind])));
    const size = pngSize(png);
    const want = ICON_SIZES[kind];
    if (size.width !== want || size.height !== want) throw new Error(`${manifest.icons[kind]} must be ${want}×${want} pixels`);
    if (kind === 'outline' && !size.alpha) throw new Error(`${manifest.icons[kind]} must have a transparent background`);
    files[manifest.icons[kind]] = png;
  }
  return { zip: zipSync(files, { level: 9 }), manifest };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = path.resolve(process.argv[2] ?? path.join(projectRoot, 'dist', 'lots-teams.zip'));
  try {
    const { zip } = buildTeamsPackage(process.env);
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, zip);
    console.log(out);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(2);
  }
}
