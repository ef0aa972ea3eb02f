import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Mlp, softmax, headSchema, type HeadFile } from '../src/classify/index.js';

const SHA = 'a'.repeat(64);

function head(layers: HeadFile['layers'], std = [1, 1]): HeadFile {
  return {
    format: 'pairscore-mlp',
    version: 1,
    labels: ['A', 'B'],
    inputs: { embedding: null, embedding_dim: 0, features: ['f1', 'f2'], logits: false, logits_dim: 0 },
    model: { sha256: SHA },
    standardize: { mean: [1, 0], std },
    layers,
  };
}

test('softmax is stable and sums to 1', () => {
  const p = softmax([1000, 1001, 999]);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-6);
  assert.ok(p[1]! > p[0]! && p[0]! > p[2]!);
});

test('Mlp.predict computes standardize → dense → relu → dense → softmax', () => {
  const h = head(
    [
      {
        weight: [
          [1, 0],
          [0, 1],
        ],
        bias: [0, 0],
        activation: 'relu',
      },
      {
        weight: [
          [1, 0],
          [0, 1],
        ],
        bias: [0, 0],
        activation: 'linear',
      },
    ],
    [2, 1],
  );
  const mlp = new Mlp(headSchema.parse(h));
  // x = [(3-1)/2, (-5-0)/1] = [1, -5] → relu [1, 0] → softmax([1, 0])
  const p = mlp.predict(Float32Array.from([3, -5]));
  const e = Math.exp(1);
  assert.ok(Math.abs(p[0]! - e / (e + 1)) < 1e-6);
  assert.ok(Math.abs(p[1]! - 1 / (e + 1)) < 1e-6);
});

test('Mlp.predict rejects a wrong input size', () => {
  const mlp = new Mlp(
    head([
      {
        weight: [
          [1, 0],
          [0, 1],
        ],
        bias: [0, 0],
        activation: 'linear',
      },
    ]),
  );
  assert.throws(() => mlp.predict(new Float32Array(3)), /expects 2/);
});

test('headSchema rejects inconsistent layer shapes and label counts', () => {
  const bad = head([{ weight: [[1, 0, 0]], bias: [0], activation: 'linear' }]);
  const r = headSchema.safeParse(bad);
  assert.equal(r.success, false);
  const msg = r.success ? '' : r.error.issues.map((i) => i.message).join('; ');
  assert.match(msg, /2 values/);
  assert.match(msg, /1 outputs but there are 2 labels/);
});
