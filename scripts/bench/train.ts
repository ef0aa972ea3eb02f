/**
 * Training speed: epochs/s of `trainMlp` (the default head: 256,64 relu, dropout,
 * AdamW, batch 64) on 5,000 synthetic rows of 128 dense "embedding" values plus
 * the 30 hand-crafted feature columns' worth of inputs, 3 classes. No validation
 * set, so every epoch runs; one warm-up epoch is not timed.
 */
import { listFeatures } from '../../src/features/index.js';
import { DEFAULT_TRAIN_OPTIONS, Rng, trainMlp, type Matrix } from '../../src/classify/train.js';

export interface TrainBench {
  epochsPerSec: number;
  rows: number;
  inputs: number;
}

export function syntheticMatrix(rows: number, embeddingDim: number, features: number, seed = 5): Matrix {
  const rng = new Rng(seed);
  const d = embeddingDim + features;
  const x = new Float32Array(rows * d);
  const y = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    const c = Math.floor(rng.next() * 3);
    y[r] = c;
    for (let i = 0; i < d; i++) x[r * d + i] = rng.normal() + (i % 3 === c ? 0.5 : 0);
  }
  return { n: rows, d, x, y };
}

export async function benchTrain(opts: { rows?: number; epochs?: number } = {}): Promise<TrainBench> {
  const rows = opts.rows ?? 5000;
  const epochs = opts.epochs ?? 3;
  const m = syntheticMatrix(rows, 128, listFeatures().length);
  const base = { ...DEFAULT_TRAIN_OPTIONS, patience: 1000 };
  trainMlp({ train: m, val: null, classes: 3, vectorRanges: [] }, { ...base, epochs: 1 });
  const t0 = performance.now();
  trainMlp({ train: m, val: null, classes: 3, vectorRanges: [] }, { ...base, epochs });
  const seconds = (performance.now() - t0) / 1000;
  return { epochsPerSec: epochs / seconds, rows, inputs: m.d };
}

const isMain = process.argv[1] && /scripts[\\/]bench[\\/]train\.(js|ts)$/.test(process.argv[1]);
if (isMain) {
  benchTrain().then((r) => process.stdout.write(`${JSON.stringify(r)}\n`));
}
