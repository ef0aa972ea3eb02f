import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './helpers/cli.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-cli-quant-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));
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
  const missing = await runCli(['quantize', path.join(root, 'nope'), '--out', path.join(root, 'x')], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /model directory not found/);
});
