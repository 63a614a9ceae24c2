// The labelled messages of intents/eval/*.jsonl, read and checked in one place: the classifier
// takes its examples from the "train" lines, the evaluation scores every line.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from '../util/paths.js';

export const EVAL_DIR = path.join(projectRoot, 'intents', 'eval');

const labelled = z.object({
  text: z.string(),
  role: z.enum(['participant', 'staff']),
  intent: z.string(),
  slots: z.record(z.string(), z.unknown()).default({}),
  now: z.string().optional(),
  split: z.enum(['train', 'dev', 'test']),
  lang: z.string().optional(),
});
export type Labelled = z.infer<typeof labelled> & { file: string; line: number };

export function loadLabelled(dir = EVAL_DIR): Labelled[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((file) => parseLabelled(fs.readFileSync(path.join(dir, file), 'utf8'), file));
}

/** One labelled file anywhere (a blind set measured before it joins intents/eval), named by its path. */
export const loadLabelledFile = (file: string): Labelled[] => parseLabelled(fs.readFileSync(file, 'utf8'), file);

function parseLabelled(text: string, file: string): Labelled[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim())
    .map(({ line, i }) => {
      // Which line is wrong, and why: a set is hand-written, and one slip must be easy to find.
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (err) {
        throw new Error(`${file}:${i + 1}: not JSON (${(err as Error).message})`);
      }
      const parsed = labelled.safeParse(json);
      if (!parsed.success) throw new Error(`${file}:${i + 1}: ${parsed.error.issues.map((x) => `${x.path.join('.') || 'line'}: ${x.message}`).join('; ')}`);
      return { ...parsed.data, file, line: i + 1 };
    });
}
