// `npm run eval:nlu`: how well Lots understands, measured on the labelled set in intents/eval/,
// as Rasa reports it: per-intent precision, recall and F1, a confusion matrix, slot accuracy,
// and the crisis detector's recall and false alarms on their own. Three splits: "train" lines
// are the classifier's examples; "dev" lines were tuned on, and are examples for naive Bayes (the
// nearest example is a train line); "test" lines were written blind, by someone who had not seen
// the lexicon, and are never tuned on nor examples — they are the figure that counts. Every line
// is scored with its own text left out of the examples, in whichever set a copy of it stands.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { classify, crisisIn, leaveOutExampleFiles, SECOND_LINE_REASON, type Slots, type Understanding } from './classify.js';
import { detectCrisis } from './crisis.js';
import { fold } from './text.js';
import { loadLabelled, loadLabelledFile, type Labelled } from './labelled.js';

const same = (a: unknown, b: unknown) => (typeof a === 'string' && typeof b === 'string' ? fold(a) === fold(b) : a === b);

export interface Report {
  examples: number;
  intentAccuracy: number;
  slotAccuracy: number;
  slots: { labelled: number; correct: number };
  /** `bySecondLine`: of `detected` and of `falseAlarms`, those the examples (the second line) raised, not the lists. */
  crisis: { positives: number; detected: number; recall: number; falseAlarms: number; hardNegatives: number; hardNegativeFalseAlarms: number; bySecondLine: { detected: number; falseAlarms: number } };
  perIntent: Record<string, { precision: number; recall: number; f1: number; support: number }>;
  confusion: Record<string, Record<string, number>>;
  errors: { text: string; role: string; split: Labelled['split']; expected: string; got: string; slots?: { expected: unknown; got: unknown } }[];
}

const r3 = (n: number) => Math.round(n * 1000) / 1000;

/**
 * How Lots reads a labelled line. A line would be its own example (a held-out one too, where its
 * text also stands in a dev set): every copy of its text is left out, so the figures say how well
 * Lots generalises.
 */
const judge = (ex: Labelled): Understanding =>
  classify({ text: ex.text, role: ex.role, now: ex.now ? new Date(ex.now) : new Date('2026-11-23T09:00:00+01:00'), leaveOut: ex.text });

