import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './helpers/cli.js';
import { softmax } from './helpers/raw-ort.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-cli-quant-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

function cosine(u: readonly number[], v: readonly number[]): number {
  let d = 0;
  let nu = 0;
  let nv = 0;
  for (let i = 0; i < u.length; i++) {
    d += u[i]! * v[i]!;
    nu += u[i]! * u[i]!;
    nv += v[i]! * v[i]!;
  }
  return d / Math.sqrt(nu * nv);
}

const env = { PAIRSCORE_CACHE_DIR: path.join(root, 'cache'), PAIRSCORE_LOG_LEVEL: 'warn' };

test('quantize writes an int8 copy that inspect reports and score runs; a missing dir exits 2', async () => {
  const model = path.join(root, 'tiny');
  const int8 = path.join(root, 'tiny-int8');
  assert.equal((await runCli(['make-model', '--size', 'tiny', '--head', 'seqcls', '--out', model], env)).code, 0);
  const q = await runCli(['quantize', model, '--out', int8], env);
  assert.equal(q.code, 0, q.stderr);
  assert.match(q.stderr, /13 linear ops → MatMulInteger \(12 MatMul, 1 Gemm; 12 biases fused\)/);
  assert.match(q.stderr, /kept fp32: Gemm .*classifier head/);
  const info = await runCli(['inspect', int8], env);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /quantized: dynamic-int8, 13 linear ops/);
  assert.match(info.stdout, /available\s+cls, pooled, mean, logits/);
  const pairs = path.join(root, 'pairs.jsonl');
  assert.equal((await runCli(['generate', '--count', '50', '--out', pairs], env)).code, 0);
  const s = await runCli(['score', pairs, '--model', int8, '--out', path.join(root, 'out.jsonl'), '--no-progress'], env);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(fs.readFileSync(path.join(root, 'out.jsonl'), 'utf8').trim().split('\n').length, 50);
  // Values: the int8 copy computes what the fp32 model does, and a model with other weights does not.
  // Measured 2026-11-30 on 50 generated pairs: pooled cosine int8 vs fp32 ≥ 0.99995, vs the seed-43
  // model ≤ 0.03; probabilities int8 vs fp32 within 4e-4, vs seed 43 up to 0.026.
  const other = path.join(root, 'other');
  assert.equal((await runCli(['make-model', '--size', 'tiny', '--head', 'seqcls', '--seed', '43', '--out', other], env)).code, 0);
  const extracted = async (dir: string, name: string) => {
    const out = path.join(root, `${name}.jsonl`);
    const r = await runCli(['extract', pairs, '--model', dir, '--embedding', 'pooled', '--features', 'none', '--out', out], env);
    assert.equal(r.code, 0, r.stderr);
    return readJsonl(out) as Array<{ embedding: number[]; logits: number[] }>;
  };
  const [fp32, q8, rnd] = [await extracted(model, 'fp32'), await extracted(int8, 'q8'), await extracted(other, 'rnd')];
  assert.equal(fp32.length, 50);
  const scored = readJsonl(path.join(root, 'out.jsonl')) as Array<{ probs: Record<string, number> }>;
  let worstInt8 = 1;
  let bestRandom = -1;
  let probGap = 0;
  for (let i = 0; i < 50; i++) {
    worstInt8 = Math.min(worstInt8, cosine(fp32[i]!.embedding, q8[i]!.embedding));
    bestRandom = Math.max(bestRandom, cosine(fp32[i]!.embedding, rnd[i]!.embedding));
    const want = softmax(fp32[i]!.logits);
    const got = ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'].map((l) => scored[i]!.probs[l]!);
    probGap = Math.max(probGap, ...got.map((g, k) => Math.abs(g - want[k]!)));
  }
  assert.ok(worstInt8 > 0.999, `int8 pooled vectors: cosine to fp32 down to ${worstInt8}`);
  assert.ok(bestRandom < 0.5, `a model with other weights reached cosine ${bestRandom}: the comparison would not tell`);
  assert.ok(probGap < 5e-3, `int8 probabilities differ from fp32 by up to ${probGap}`);
  const missing = await runCli(['quantize', path.join(root, 'nope'), '--out', path.join(root, 'x')], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /model directory not found/);
});
