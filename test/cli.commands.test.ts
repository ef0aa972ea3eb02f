/**
 * The CLI end to end in child processes, on a model made by `make-model`, so
 * these tests need nothing from ../shared.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

let dir = '';
let model = '';
let pairs = '';
let env: NodeJS.ProcessEnv = {};

const readJsonl = (file: string) => fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-cli-'));
  env = { PAIRSCORE_CACHE_DIR: path.join(dir, 'cache'), PAIRSCORE_THREADS: '1' };
  model = path.join(dir, 'model');
  pairs = path.join(dir, 'pairs.jsonl');
  const made = await runCli(['make-model', '--size', 'tiny', '--head', 'seqcls', '--out', model], env);
  assert.equal(made.code, 0, made.stderr);
  const gen = await runCli(['generate', '--count', '300', '--out', pairs], env);
  assert.equal(gen.code, 0, gen.stderr);
  // One bad row in the middle: it must come back as an error row in place.
  const lines = fs.readFileSync(pairs, 'utf8').trim().split('\n');
  lines.splice(10, 0, JSON.stringify({ id: 'bad-1', premise: 'A man is here', hypothesis: '   ', label: 'NEUTRAL' }));
  fs.writeFileSync(pairs, `${lines.join('\n')}\n`);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('inspect finds the inner tensors of a logits-only export', async () => {
  const r = await runCli(['inspect', model, '--json'], env);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout) as { outputs: string[]; exposed: string[]; available: string[]; id2label: string[] };
  assert.deepEqual(info.outputs, ['logits']);
  assert.equal(info.exposed.length, 2);
  assert.deepEqual(info.available, ['cls', 'pooled', 'mean', 'logits']);
  assert.deepEqual(info.id2label, ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION']);
});

test('score writes one row per input row in order, and the metrics JSON', async () => {
  const out = path.join(dir, 'preds.jsonl');
  const metricsFile = path.join(dir, 'metrics.json');
  const r = await runCli(['score', pairs, '--model', model, '--out', out, '--metrics', metricsFile, '--batch-tokens', '256'], env);
  assert.equal(r.code, 0, r.stderr);
  const rows = readJsonl(out);
  assert.equal(rows.length, 301);
  assert.deepEqual(rows.map((x) => x.index), Array.from({ length: 301 }, (_, i) => i));
  assert.match(String(rows[10]!.error), /hypothesis/);
  assert.equal(rows[10]!.id, 'bad-1');
  const ok = rows[0]!;
  assert.deepEqual(Object.keys(ok).sort(), ['gold', 'id', 'index', 'label', 'probs']);
  const m = JSON.parse(fs.readFileSync(metricsFile, 'utf8')) as Record<string, unknown>;
  for (const k of ['rows', 'scored', 'errors', 'accuracy', 'macro_f1', 'per_class', 'confusion', 'pairs_per_s', 'seconds']) assert.ok(k in m, k);
  assert.equal(m.rows, 301);
  assert.equal(m.errors, 1);
  assert.equal(m.scored, 300);
  assert.match(r.stderr, /accuracy/);
});

test('score writes CSV with one probability column per label', async () => {
  const out = path.join(dir, 'preds.csv');
  const r = await runCli(['score', pairs, '--model', model, '--out', out], env);
  assert.equal(r.code, 0, r.stderr);
  const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(lines[0], 'index,id,label,prob_ENTAILMENT,prob_NEUTRAL,prob_CONTRADICTION,gold,error');
  assert.equal(lines.length, 302);
});

test('extract writes embedding, features and logits per row', async () => {
  const out = path.join(dir, 'feats.jsonl');
  const r = await runCli(['extract', pairs, '--model', model, '--embedding', 'pooled', '--features', 'all', '--out', out], env);
  assert.equal(r.code, 0, r.stderr);
  const rows = readJsonl(out);
  assert.equal(rows.length, 301);
  const row = rows[0] as { embedding: number[]; features: Record<string, number>; logits: number[]; gold: string };
  assert.equal(row.embedding.length, 128);
  assert.equal(row.logits.length, 3);
  assert.ok(Object.keys(row.features).length >= 10);
  assert.ok(typeof row.gold === 'string');
});

test('tokenize writes ids and type ids, truncated to --max-length', async () => {
  const out = path.join(dir, 'ids.jsonl');
  const r = await runCli(['tokenize', pairs, '--model', model, '--max-length', '8', '--out', out], env);
  assert.equal(r.code, 0, r.stderr);
  const rows = readJsonl(out) as Array<{ input_ids?: number[]; token_type_ids?: number[]; error?: string }>;
  assert.equal(rows.length, 301);
  for (const row of rows.filter((x) => !x.error)) {
    assert.ok(row.input_ids!.length <= 8);
    assert.equal(row.input_ids![0], 101);
    assert.equal(row.token_type_ids!.length, row.input_ids!.length);
  }
});

test('an unreadable file fails before any work with exit code 2, naming file and line', async () => {
  const bad = path.join(dir, 'bad.csv');
  fs.writeFileSync(bad, 'premise,hypothesis\n"a man,b\n');
  const out = path.join(dir, 'never.jsonl');
  const r = await runCli(['score', bad, '--model', model, '--out', out], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.csv, line 2/);
  assert.equal(fs.existsSync(out), false);
  const nocols = path.join(dir, 'nocols.csv');
  fs.writeFileSync(nocols, 'foo,bar\n1,2\n');
  const r2 = await runCli(['score', nocols, '--model', model, '--out', out], env);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /nocols\.csv.*--premise-col/s);
});

test('a head that does not fit the model fails at start with exit code 2', async () => {
  const head = path.join(dir, 'head.json');
  fs.writeFileSync(head, JSON.stringify({
    format: 'pairscore-mlp', version: 1, labels: ['A', 'B'],
    inputs: { embedding: 'pooled', embedding_dim: 64, features: [], logits: false, logits_dim: 0 },
    model: { sha256: 'f'.repeat(64) },
    standardize: { mean: Array(64).fill(0), std: Array(64).fill(1) },
    layers: [{ weight: [Array(64).fill(0), Array(64).fill(0)], bias: [0, 0], activation: 'linear' }],
  }));
  const r = await runCli(['score', pairs, '--model', model, '--mlp', head, '--out', path.join(dir, 'x.jsonl')], env);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /head\.json does not fit.*sha256.*64-value 'pooled' vector; the model gives 128/s);
});

test('a missing model directory is a clear error', async () => {
  const r = await runCli(['score', pairs, '--model', path.join(dir, 'nope'), '--out', path.join(dir, 'x.jsonl')], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope/);
});
