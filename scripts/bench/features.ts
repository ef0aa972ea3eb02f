/**
 * Benchmark: hand-crafted features (src/features) with every column selected.
 *
 * `benchFeatures(pairs)` times the WordNet load (first createFeaturizer in the process), then a
 * warm-up pass over the pairs (at most WARM_UP of them: JIT and the per-word memos of lemmas and
 * WordNet facts, i.e. the steady state of a long run whose vocabulary has been seen), then a timed
 * pass over all `pairs` on one thread. Run directly:
 *   node --expose-gc --import tsx scripts/bench/features.ts [path/to/pairs.tsv]
 * It reads ../shared/data/sick/SICK_train.tsv when present (pair_ID, sentence_A, sentence_B,
 * entailment_label; tab-separated, header line first), else a few built-in sentences repeated,
 * and prints pairs, pairs/s, load time and heap/RSS after load.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFeaturizer } from '../../src/features/index.js';

const WARM_UP = 10_000;

export interface FeatureBenchResult {
  pairs: number;
  pairsPerSec: number;
  loadMs: number;
}

export async function benchFeatures(pairs: Array<[string, string]>): Promise<FeatureBenchResult> {
  const t0 = performance.now();
  const featurizer = await createFeaturizer('all');
  const loadMs = performance.now() - t0;
  let sink = 0;
  const warm = Math.min(pairs.length, WARM_UP);
  for (let i = 0; i < warm; i++) sink += featurizer.compute(pairs[i]![0], pairs[i]![1])[0]!;
  const t1 = performance.now();
  for (const [p, h] of pairs) sink += featurizer.compute(p, h)[0]!;
  const elapsed = (performance.now() - t1) / 1000;
  if (Number.isNaN(sink)) throw new Error('features produced NaN');
  return { pairs: pairs.length, pairsPerSec: elapsed > 0 ? pairs.length / elapsed : 0, loadMs };
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
