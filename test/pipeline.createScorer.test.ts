import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createExtractor, createScorer, tokenizeChunk, type Stages } from '../src/pipeline.js';
import { openStages } from '../src/stages.js';
import { planRun } from '../src/plan.js';
import { loadConfig } from '../src/config.js';
import { assembleInput, Mlp, softmax } from '../src/classify/index.js';
import type { IngestRow } from '../src/contracts.js';
import { ModelError } from '../src/errors.js';
import { makeTestHead } from './helpers/heads.js';
import { sharedPath, SHARED_MISSING } from './helpers/shared.js';
import { rawLogits } from './helpers/raw-ort.js';

interface GoldenPair {
  id: string;
  premise: string;
  hypothesis: string;
  input_ids: number[];
  pooled: number[];
  cls: number[];
  logits: number[];
}

const seqcls = sharedPath('models', 'bert-tiny-sick-seqcls');
const skip = seqcls ? false : SHARED_MISSING;
let cacheDir = '';
let golden: GoldenPair[] = [];
let stages: Stages | undefined;

function rows(): IngestRow[] {
  const out: IngestRow[] = golden.map((g, i) => ({
    index: i + 1,
    id: g.id,
    premise: g.premise,
    hypothesis: g.hypothesis,
    gold: 'NEUTRAL',
  }));
  out.splice(3, 0, { index: 0, id: 'bad', error: 'empty hypothesis (line 2)' });
  return out;
}

before(async () => {
  if (!seqcls) return;
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-pipeline-'));
  golden = (JSON.parse(fs.readFileSync(path.join(seqcls, 'golden.json'), 'utf8')) as { pairs: GoldenPair[] }).pairs;
  const config = loadConfig({ cacheDir, threads: 1, batchTokens: 64 }, {});
  stages = await openStages({ modelDir: seqcls, features: 'all' }, config);
});

after(async () => {
  await stages?.embedder.close();
  if (cacheDir) fs.rmSync(cacheDir, { recursive: true, force: true });
});

