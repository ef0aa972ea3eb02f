/**
 * Distributed mode against a real Redis with real worker processes: results
 * equal local `score`, exactly one row per input row, idempotent re-submit.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import type { ScoreRow } from '../src/contracts.js';

let deployment: Deployment | undefined;
let dir = '';
let env: NodeJS.ProcessEnv = {};
const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ScoreRow);

before(async () => {
  deployment = await setUpDeployment('dist', { size: 'tiny', count: 2100, seed: 11 });
  ({ dir, env } = deployment);
  // Bad rows must travel through the queue as error rows.
  const lines = fs.readFileSync(path.join(dir, 'pairs.jsonl'), 'utf8').trim().split('\n');
  lines.splice(700, 0, JSON.stringify({ id: 'bad', premise: '', hypothesis: 'x', label: 'NEUTRAL' }));
  fs.writeFileSync(path.join(dir, 'pairs.jsonl'), `${lines.join('\n')}\n`);
});

after(async () => {
  await deployment?.tearDown();
});

test('two worker processes score 2,101 rows: same rows as local score, each index once, re-submit adds nothing', async () => {
  const input = path.join(dir, 'pairs.jsonl');
  const workers = [startCli(['worker', '--concurrency', '2'], env), startCli(['worker', '--concurrency', '2'], env)];
  try {
    const sub = await runCli(['submit', input, '--model', 'demo', '--run-id', 'eq-1', '--chunk-size', '100', '--wait'], env);
    assert.equal(sub.code, 0, sub.stderr + workers.map((w) => w.output()).join('\n'));
    assert.match(sub.stderr, /2101 rows in 22 chunks submitted/);
    assert.match(sub.stderr, /completed/);

    const distOut = path.join(dir, 'dist.jsonl');
    const res = await runCli(['results', 'eq-1', '--out', distOut], env);
    assert.equal(res.code, 0, res.stderr);
    const localOut = path.join(dir, 'local.jsonl');
    const loc = await runCli(['score', input, '--model', path.join(dir, 'models', 'demo'), '--out', localOut], env);
    assert.equal(loc.code, 0, loc.stderr);

    const dist = readJsonl(distOut);
    const local = readJsonl(localOut);
    assert.equal(dist.length, 2101);
    assert.deepEqual(
      dist.map((r) => r.index),
      Array.from({ length: 2101 }, (_, i) => i),
    );
    assert.equal(new Set(dist.map((r) => r.index)).size, 2101);
    for (let i = 0; i < local.length; i++) {
      const a = dist[i]!;
      const b = local[i]!;
      assert.equal(a.id, b.id);
      assert.equal(a.label, b.label, `row ${i}`);
      assert.equal(a.error, b.error);
      for (const k of Object.keys(b.probs ?? {})) assert.ok(Math.abs(a.probs![k]! - b.probs![k]!) <= 1e-5, `row ${i} ${k}`);
    }
    assert.match(String(dist[700]!.error), /premise/);

    const status = await runCli(['status', 'eq-1', '--json'], env);
    const s = JSON.parse(status.stdout) as {
      state: string;
      done: number;
      workers: string[];
      result: { metrics: { rows: number; errors: number } };
    };
    assert.equal(s.state, 'completed');
    assert.equal(s.done, 2101);
    assert.equal(s.workers.length, 2, 'both worker processes took chunks');
    assert.equal(s.result.metrics.rows, 2101);
    assert.equal(s.result.metrics.errors, 1);

    const again = await runCli(['submit', input, '--model', 'demo', '--run-id', 'eq-1'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /already exists: nothing added/);
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    const codes = await Promise.all(workers.map((w) => w.exited));
    assert.deepEqual(codes, [0, 0], 'workers exit 0 on SIGTERM');
  }
});
