import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checkHeadFits, loadHead, assembleInput } from '../src/classify/index.js';
import type { ModelInfo } from '../src/contracts.js';
import { InputError, ModelError } from '../src/errors.js';
import { makeTestHead } from './helpers/heads.js';

const SHA = 'b'.repeat(64);
const info: ModelInfo = {
  dir: 'models/x',
  sha256: SHA,
  inputs: ['input_ids', 'attention_mask'],
  outputs: ['logits'],
  exposed: [],
  hiddenSize: 4,
  numLabels: 3,
  id2label: ['E', 'N', 'C'],
  maxLength: 512,
  available: ['cls', 'pooled', 'mean', 'logits'],
  sources: {},
  notes: [],
};

test('checkHeadFits accepts a matching head', () => {
  const h = makeTestHead({ sha256: SHA, embedding: 'pooled', embeddingDim: 4, features: ['a', 'b'], logits: true });
  checkHeadFits(h, info, ['a', 'b']);
});

test('checkHeadFits names every mismatch', () => {
  const h = makeTestHead({
    sha256: 'c'.repeat(64),
    embedding: 'pooled',
    embeddingDim: 8,
    features: ['a', 'z'],
    logits: true,
    logitsDim: 2,
  });
  assert.throws(
    () => checkHeadFits(h, info, ['a', 'b'], 'h.json'),
    (err: unknown) => {
      assert.ok(err instanceof ModelError);
      assert.match(err.message, /h\.json does not fit/);
      assert.match(err.message, /sha256 cccccccccccc/);
      assert.match(err.message, /8-value 'pooled' vector; the model gives 4/);
      assert.match(err.message, /expects 2 logits; the model gives 3/);
      assert.match(err.message, /1 feature column\(s\) that are not computed: z/);
      return true;
    },
  );
});

test('checkHeadFits reports an embedding the model cannot give and a feature order mismatch', () => {
  const h = makeTestHead({ sha256: SHA, embedding: 'cls', embeddingDim: 4, features: ['b', 'a'] });
  assert.throws(
    () => checkHeadFits(h, { ...info, available: ['logits'] }, ['a', 'b']),
    /'cls' embedding, which this model does not provide.*in this order: b, a — leave --features out to use the head's/s,
  );
});

test('loadHead gives InputErrors for unreadable, non-JSON and malformed files', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pairscore-head-'));
  try {
    await assert.rejects(
      loadHead(path.join(dir, 'missing.json')),
      (e: unknown) => e instanceof InputError && /cannot read head file/.test(e.message),
    );
    await fs.writeFile(path.join(dir, 'bad.json'), '{nope');
    await assert.rejects(loadHead(path.join(dir, 'bad.json')), /not valid JSON/);
    await fs.writeFile(path.join(dir, 'shape.json'), JSON.stringify({ format: 'pairscore-mlp', version: 1 }));
    await assert.rejects(loadHead(path.join(dir, 'shape.json')), /not a pairscore MLP head: labels/);
    const good = makeTestHead({ sha256: SHA, features: ['a'] });
    await fs.writeFile(path.join(dir, 'good.json'), JSON.stringify(good));
    assert.deepEqual(await loadHead(path.join(dir, 'good.json')), good);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});

test('assembleInput lays out [embedding | features | logits]', () => {
  const h = makeTestHead({ sha256: SHA, embedding: 'pooled', embeddingDim: 2, features: ['a'], logits: true, logitsDim: 3 });
  const x = assembleInput(h, Float32Array.from([1, 2]), Float32Array.from([3]), Float32Array.from([4, 5, 6]));
  assert.deepEqual(Array.from(x), [1, 2, 3, 4, 5, 6]);
});
