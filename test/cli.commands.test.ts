/**
 * The CLI end to end in child processes, on a model made by `make-model`, so
 * these tests need nothing from ../shared.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { runCli } from './helpers/cli.js';
import { hfLongestFirst } from './helpers/hf-truncation.js';
import { rawLogits, softmax } from './helpers/raw-ort.js';

let dir = '';
let model = '';
let pairs = '';
let env: NodeJS.ProcessEnv = {};

const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

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

const LABELS = ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'];

/**
 * What each input row should score, computed without pairscore's code: transformers.js tokenizes
 * the pair from the model's tokenizer.json, a plain onnxruntime-node session runs model.onnx on
 * it alone (row 10, the bad row, has none).
 */
let expected:
  | Promise<{
      peer: PreTrainedTokenizer;
      inputs: Array<{ premise: string; hypothesis: string; gold: string }>;
      logits: Array<number[] | undefined>;
    }>
  | undefined;
function oracle() {
  expected ??= (async () => {
    const peer = await AutoTokenizer.from_pretrained(model, { local_files_only: true });
    const inputs = readJsonl(pairs).map((r) => ({ premise: String(r.premise), hypothesis: String(r.hypothesis), gold: String(r.label) }));
    const encodings = inputs.map(({ premise, hypothesis }) => {
      const e = peer(premise, { text_pair: hypothesis, return_tensor: false, return_token_type_ids: true });
      return { ids: e.input_ids as number[], typeIds: e.token_type_ids as number[] };
    });
    const good = encodings.filter((_, i) => i !== 10);
    const raw = await rawLogits(path.join(model, 'model.onnx'), good);
    const logits = encodings.map((_, i) => (i === 10 ? undefined : raw[i < 10 ? i : i - 1]));
    return { peer, inputs, logits };
  })();
  return expected;
}

function assertClose(got: readonly number[], want: readonly number[], tol: number, what: string): void {
  assert.equal(got.length, want.length, what);
  got.forEach((g, k) => assert.ok(Math.abs(g - want[k]!) <= tol, `${what}[${k}]: ${g} vs ${want[k]}`));
}

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
  assert.deepEqual(
    rows.map((x) => x.index),
    Array.from({ length: 301 }, (_, i) => i),
  );
  assert.match(String(rows[10]!.error), /hypothesis/);
  assert.equal(rows[10]!.id, 'bad-1');
  const ok = rows[0]!;
  assert.deepEqual(Object.keys(ok).sort(), ['gold', 'id', 'index', 'label', 'probs']);
  // Values: softmax of the raw model's logits on each pair alone, and the label is their argmax.
  const { inputs, logits } = await oracle();
  let right = 0;
  rows.forEach((row, i) => {
    if (i === 10) return;
    const want = softmax(logits[i]!);
    const probs = row.probs as Record<string, number>;
    assertClose(
      LABELS.map((l) => probs[l]!),
      want,
      1e-4,
      `row ${i} probs`,
    );
    assert.equal(row.label, LABELS[want.indexOf(Math.max(...want))], `row ${i} label`);
    assert.equal(row.gold, inputs[i]!.gold);
    if (row.label === row.gold) right++;
  });
  const m = JSON.parse(fs.readFileSync(metricsFile, 'utf8')) as Record<string, unknown>;
  assert.ok(Math.abs((m.accuracy as number) - right / 300) < 1e-9, `accuracy ${m.accuracy} vs ${right}/300 counted from the rows`);
  for (const k of ['rows', 'scored', 'errors', 'accuracy', 'macro_f1', 'per_class', 'confusion', 'pairs_per_s', 'seconds'])
    assert.ok(k in m, k);
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
  const { logits } = await oracle();
  // Generated pairs have no commas or quotes, so a plain split reads the columns.
  lines.slice(1).forEach((line, i) => {
    const cols = line.split(',');
    assert.equal(Number(cols[0]), i);
    if (i === 10) return assert.match(cols[7] ?? '', /hypothesis/);
    const want = softmax(logits[i]!);
    assertClose(cols.slice(3, 6).map(Number), want, 1e-4, `csv row ${i}`);
    assert.equal(cols[2], LABELS[want.indexOf(Math.max(...want))]);
  });
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
  const { logits } = await oracle();
  rows.forEach((r, i) => {
    if (i === 10) return assert.match(String(r.error), /hypothesis/);
    assertClose(r.logits as number[], logits[i]!, 1e-4, `row ${i} logits`);
    const emb = r.embedding as number[];
    assert.ok(emb.every(Number.isFinite) && emb.some((v) => Math.abs(v) > 1e-3), `row ${i}: a real pooled vector`);
  });
  // Pooled vectors depend on the pair: rows 0 and 1 differ.
  assert.ok((rows[0]!.embedding as number[]).some((v, k) => Math.abs(v - (rows[1]!.embedding as number[])[k]!) > 1e-4));
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
  // The ids themselves: transformers.js' ids of each side, cut by Hugging Face's longest_first.
  const { peer, inputs } = await oracle();
  rows.forEach((row, i) => {
    if (i === 10) return assert.match(String(row.error), /hypothesis/);
    const a = peer.encode(inputs[i]!.premise, { add_special_tokens: false });
    const b = peer.encode(inputs[i]!.hypothesis, { add_special_tokens: false });
    const [la, lb] = hfLongestFirst(a.length, b.length, 8 - 3);
    assert.deepEqual(row.input_ids, [101, ...a.slice(0, la), 102, ...b.slice(0, lb), 102], `row ${i}`);
    assert.deepEqual(row.token_type_ids, [...new Array<number>(la + 2).fill(0), ...new Array<number>(lb + 1).fill(1)], `row ${i}`);
  });
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
  fs.writeFileSync(
    head,
    JSON.stringify({
      format: 'pairscore-mlp',
      version: 1,
      labels: ['A', 'B'],
      inputs: { embedding: 'pooled', embedding_dim: 64, features: [], logits: false, logits_dim: 0 },
      model: { sha256: 'f'.repeat(64) },
      standardize: { mean: Array(64).fill(0), std: Array(64).fill(1) },
      layers: [{ weight: [Array(64).fill(0), Array(64).fill(0)], bias: [0, 0], activation: 'linear' }],
    }),
  );
  const r = await runCli(['score', pairs, '--model', model, '--mlp', head, '--out', path.join(dir, 'x.jsonl')], env);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /head\.json does not fit.*sha256.*64-value 'pooled' vector; the model gives 128/s);
});

test('a missing model directory is a clear error', async () => {
  const r = await runCli(['score', pairs, '--model', path.join(dir, 'nope'), '--out', path.join(dir, 'x.jsonl')], env);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /nope/);
});
