// A programme's settings (programme.settings in the import format), one part at a time.
import type { z } from 'zod';
import type { Db } from '../store/db.js';

/**
 * The part `key` of the settings of the programme a team belongs to, with the schema's defaults.
 * Settings are validated when imported; a bad stored value falls back to the defaults rather
 * than stopping reminders or check-ins.
 */
export async function programmeSettings<T>(db: Db, teamId: string, key: string, schema: z.ZodType<T>): Promise<T> {
  const [row] = await db.query<{ part: unknown }>(`select p.settings -> $2 as part from team t join programme p on p.id = t.programme_id where t.id = $1`, [teamId, key]);
  return parsedOrDefaults(schema, row?.part);
}

/** The same for the programmes of several participants at once, by participant id. */
export async function participantsProgrammeSettings<T>(db: Db, participantIds: string[], key: string, schema: z.ZodType<T>): Promise<Map<string, T>> {
  const rows = await db.query<{ id: string; part: unknown }>(
    `select pa.id, p.settings -> $2 as part from participant pa join team t on t.id = pa.team_id join programme p on p.id = t.programme_id where pa.id = any($1::text[])`,
    [participantIds, key],
  );
  return new Map(rows.map((r) => [r.id, parsedOrDefaults(schema, r.part)]));
}

function parsedOrDefaults<T>(schema: z.ZodType<T>, part: unknown): T {
  const parsed = schema.safeParse(part ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}
