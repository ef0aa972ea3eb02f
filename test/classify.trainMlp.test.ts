import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_TRAIN_OPTIONS,
  Rng,
  fitStandardizer,
  scorePredictions,
  trainMlp,
  type Matrix,
  type TrainOptions,
} from '../src/classify/train.js';
import { Mlp, type HeadFile } from '../src/classify/index.js';

/** Three Gaussian blobs in `d` dims (classes 0..2), `sep` apart; `counts` rows per class. */
function blobs(counts: number[], d: number, sep: number, seed: number): Matrix {
  const rng = new Rng(seed);
  const n = counts.reduce((a, b) => a + b, 0);
  const x = new Float32Array(n * d);
  const y = new Int32Array(n);
  let r = 0;
  counts.forEach((count, c) => {
    for (let k = 0; k < count; k++, r++) {
      y[r] = c;
      for (let i = 0; i < d; i++) x[r * d + i] = rng.normal() + (i === c ? sep : 0) + 10 * (i === d - 1 ? 1 : 0);
    }
  });
  return { n, d, x, y };
}

const opts = (o: Partial<TrainOptions> = {}): TrainOptions => ({
  ...DEFAULT_TRAIN_OPTIONS,
  hidden: [16],
  epochs: 15,
  batchSize: 32,
  lr: 1e-2,
  ...o,
});

function asHead(t: ReturnType<typeof trainMlp>, d: number, k: number): HeadFile {
  return {
    format: 'pairscore-mlp',
    version: 1,
    labels: Array.from({ length: k }, (_, i) => `L${i}`),
    inputs: { embedding: null, embedding_dim: 0, features: Array.from({ length: d }, (_, i) => `f${i}`), logits: false, logits_dim: 0 },
    model: { sha256: '0'.repeat(64) },
    standardize: { mean: t.mean, std: t.std },
    layers: t.layers,
  };
}

function accuracyWithMlp(t: ReturnType<typeof trainMlp>, m: Matrix, k: number): number {
  const mlp = new Mlp(asHead(t, m.d, k));
  let correct = 0;
  for (let r = 0; r < m.n; r++) {
    const p = mlp.predict(m.x.subarray(r * m.d, (r + 1) * m.d));
    let best = 0;
    for (let c = 1; c < k; c++) if (p[c]! > p[best]!) best = c;
    if (best === m.y[r]) correct++;
  }
  return correct / m.n;
}

describe('classify trainMlp', () => {
  it('learns a separable problem, and mlp.ts inference agrees with training', () => {
    const train = blobs([200, 200, 200], 6, 4, 1);
    const test = blobs([100, 100, 100], 6, 4, 2);
    for (const activation of ['relu', 'gelu', 'tanh'] as const) {
      const t = trainMlp({ train, val: null, classes: 3, vectorRanges: [] }, opts({ activation }));
      assert.ok(accuracyWithMlp(t, test, 3) > 0.97, activation);
      assert.equal(t.layers.at(-1)!.activation, 'linear');
      assert.equal(t.layers[0]!.activation, activation);
    }
  });

  it('the same seed gives the same weights bit for bit; another seed does not', () => {
    const train = blobs([60, 60, 60], 5, 2, 3);
    const a = trainMlp(
      { train, val: null, classes: 3, vectorRanges: [[0, 2]] },
      opts({ seed: 7, groupDropout: 0.3, vectorNoise: 0.5, dropout: 0.3 }),
    );
    const b = trainMlp(
      { train, val: null, classes: 3, vectorRanges: [[0, 2]] },
      opts({ seed: 7, groupDropout: 0.3, vectorNoise: 0.5, dropout: 0.3 }),
    );
    const c = trainMlp(
      { train, val: null, classes: 3, vectorRanges: [[0, 2]] },
      opts({ seed: 8, groupDropout: 0.3, vectorNoise: 0.5, dropout: 0.3 }),
    );
    assert.equal(JSON.stringify(a.layers), JSON.stringify(b.layers));
    assert.notEqual(JSON.stringify(a.layers), JSON.stringify(c.layers));
  });

  it('early stopping stops after `patience` epochs without a better validation accuracy and keeps the best epoch', () => {
    // Labels are noise: validation accuracy cannot keep improving.
    const train = blobs([100, 100, 100], 4, 0, 4);
    const val = blobs([50, 50, 50], 4, 0, 5);
    const t = trainMlp({ train, val, classes: 3, vectorRanges: [] }, opts({ epochs: 200, patience: 3 }));
    assert.ok(t.epochs < 200, `ran ${t.epochs} epochs`);
    assert.equal(t.epochs, t.bestEpoch + 3);
    const best = t.history.find((h) => h.epoch === t.bestEpoch)!;
    assert.equal(best.valAccuracy, Math.max(...t.history.map((h) => h.valAccuracy!)));
    assert.ok(Math.abs(accuracyWithMlp(t, val, 3) - best.valAccuracy!) < 0.02);
  });

  it('balanced class weights raise recall of a rare class', () => {
    const train = blobs([600, 600, 40], 4, 1.2, 6);
    const test = blobs([300, 300, 300], 4, 1.2, 7);
    const recall2 = (cw: 'balanced' | 'none') => {
      const t = trainMlp({ train, val: null, classes: 3, vectorRanges: [] }, opts({ classWeights: cw, epochs: 10 }));
      const mlp = new Mlp(asHead(t, test.d, 3));
      let hit = 0;
      for (let r = 0; r < test.n; r++) {
        if (test.y[r] !== 2) continue;
        const p = mlp.predict(test.x.subarray(r * test.d, (r + 1) * test.d));
        if (p[2]! > p[0]! && p[2]! > p[1]!) hit++;
      }
      return hit / 300;
    };
    const none = recall2('none');
    const balanced = recall2('balanced');
    assert.ok(balanced > none + 0.2, `recall of the rare class: balanced ${balanced}, none ${none}`);
  });

  it('standardization is fitted on the training rows; mostly-zero and constant columns keep std 1', () => {
    const x = new Float32Array([1, 0, 5, 3, 0, 5, 5, 0, 5, 7, 0, 5, 9, 0, 5, 11, 0, 5, 13, 0, 5, 15, 0, 5, 17, 0, 5, 19, 2, 5]);
    const s = fitStandardizer({ n: 10, d: 3, x, y: new Int32Array(10) });
    assert.equal(s.meanOut[0], 10);
    assert.ok(Math.abs(s.stdOut[0]! - Math.sqrt(33)) < 1e-5);
    assert.deepEqual([s.meanOut[1], s.stdOut[1]], [0, 1]);
    assert.equal(s.stdOut[2], 1);
  });

  it('scorePredictions gives accuracy and macro-F1', () => {
    const s = scorePredictions(Int32Array.from([0, 0, 1, 1]), Int32Array.from([0, 1, 1, 1]), 2);
    assert.equal(s.accuracy, 0.75);
    assert.ok(Math.abs(s.macroF1 - (2 / 3 + 0.8) / 2) < 1e-12);
  });
});
