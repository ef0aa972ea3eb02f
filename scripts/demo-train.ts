/**
 * The training step of `npm run demo`, through the real CLI: extract the train
 * split (pooled vector + hand-crafted features + logits, Parquet), train an MLP
 * head (early stopping on a held-out 10% of it), then score the test split with
 * the head and with the model's own logits and print both accuracies.
 * scripts/demo.ts calls runTrainDemo after making the model and the splits.
 */
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../src/cli.js';
import type { Metrics } from '../src/report/metrics.js';

export interface TrainDemoOptions {
  /** Where out/demo-train/ goes. */
  root: string;
  modelDir: string;
  trainFile: string;
  testFile: string;
}

async function run(args: string[]): Promise<void> {
  process.stderr.write(`\n$ pairscore ${args.join(' ')}\n`);
  const code = await main(['node', 'pairscore', ...args]);
  if (code !== 0) throw new Error(`pairscore ${args[0]} failed with exit code ${code}`);
}

function accuracyOf(file: string): number {
  const m = JSON.parse(fs.readFileSync(file, 'utf8')) as Metrics;
  if (m.accuracy === null) throw new Error(`${file}: no gold labels, no accuracy`);
  return m.accuracy;
}

export async function runTrainDemo(opts: TrainDemoOptions): Promise<{ ownAccuracy: number; headAccuracy: number }> {
  const out = path.join(path.resolve(opts.root), 'out', 'demo-train');
  fs.mkdirSync(out, { recursive: true });
  const features = path.join(out, 'train.features.parquet');
  const head = path.join(out, 'head.json');
  const ownMetrics = path.join(out, 'own.metrics.json');
  const headMetrics = path.join(out, 'head.metrics.json');
  await run([
    'extract',
    opts.trainFile,
    '--model',
    opts.modelDir,
    '--embedding',
    'pooled',
    '--features',
    'all',
    '--out',
    features,
    '--no-progress',
  ]);
  await run(['train', features, '--out', head, '--inputs', 'embedding,features', '--val-fraction', '0.1', '--epochs', '30', '--seed', '1']);
  await run([
    'score',
    opts.testFile,
    '--model',
    opts.modelDir,
    '--out',
    path.join(out, 'own.preds.jsonl'),
    '--metrics',
    ownMetrics,
    '--no-progress',
  ]);
  await run([
    'score',
    opts.testFile,
    '--model',
    opts.modelDir,
    '--mlp',
    head,
    '--out',
    path.join(out, 'head.preds.jsonl'),
    '--metrics',
    headMetrics,
    '--no-progress',
  ]);
  const ownAccuracy = accuracyOf(ownMetrics);
  const headAccuracy = accuracyOf(headMetrics);
  process.stderr.write(
    [
      '',
      `test split accuracy — the model's own logits: ${(ownAccuracy * 100).toFixed(1)}%   MLP head (pooled + features): ${(headAccuracy * 100).toFixed(1)}%`,
      `  head ${head}; predictions and metrics in ${out}`,
      '',
    ].join('\n'),
  );
  return { ownAccuracy, headAccuracy };
}
