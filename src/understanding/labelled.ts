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
    .flatMap((file) =>
      fs
        .readFileSync(path.join(dir, file), 'utf8')
        .split('\n')
        .map((line, i) => ({ line, i }))
        .filter(({ line }) => line.trim())
        .map(({ line, i }) => ({ ...labelled.parse(JSON.parse(line)), file, line: i + 1 })),
    );
}
