/**
 * Pairs for the benchmarks: SICK train from ../shared when present (never
 * copied into the project), else the built-in synthetic generator. SICK trial
 * (`loadSickTrial`) is for measurements on pairs a SICK-tuned model was not
 * trained on. The SICK test split is never used.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatePairs } from '../../src/synthetic/pairs.js';

export interface BenchPairs {
  source: string;
  pairs: Array<[string, string]>;
}

function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
}

export function sharedDir(): string | undefined {
  const dir = path.resolve(repoRoot(), '..', 'shared');
  return fs.existsSync(dir) ? dir : undefined;
}

/** Premise/hypothesis pairs of a SICK split in ../shared (pair_ID, sentence_A, sentence_B, …), or undefined. */
function readSick(split: 'train' | 'trial'): Array<[string, string]> | undefined {
  const shared = sharedDir();
  const file = shared && path.join(shared, 'data', 'sick', `SICK_${split}.tsv`);
  if (!file || !fs.existsSync(file)) return undefined;
  const lines = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.length > 0);
  return lines.map((l) => {
    const [, a, b] = l.split('\t');
    return [a ?? '', b ?? ''] as [string, string];
  });
}

/** SICK trial (495 pairs, held out from the SICK-tuned test model's training), or undefined. */
export function loadSickTrial(): BenchPairs | undefined {
  const pairs = readSick('trial');
  return pairs && { source: `SICK_trial (${pairs.length} pairs, ../shared)`, pairs };
}

export function loadBenchPairs(limit?: number): BenchPairs {
  const pairs = readSick('train');
  if (pairs) return { source: `SICK_train (${pairs.length} pairs, ../shared)`, pairs: limit ? pairs.slice(0, limit) : pairs };
  const n = limit ?? 4000;
  return { source: `built-in synthetic pairs (${n})`, pairs: [...generatePairs(n)].map((p) => [p.premise, p.hypothesis]) };
}