test('scoreChunk without a head: softmax of the model logits, bad rows kept in place', { skip }, async () => {
  const scorer = createScorer(stages!);
  assert.deepEqual(scorer.labels, ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION']);
  const input = rows();
  const out = await scorer.scoreChunk(input);
  assert.deepEqual(
    out.map((r) => r.index),
    input.map((r) => r.index),
  );
  assert.deepEqual(out[3], { index: 0, id: 'bad', error: 'empty hypothesis (line 2)' });
  const scored = out.filter((r) => r.error === undefined);
  assert.equal(scored.length, golden.length);
  assert.ok(golden.length >= 16);
  scored.forEach((r, i) => {
    const want = softmax(golden[i]!.logits);
    scorer.labels.forEach((l, k) => assert.ok(Math.abs(r.probs![l]! - want[k]!) < 1e-4, `${r.id} ${l}`));
    const best = want.indexOf(Math.max(...want));
    assert.equal(r.label, scorer.labels[best]);
    assert.equal(r.gold, 'NEUTRAL');
  });
});

test('scoreChunk with a head on pooled + features + logits equals the head applied by hand', { skip }, async () => {
  const s = stages!;
  const head = makeTestHead({
    sha256: s.embedder.info.sha256,
    embedding: 'pooled',
    embeddingDim: s.embedder.info.hiddenSize,
    features: [...s.featurizer.names],
    logits: true,
    hidden: 16,
  });
  const scorer = createScorer({ ...s, plan: planRun(s.embedder.info, { task: 'score', head, features: 'all' }) });
  const out = (await scorer.scoreChunk(rows())).filter((r) => r.error === undefined);
  assert.equal(out.length, golden.length, 'every golden pair scored');
  const mlp = new Mlp(head);
  out.forEach((r, i) => {
    const g = golden[i]!;
    const x = assembleInput(head, Float32Array.from(g.pooled), s.featurizer.compute(g.premise, g.hypothesis), Float32Array.from(g.logits));
    const want = mlp.predict(x);
    head.labels.forEach((l, k) => assert.ok(Math.abs(r.probs![l]! - want[k]!) < 1e-4, `${r.id} ${l}: ${r.probs![l]} vs ${want[k]}`));
  });
});

test('the plan refuses a head trained with another model', { skip }, () => {
  const head = makeTestHead({ sha256: '0'.repeat(64), features: [...stages!.featurizer.names] });
  assert.throws(
    () => planRun(stages!.embedder.info, { task: 'score', head, headFile: 'other.json' }),
    (e: unknown) => e instanceof ModelError && /other\.json does not fit.*sha256/.test(e.message),
  );
});

test('a row longer than the plan allows becomes an error row; the rest of the chunk is scored', { skip }, async () => {
  const s = stages!;
  // A tokenizer that ignores the truncation length, as a delegated tokenizer might.
  const untruncated = { ...s.tokenizer, maxLength: 512, encodePair: (a: string, b: string) => s.tokenizer.encodePair(a, b, 512) };
  const plan = planRun(s.embedder.info, { task: 'score', maxLength: 12 });
  const long = {
    index: 0,
    id: 'long',
    premise: 'a man is playing a guitar on a stage in front of many people',
    hypothesis: 'nobody is playing',
  };
  const short = { index: 1, id: 'short', premise: 'a dog runs', hypothesis: 'a cat' };
  assert.ok(s.tokenizer.encodePair(long.premise, long.hypothesis, 512).ids.length > 12);
  assert.ok(s.tokenizer.encodePair(short.premise, short.hypothesis, 512).ids.length <= 12);
  const out = await createScorer({ ...s, tokenizer: untruncated, plan }).scoreChunk([long, short]);
  assert.equal(out.length, 2);
  assert.match(out[0]!.error ?? '', /tokens exceed the run's maximum of 12/);
  assert.equal(out[1]!.error, undefined);
  // The short row's scores are the model's own: a plain ORT session on model.onnx, on that pair alone.
  const e = s.tokenizer.encodePair(short.premise, short.hypothesis, 512);
  const [logits] = await rawLogits(path.join(seqcls!, 'model.onnx'), [e]);
  const want = softmax(logits!);
  s.embedder.info.id2label.forEach((l, k) =>
    assert.ok(Math.abs(out[1]!.probs![l]! - want[k]!) < 1e-4, `${l}: ${out[1]!.probs![l]} vs ${want[k]}`),
  );
  assert.equal(out[1]!.label, s.embedder.info.id2label[want.indexOf(Math.max(...want))]);
});

test('extractChunk writes the requested embedding, every feature and the logits', { skip }, async () => {
  const extractor = createExtractor({
    ...stages!,
    plan: planRun(stages!.embedder.info, { task: 'extract', features: 'all', extract: { embedding: 'cls', logits: true } }),
  });
  const out = await extractor.extractChunk(rows());
  assert.equal(out[3]!.error, 'empty hypothesis (line 2)');
  const good = out.filter((r) => r.error === undefined);
  assert.equal(good.length, golden.length);
  good.forEach((r, i) => {
    const g = golden[i]!;
    assert.equal(r.embedding!.length, g.cls.length);
    assert.equal(r.logits!.length, g.logits.length);
    r.embedding!.forEach((v, k) => assert.ok(Math.abs(v - g.cls[k]!) < 1e-4));
    r.logits!.forEach((v, k) => assert.ok(Math.abs(v - g.logits[k]!) < 1e-4));
    assert.deepEqual(Object.keys(r.features!), [...stages!.featurizer.names]);
  });
});

test('tokenizeChunk gives the golden ids', { skip }, () => {
  const out = tokenizeChunk(rows(), stages!.tokenizer);
  const good = out.filter((r) => r.error === undefined);
  assert.equal(good.length, golden.length);
  good.forEach((r, i) => assert.deepEqual(r.input_ids, golden[i]!.input_ids));
});

test('a model without logits needs a head', { skip: sharedPath('models', 'bert-tiny-random') ? false : SHARED_MISSING }, async () => {
  const config = loadConfig({ cacheDir, threads: 1 }, {});
  await assert.rejects(openStages({ modelDir: sharedPath('models', 'bert-tiny-random')! }, config), /has no classifier logits.*--mlp/);
});