/** The report on `examples`; `judged` holds what Lots read for each, when already known (in the same order). */
export function evaluate(examples: Labelled[], judged: Understanding[] = examples.map(judge)): Report {
  const confusion: Record<string, Record<string, number>> = {};
  const errors: Report['errors'] = [];
  let correct = 0;
  let slotLabelled = 0;
  let slotCorrect = 0;
  const crisis = { positives: 0, detected: 0, recall: 1, falseAlarms: 0, hardNegatives: 0, hardNegativeFalseAlarms: 0, bySecondLine: { detected: 0, falseAlarms: 0 } };
  examples.forEach((ex, i) => {
    const got = judged[i]!;
    (confusion[ex.intent] ??= {})[got.intent] = (confusion[ex.intent]![got.intent] ?? 0) + 1;
    if (got.intent === ex.intent) correct++;
    let slotsOk = true;
    for (const [slot, value] of Object.entries(ex.slots)) {
      slotLabelled++;
      if (same(got.slots[slot as keyof Slots] ?? null, value)) slotCorrect++;
      else slotsOk = false;
    }
    if (got.intent !== ex.intent || !slotsOk) {
      errors.push({ text: ex.text, role: ex.role, split: ex.split, expected: ex.intent, got: got.intent, ...(slotsOk ? {} : { slots: { expected: ex.slots, got: got.slots } }) });
    }
    const bySecondLine = got.intent === 'crisis' && got.reasons.some((r) => r.startsWith(SECOND_LINE_REASON));
    if (ex.intent === 'crisis') {
      crisis.positives++;
      if (got.intent === 'crisis') crisis.detected++;
      if (bySecondLine) crisis.bySecondLine.detected++;
    } else if (got.intent === 'crisis') {
      crisis.falseAlarms++;
      if (bySecondLine) crisis.bySecondLine.falseAlarms++;
    }
    if (ex.file === 'crisis.jsonl' && ex.intent !== 'crisis') {
      crisis.hardNegatives++;
      if (got.intent === 'crisis') crisis.hardNegativeFalseAlarms++;
    }
  });
  crisis.recall = crisis.positives ? r3(crisis.detected / crisis.positives) : 1;
  const intents = [...new Set([...Object.keys(confusion), ...Object.values(confusion).flatMap(Object.keys)])].sort();
  const perIntent: Report['perIntent'] = {};
  for (const intent of intents) {
    const tp = confusion[intent]?.[intent] ?? 0;
    const support = Object.values(confusion[intent] ?? {}).reduce((a, b) => a + b, 0);
    const predicted = Object.values(confusion).reduce((a, row) => a + (row[intent] ?? 0), 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    perIntent[intent] = { precision: r3(precision), recall: r3(recall), f1: r3(precision + recall ? (2 * precision * recall) / (precision + recall) : 0), support };
  }
  return {
    examples: examples.length,
    intentAccuracy: r3(examples.length ? correct / examples.length : 0),
    slotAccuracy: r3(slotLabelled ? slotCorrect / slotLabelled : 1),
    slots: { labelled: slotLabelled, correct: slotCorrect },
    crisis,
    perIntent,
    confusion,
    errors,
  };
}

function print(name: string, r: Report): string {
  const lines = [`== ${name}: ${r.examples} messages`, `intent accuracy ${r.intentAccuracy}  slot accuracy ${r.slotAccuracy} (${r.slots.correct}/${r.slots.labelled})`];
  lines.push(`crisis recall ${r.crisis.recall} (${r.crisis.detected}/${r.crisis.positives}), false alarms ${r.crisis.falseAlarms}, ${
    // The blind sets mark no line as a hard negative: every one of their non-crisis lines counts above.
    r.crisis.hardNegatives ? `on hard negatives ${r.crisis.hardNegativeFalseAlarms}/${r.crisis.hardNegatives}` : 'no line marked as a hard negative (every other line counts)'
  }`);
  lines.push(`  of which by the second line (the examples, not the lists): found ${r.crisis.bySecondLine.detected}, false alarms ${r.crisis.bySecondLine.falseAlarms}`);
  lines.push('', 'intent                 precision  recall     f1  support');
  for (const [intent, m] of Object.entries(r.perIntent)) lines.push(`${intent.padEnd(22)} ${String(m.precision).padStart(9)} ${String(m.recall).padStart(7)} ${String(m.f1).padStart(6)} ${String(m.support).padStart(8)}`);
  lines.push('', 'confusion (expected → got: count), mistakes only');
  for (const [expected, row] of Object.entries(r.confusion)) for (const [got, n] of Object.entries(row)) if (got !== expected) lines.push(`  ${expected} → ${got}: ${n}`);
  return lines.join('\n');
}

/**
 * How a change generalises, measured on dev alone: the dev sets (whole files, as a blind set is
 * whole) are split into `k` folds, and each fold is classified with the others as examples. The
 * held-out lines stay unread, so a choice made on this leaves them an honest measure.
 */
export function crossValidate(all: Labelled[], k: number) {
  if (!Number.isInteger(k) || k < 2) throw new Error(`folds must be a whole number of 2 or more, not ${k}`);
  const devFiles = [...new Set(all.filter((e) => e.split === 'dev').map((e) => e.file))].sort();
  let folds;
  try {
    folds = Array.from({ length: k }, (_, fold) => {
      const files = new Set(devFiles.filter((_, i) => i % k === fold));
      leaveOutExampleFiles(files);
      const r = evaluate(all.filter((e) => e.split === 'dev' && files.has(e.file)));
      const correct = Object.entries(r.confusion).reduce((n, [intent, row]) => n + (row[intent] ?? 0), 0);
      return { files: files.size, lines: r.examples, correct, accuracy: r.intentAccuracy, crisisMissed: r.crisis.positives - r.crisis.detected, falseAlarms: r.crisis.falseAlarms };
    });
  } finally {
    leaveOutExampleFiles(new Set());
  }
  const lines = folds.reduce((n, f) => n + f.lines, 0);
  return { folds, accuracy: Math.round((folds.reduce((n, f) => n + f.correct, 0) / lines) * 1000) / 1000 };
}

/** One slip of the keys in a word, at letter `i`: a letter left out, two swapped, one doubled. */
const TYPOS = {
  dropped: (w: string, i: number) => w.slice(0, i) + w.slice(i + 1),
  swapped: (w: string, i: number) => w.slice(0, i) + (w[i + 1] ?? '') + w[i] + w.slice(i + 2),
  doubled: (w: string, i: number) => w.slice(0, i) + w[i] + w.slice(i),
} as const;

/**
 * Crisis detection under typos, on dev alone: each dev participant line gets one typo of each kind
 * in one word of five letters or more (the word and the letter drawn by a fixed seed, so every run
 * is the same). For crisis lines the lists find as written: how many the lists still find, and how
 * many neither they nor the second line do; for other lines the lists do not alarm on: new alarms.
 */
export function typoProbe(all: Labelled[]) {
  let seed = 7;
  const draw = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor((seed / 2147483648) * n);
  };
  const lines = all.filter((e) => e.split === 'dev' && e.role === 'participant');
  // What the lists make of each line as written, read once for the three kinds of typo.
  const written = new Map(lines.map((e) => [e, detectCrisis(e.text).crisis]));
  return Object.fromEntries(
    Object.entries(TYPOS).map(([kind, typo]) => {
      const figures = { crisisLines: 0, foundByLists: 0, foundByEither: 0, otherLines: 0, newFalseAlarms: 0 };
      for (const e of lines) {
        const words = e.text.split(' ');
        const long = words.flatMap((w, i) => (/^\p{L}{5,}$/u.test(w) ? [i] : []));
        if (!long.length) continue;
        const at = long[draw(long.length)]!;
        const word = words[at]!;
        words[at] = typo(word, 1 + draw(word.length - 2));
        const text = words.join(' ');
        if (e.intent === 'crisis' && written.get(e)) {
          figures.crisisLines++;
          if (detectCrisis(text).crisis) figures.foundByLists++;
          if (crisisIn(text, e.text).crisis) figures.foundByEither++;
        } else if (e.intent !== 'crisis' && !written.get(e)) {
          figures.otherLines++;
          if (detectCrisis(text).crisis) figures.newFalseAlarms++;
        }
      }
      return [kind, figures];
    }),
  );
}

