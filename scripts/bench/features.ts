/**
 * Benchmark: hand-crafted features (src/features) with every column selected, on one thread.
 * There is no peer (no other library computes these features): the figure is pairs/s.
 *
 * `benchFeatures(pairs)` times the WordNet load (first createFeaturizer in the process), warms
 * up the JIT on the first half of `pairs` (at most WARM_UP), then times cold runs on the other
 * half — pairs the warm-up never saw — each with a fresh featurizer over a freshly loaded WordNet
 * (its own instance: WordNet instances are shared per folder, so each cold run names the folder
 * differently), so no memo of lemmas, token facts or WordNet facts helps: every word is looked
 * up for the first time, as at the start of a run on new data. Rounds: the median is reported.
 * Run directly:
 *   node --expose-gc dist/scripts/bench/features.js [path/to/pairs.tsv]
 * It reads ../shared/data/sick/SICK_train.tsv when present (pair_ID, sentence_A, sentence_B,
 * entailment_label; tab-separated, header line first), else a few built-in sentences repeated,
 * and prints pairs, pairs/s, load time and heap/RSS after load.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFeaturizer } from '../../src/features/index.js';
import { defaultDictDir } from '../../src/features/wordnet/dict.js';
import { median } from './stats.js';

const WARM_UP = 10_000;

export interface FeatureBenchResult {
  /** Pairs timed per cold run (never seen by the warm-up). */
  pairs: number;
  /** Median over the cold runs. */
  pairsPerSec: number;
  /** Each cold run's pairs/s. */
  runs: number[];
  loadMs: number;
}

export async function benchFeatures(pairs: Array<[string, string]>, opts: { rounds?: number } = {}): Promise<FeatureBenchResult> {
  if (pairs.length < 2) throw new Error('benchFeatures needs at least two pairs (one to warm up, one to time)');
  const rounds = opts.rounds ?? 3;
  const t0 = performance.now();
  const warmFeaturizer = await createFeaturizer('all');
  const loadMs = performance.now() - t0;
  const warmCount = Math.min(Math.floor(pairs.length / 2), WARM_UP);
  const timed = pairs.slice(warmCount);
  let sink = 0;
  for (let i = 0; i < warmCount; i++) sink += warmFeaturizer.compute(pairs[i]![0], pairs[i]![1])[0]!;
  const runs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    // A folder spelling not used before in this process: a WordNet instance (and memo) of its own.
    const dictDir = `${defaultDictDir()}${path.sep}${`.${path.sep}`.repeat(round + 1)}`;
    const cold = await createFeaturizer('all', { dictDir });
    const t1 = performance.now();
    for (const [p, h] of timed) sink += cold.compute(p, h)[0]!;
    const elapsed = (performance.now() - t1) / 1000;
    runs.push(elapsed > 0 ? timed.length / elapsed : 0);
  }
  if (Number.isNaN(sink)) throw new Error('features produced NaN');
  return { pairs: timed.length, pairsPerSec: median(runs), runs, loadMs };
}

const BUILT_IN: Array<[string, string]> = [
  ['A man is playing a guitar', 'A man is not playing a guitar'],
  ['The boy is happy', 'The boy is sad'],
  ['Three dogs are running in the field', 'Two dogs are running on the grass'],
  ['A woman is slicing an onion', 'Someone is cutting a vegetable'],
  ['Nobody is riding a horse', 'A man is riding a horse'],
  ['All the children are playing outside', 'No child is playing'],
  ['A cat might be sleeping on the couch', "The cat isn't sleeping"],
  ['Two people are dancing on the stage', 'A couple is dancing'],
];

/** Pairs from a SICK-style TSV (header skipped), or undefined when the file is absent. */
export function readPairsTsv(file: string): Array<[string, string]> | undefined {
  if (!fs.existsSync(file)) return undefined;
  const lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
  const pairs: Array<[string, string]> = [];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.split('\t');
    if (f.length >= 3) pairs.push([f[1]!, f[2]!]);
  }
  return pairs;
}

async function main(): Promise<void> {
  const here = path.dirname(fileURLToPath(import.meta.url));
  let root = here;
  while (!fs.existsSync(path.join(root, 'package.json'))) root = path.dirname(root);
  const file = process.argv[2] ?? path.resolve(root, '..', 'shared', 'data', 'sick', 'SICK_train.tsv');
  let pairs = readPairsTsv(file);
  let source = file;
  if (pairs === undefined || pairs.length === 0) {
    pairs = Array.from({ length: 5000 }, (_, i) => BUILT_IN[i % BUILT_IN.length]!);
    source = 'built-in sentences';
  }
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  const result = await benchFeatures(pairs);
  gc?.();
  const after = process.memoryUsage();
  const mb = (n: number): string => (n / 1048576).toFixed(1);
  console.log(`features bench (${source})`);
  console.log(`  pairs        ${result.pairs}`);
  console.log(`  pairs/s      ${result.pairsPerSec.toFixed(0)}`);
  console.log(`  load ms      ${result.loadMs.toFixed(0)}`);
  console.log(
    `  heap MB      ${mb(after.heapUsed)} (+${mb(after.heapUsed - before.heapUsed)} for WordNet and memos${gc ? '' : '; run with --expose-gc for exact figures'})  rss MB ${mb(after.rss)}`,
  );
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
