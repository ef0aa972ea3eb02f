/**
 * extract → train → score --mlp → eval through the real CLI on a model made by
 * `make-model` and the built-in pair generator (nothing from ../shared).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

let dir = '';
let model = '';
let env: NodeJS.ProcessEnv = {};
const file = (name: string) => path.join(dir, name);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-cli-train-'));
  env = { PAIRSCORE_CACHE_DIR: file('cache'), PAIRSCORE_THREADS: '1' };
  model = file('model');
  for (const args of [
    ['make-model', '--size', 'tiny', '--head', 'seqcls', '--out', model],
    ['generate', '--count', '600', '--seed', '11', '--out', file('train.jsonl')],
    ['generate', '--count', '200', '--seed', '12', '--out', file('test.jsonl')],
  ]) {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, r.stderr);
  }
  const a = await runCli(['extract', file('train.jsonl'), '--model', model, '--out', file('train.parquet'), '--no-progress'], env);
  assert.equal(a.code, 0, a.stderr);
  const b = await runCli(['extract', file('test.jsonl'), '--model', model, '--out', file('test.features.jsonl'), '--no-progress'], env);
  assert.equal(b.code, 0, b.stderr);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('extract writes Parquet with one column per feature and a sidecar naming the model', () => {
  const meta = JSON.parse(fs.readFileSync(file('train.parquet.meta.json'), 'utf8')) as {
    model: { sha256: string };
    embedding: string;
    features: string[];
    model_labels: string[];
  };
  assert.match(meta.model.sha256, /^[0-9a-f]{64}$/);
  assert.equal(meta.embedding, 'pooled');
  assert.ok(meta.features.includes('neg_mismatch'));
  assert.deepEqual(meta.model_labels, ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION']);
  assert.equal(fs.readFileSync(file('train.parquet')).subarray(0, 4).toString('latin1'), 'PAR1');
});

test('train → score --mlp → eval; the same seed gives the same head bytes', async () => {
  const args = [
    'train',
    file('train.parquet'),
    '--val',
    file('test.features.jsonl'),
    '--epochs',
    '12',
    '--hidden',
    '32',
    '--lr',
    '0.005',
    '--seed',
    '3',
  ];
  const r1 = await runCli([...args, '--out', file('head1.json')], env);
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(r1.stderr, /epoch +1\/12 {2}loss \d\.\d{4} {2}train acc [\d.]+% {2}val loss [\d.]+ {2}val acc [\d.]+%/);
  assert.match(r1.stderr, /model's own accuracy: [\d.]+% on the training rows, [\d.]+% on the validation rows/);
  assert.doesNotMatch(r1.stderr, /warning: the model's own accuracy/);
  const r2 = await runCli([...args, '--out', file('head2.json'), '--no-progress'], env);
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(fs.readFileSync(file('head1.json')).equals(fs.readFileSync(file('head2.json'))), 'heads differ');
  const head = JSON.parse(fs.readFileSync(file('head1.json'), 'utf8')) as {
    inputs: { embedding: string | null; features: string[]; logits: boolean };
    model: { sha256: string };
  };
  // Default inputs: the features (the default extract includes the lexical group) and the logits, not the pooled vector.
  assert.match(r1.stderr, /inputs \(default\): features,logits/);
  assert.equal(head.inputs.embedding, null);
  assert.equal(head.inputs.logits, true);
  assert.ok(head.inputs.features.includes('lex_0000') && head.inputs.features.includes('neg_mismatch'));

  const own = await runCli(
    ['score', file('test.jsonl'), '--model', model, '--out', file('own.jsonl'), '--metrics', file('own.json'), '--no-progress'],
    env,
  );
  assert.equal(own.code, 0, own.stderr);
  const s = await runCli(
    [
      'score',
      file('test.jsonl'),
      '--model',
      model,
      '--mlp',
      file('head1.json'),
      '--out',
      file('preds.parquet'),
      '--metrics',
      file('m.json'),
      '--no-progress',
    ],
    env,
  );
  assert.equal(s.code, 0, s.stderr);
  const m = JSON.parse(fs.readFileSync(file('m.json'), 'utf8')) as { accuracy: number };
  const o = JSON.parse(fs.readFileSync(file('own.json'), 'utf8')) as { accuracy: number };
  assert.ok(m.accuracy > 0.9 && m.accuracy > o.accuracy + 0.4, `head ${m.accuracy}, own ${o.accuracy}`);

  const e = await runCli(['eval', file('preds.parquet'), '--json'], env);
  assert.equal(e.code, 0, e.stderr);
  assert.equal((JSON.parse(e.stdout) as { accuracy: number }).accuracy, m.accuracy);
  const t = await runCli(['eval', file('own.jsonl')], env);
  assert.match(t.stdout, /accuracy [\d.]+%  macro-F1 [\d.]+%/);
  assert.match(t.stdout, /precision {2}recall/);
});

test('train refuses bad inputs with exit code 2', async () => {
  const r = await runCli(['train', file('train.parquet'), '--out', file('h.json'), '--inputs', 'embedding,logits,bogus'], env);
  assert.notEqual(r.code, 0);
  const noLogits = await runCli(
    ['extract', file('test.jsonl'), '--model', model, '--out', file('nolog.jsonl'), '--no-logits', '--no-progress'],
    env,
  );
  assert.equal(noLogits.code, 0, noLogits.stderr);
  const r2 = await runCli(['train', file('nolog.jsonl'), '--out', file('h.json'), '--inputs', 'features,logits'], env);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /has no logits/);
  fs.rmSync(file('nolog.jsonl.meta.json'));
  const r3 = await runCli(['train', file('nolog.jsonl'), '--out', file('h.json'), '--inputs', 'features', '--epochs', '2'], env);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /pass --model DIR/);
  const r4 = await runCli(
    ['train', file('nolog.jsonl'), '--out', file('h.json'), '--inputs', 'features', '--epochs', '2', '--model', model, '--no-progress'],
    env,
  );
  assert.equal(r4.code, 0, r4.stderr);
});

test('without --val, train warns before the first epoch when the rows carry vectors or logits, not when they carry features only', async () => {
  const withVectors = await runCli(['train', file('train.parquet'), '--epochs', '2', '--out', file('noval1.json')], env);
  assert.equal(withVectors.code, 0, withVectors.stderr);
  const warn = withVectors.stderr.indexOf('warning: no --val file');
  assert.ok(warn >= 0, withVectors.stderr);
  assert.match(withVectors.stderr, /Fix: --val FILE, extracted with the same model from pairs it was not fine-tuned on/);
  assert.ok(warn < withVectors.stderr.indexOf('epoch   1/2'), 'the warning comes before the first epoch');

  const feats = await runCli(
    [
      'extract',
      file('test.jsonl'),
      '--model',
      model,
      '--embedding',
      'none',
      '--no-logits',
      '--out',
      file('featsonly.jsonl'),
      '--no-progress',
    ],
    env,
  );
  assert.equal(feats.code, 0, feats.stderr);
  const featuresOnly = await runCli(['train', file('featsonly.jsonl'), '--epochs', '2', '--out', file('noval2.json')], env);
  assert.equal(featuresOnly.code, 0, featuresOnly.stderr);
  assert.match(featuresOnly.stderr, /inputs \(default\): features\b/);
  assert.doesNotMatch(featuresOnly.stderr, /no --val file/);
});
