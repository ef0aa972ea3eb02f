import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowCodecFor } from '../src/queue/row-codec.js';
import type { ExtractRow, ScoreRow } from '../src/contracts.js';

const f32 = (xs: number[]) => Array.from(Float32Array.from(xs));

test('score rows round-trip as JSON', () => {
  const codec = rowCodecFor({ plan: { task: 'score', features: [] } });
  const row: ScoreRow = { index: 3, id: 'a', label: 'X', probs: { X: 0.7, Y: 0.3 }, gold: 'Y' };
  assert.deepEqual(codec.decode(codec.encode(row)), row);
  assert.deepEqual(codec.summary(codec.encode(row)), row);
});

test('extract rows keep exact float32 vectors and features, in the run feature order, at about half the JSON size', () => {
  const featureNames = ['neg', 'len', 'overlap'];
  const codec = rowCodecFor({ plan: { task: 'extract', features: featureNames } });
  const embedding = f32(Array.from({ length: 768 }, (_, i) => Math.sin(i) * 1.2345678));
  const row: ExtractRow = {
    index: 9,
    id: 'p9',
    gold: 'A',
    embedding,
    features: { overlap: 0.5, neg: 1, len: f32([-2.7182817])[0]! },
    logits: f32([0.1, -0.2, 3.3]),
  };
  const text = codec.encode(row);
  const back = codec.decode(text) as ExtractRow;
  assert.deepEqual(back.embedding, embedding);
  assert.deepEqual(back.logits, row.logits);
  assert.deepEqual(Object.keys(back.features!), featureNames);
  assert.deepEqual(back.features, { neg: 1, len: row.features!.len, overlap: 0.5 });
  assert.equal(back.gold, 'A');
  assert.ok(text.length < JSON.stringify(row).length * 0.6, `${text.length} vs ${JSON.stringify(row).length}`);

  // Metrics read only gold/error: no vector is decoded for them.
  assert.deepEqual(codec.summary(text), { gold: 'A' });

  const err: ExtractRow = { index: 10, id: 'p10', error: 'premise is empty' };
  assert.deepEqual(codec.decode(codec.encode(err)), err);
  assert.deepEqual(codec.summary(codec.encode(err)), { error: 'premise is empty' });
});
