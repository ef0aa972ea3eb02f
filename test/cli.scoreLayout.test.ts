/**
 * `score` without --sessions/--threads chooses the session layout itself and says so
 * once on stderr (src/embed/session-layout.ts). Child processes on a `make-model` model.
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
// Empty values count as unset (config.ts), so a developer's own PAIRSCORE_* cannot leak in.
let env: NodeJS.ProcessEnv = {};
const cores = os.availableParallelism();

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-layout-'));
  env = {
    PAIRSCORE_CACHE_DIR: path.join(dir, 'cache'),
    PAIRSCORE_THREADS: '',
    PAIRSCORE_SESSIONS: '',
    PAIRSCORE_MAX_MEMORY_MB: '',
    PAIRSCORE_BATCH_TOKENS: '',
  };
  model = path.join(dir, 'model');
  pairs = path.join(dir, 'pairs.jsonl');
  const made = await runCli(['make-model', '--size', 'tiny', '--head', 'seqcls', '--out', model], env);
  assert.equal(made.code, 0, made.stderr);
  const gen = await runCli(['generate', '--count', '40', '--out', pairs], env);
  assert.equal(gen.code, 0, gen.stderr);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const layoutLines = (stderr: string) => stderr.split('\n').filter((l) => /^sessions \d+ × threads \d+/.test(l));

test('score without flags: one single-threaded session per core, printed once', async () => {
  const r = await runCli(['score', pairs, '--model', model, '--out', path.join(dir, 'a.jsonl'), '--no-progress'], env);
  assert.equal(r.code, 0, r.stderr);
  const lines = layoutLines(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0]!,
    new RegExp(`^sessions ${cores} × threads 1, batch-tokens 1024 \\(${cores} cores?, model \\d+ MB, budget .* of free memory\\)$`),
  );
});

test('score with a memory budget below two model copies: one session on every core', async () => {
  const r = await runCli(['score', pairs, '--model', model, '--out', path.join(dir, 'b.jsonl'), '--no-progress', '--max-memory', '1'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    layoutLines(r.stderr).join('\n'),
    new RegExp(`^sessions 1 × threads ${cores}, batch-tokens 1024 \\(.*budget 1 MB \\(--max-memory\\)`),
  );
});

test('PAIRSCORE_THREADS alone derives the sessions; --batch-tokens is kept', async () => {
  const r = await runCli(['score', pairs, '--model', model, '--out', path.join(dir, 'c.jsonl'), '--no-progress', '--batch-tokens', '256'], {
    ...env,
    PAIRSCORE_THREADS: String(cores),
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(layoutLines(r.stderr).join('\n'), new RegExp(`^sessions 1 × threads ${cores}, batch-tokens 256 \\(set by --threads`));
});

test('PAIRSCORE_DEVICE reaches score: no --device means the variable, not a hidden cpu default', async () => {
  const out = path.join(dir, 'device.jsonl');
  const r = await runCli(['score', pairs, '--model', model, '--out', out], { ...env, PAIRSCORE_DEVICE: 'cuda' });
  // This machine has no CUDA provider, so asking for it must fail clearly; with one, the run says cuda.
  if (r.code === 0) assert.match(r.stderr, /cuda/i);
  else {
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /device 'cuda' requested/);
  }
  const cpu = await runCli(['score', pairs, '--model', model, '--out', out, '--device', 'cpu'], { ...env, PAIRSCORE_DEVICE: 'cuda' });
  assert.equal(cpu.code, 0, `--device beats PAIRSCORE_DEVICE: ${cpu.stderr}`);
});

test('score on an fp32 model says once that the last layer computes [CLS] only; extract --embedding mean does not', async () => {
  const lastLayer = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('last layer'));
  const r = await runCli(['score', pairs, '--model', model, '--out', path.join(dir, 'd.jsonl'), '--no-progress'], env);
  assert.equal(r.code, 0, r.stderr);
  const lines = lastLayer(r.stderr);
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0]!,
    /^last layer: \[CLS\] only \(equal to the full graph within 1e-5 on a probe batch \(max \|Δ\| [\d.]+e[-+]\d+\)\)$/,
  );

  const m = await runCli(
    ['extract', pairs, '--model', model, '--embedding', 'mean', '--out', path.join(dir, 'e.jsonl'), '--no-progress'],
    env,
  );
  assert.equal(m.code, 0, m.stderr);
  assert.deepEqual(lastLayer(m.stderr), [], m.stderr);
});

test('PAIRSCORE_CLS_ONLY=0 loads the full graph (no "last layer" line), and the rows are the same within 1e-5', async () => {
  const on = path.join(dir, 'cls-on.jsonl');
  const off = path.join(dir, 'cls-off.jsonl');
  const a = await runCli(['score', pairs, '--model', model, '--out', on, '--no-progress'], env);
  const b = await runCli(['score', pairs, '--model', model, '--out', off, '--no-progress'], { ...env, PAIRSCORE_CLS_ONLY: '0' });
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.ok(a.stderr.includes('last layer: [CLS] only'), a.stderr);
  assert.ok(!b.stderr.includes('last layer'), b.stderr);
  const probs = (file: string) =>
    fs
      .readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { probs: number[] }).probs);
  const pa = probs(on);
  const pb = probs(off);
  assert.equal(pa.length, pb.length);
  for (let i = 0; i < pa.length; i++)
    for (let j = 0; j < pa[i]!.length; j++) assert.ok(Math.abs(pa[i]![j]! - pb[i]![j]!) < 1e-5, `row ${i}`);
});
