/**
 * Pairs for the benchmarks: SICK train from ../shared when present (never
 * copied into the project), else the built-in synthetic generator.
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

export function loadBenchPairs(limit?: number): BenchPairs {
  const shared = sharedDir();
  const sick = shared && path.join(shared, 'data', 'sick', 'SICK_train.tsv');
  if (sick && fs.existsSync(sick)) {
    const lines = fs.readFileSync(sick, 'utf8').split(/\r?\n/).slice(1).filter((l) => l.length > 0);
    const pairs = lines.map((l) => {
      const [, a, b] = l.split('\t');
      return [a ?? '', b ?? ''] as [string, string];
    });
    return { source: `SICK_train (${pairs.length} pairs, ../shared)`, pairs: limit ? pairs.slice(0, limit) : pairs };
  }
  const n = limit ?? 4000;
  return { source: `built-in synthetic pairs (${n})`, pairs: [...generatePairs(n)].map((p) => [p.premise, p.hypothesis]) };
}