/** The mistakes of a report, one JSON line each; never a held-out ("test") line's: reading them would make its set a tuned one. */
function printErrors(r: Report): void {
  for (const e of r.errors) if (e.split !== 'test') process.stdout.write(`${JSON.stringify(e)}\n`);
}

/**
 * `--file A.jsonl B.jsonl …`: a blind set measured before it joins intents/eval (its first and
 * honest figures, for HISTORY.md), each file on its own and then all together, each line read once.
 */
function measureFiles(files: string[], withErrors: boolean): void {
  const sets = files.map((file) => {
    const lines = loadLabelledFile(file);
    return { name: file, lines, judged: lines.map(judge) };
  });
  if (sets.length > 1) sets.push({ name: `all ${files.length} files`, lines: sets.flatMap((x) => x.lines), judged: sets.flatMap((x) => x.judged) });
  for (const { name, lines, judged } of sets) {
    const r = evaluate(lines, judged);
    process.stdout.write(`${print(name, r)}\n\n`);
    if (withErrors) printErrors(r);
  }
}

function main(args: string[]): void {
  const filesAt = args.indexOf('--file');
  if (filesAt >= 0) {
    const files = args.slice(filesAt + 1).filter((a) => !a.startsWith('--'));
    if (!files.length) throw new Error('--file needs one or more .jsonl files');
    measureFiles(files, args.includes('--errors'));
    return;
  }
  const all = loadLabelled();
  if (args.includes('--typos')) {
    process.stdout.write(`${JSON.stringify(typoProbe(all))}\n`);
    return;
  }
  const foldsAt = args.indexOf('--folds');
  if (foldsAt >= 0) {
    process.stdout.write(`${JSON.stringify(crossValidate(all, Number(args[foldsAt + 1] ?? 5)))}\n`);
    return;
  }
  const splits = { train: 'train (leave-one-out)', dev: 'dev (tuned on, examples, leave-one-out)', test: 'held out (test, written blind)' } as const;
  const reports = Object.fromEntries(Object.keys(splits).map((s) => [s, evaluate(all.filter((e) => e.split === s))])) as Record<keyof typeof splits, Report>;
  for (const [split, title] of Object.entries(splits)) process.stdout.write(`${print(title, reports[split as keyof typeof splits])}\n\n`);
  if (args.includes('--errors')) for (const r of Object.values(reports)) printErrors(r);
  const figures = (r: Report) => ({ accuracy: r.intentAccuracy, slots: r.slotAccuracy, crisisRecall: r.crisis.recall, crisisFalseAlarms: r.crisis.falseAlarms, hardNegativeFalseAlarms: r.crisis.hardNegativeFalseAlarms });
  process.stdout.write(`${JSON.stringify({ train: figures(reports.train), dev: figures(reports.dev), test: figures(reports.test) })}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    // A set with a slip in it (a line that is not JSON, a missing intent) is named with its line: no stack.
    process.stderr.write(`eval:nlu: ${(err as Error).message}\n`);
    process.exit(2);
  }
}
