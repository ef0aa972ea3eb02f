/**
 * `results` is whole or absent (real Redis, a real worker): a cancelled run, or
 * a completed run with a failed chunk, exits 1 naming how many input rows are
 * missing or error rows and writes no file; `--partial` writes the rows that
 * exist and says what is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { runCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunClient, startWorker } from '../src/queue/index.js';
import { redisNames } from '../src/queue/keys.js';
import { silentLogger } from '../src/log.js';
import { runShortfall } from '../src/run/shortfall.js';

let d: Deployment | undefined;
const redis = { url: REDIS_URL };
const ROWS = 20_000;
const n = (v: number) => v.toLocaleString('en-US');

before(async () => {
  d = await setUpDeployment('results', { size: 'tiny', count: ROWS, seed: 3 });
});

after(async () => {
  await d?.tearDown();
});

function worker(dep: Deployment) {
  return startWorker({
    redis,
    prefix: dep.prefix,
    modelsRoot: path.join(dep.dir, 'models'),
    cacheDir: path.join(dep.dir, 'cache'),
    concurrency: 1,
    threads: 1,
    sessions: 1,
    batchTokens: 1024,
    device: 'cpu',
    log: silentLogger(),
  });
}

const filesIn = (dir: string, base: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(base))
    .sort();

test('results of a cancelled run exits 1 naming the missing rows and writes nothing; --partial writes the rows that exist and warns', async () => {
  const dep = d!;
  const sub = await runCli(['submit', dep.pairs, '--model', 'demo', '--run-id', 'cx-1', '--chunk-size', '100'], dep.env);
  assert.equal(sub.code, 0, sub.stderr);
  const client = await RunClient.open({ redis, prefix: dep.prefix });
  const w = await worker(dep);
  let done = 0;
  try {
    // Cancel once some rows are done, long before all 20,000 are.
    const deadline = Date.now() + 120_000;
    while ((await client.status('cx-1')).done < 300) {
      assert.ok(Date.now() < deadline, 'the worker did no rows in 120 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(await client.cancel('cx-1'), { removed: true, state: 'cancelled' });
    await w.close();
    const s = await client.status('cx-1');
    assert.equal(s.state, 'cancelled');
    done = s.done;
    assert.ok(done >= 300 && done < ROWS, `rows done before the cancel took effect: ${done}`);
  } finally {
    await w.close();
    await client.close();
  }

  const out = path.join(dep.dir, 'cancelled.jsonl');
  const r = await runCli(['results', 'cx-1', '--out', out], dep.env);
  assert.equal(r.code, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `run cx-1 is cancelled, not completed: ${n(ROWS - done)} of ${n(ROWS)} input rows are missing; nothing written to .*cancelled\\.jsonl \\(.pairscore results cx-1 --out FILE --partial`,
    ),
  );
  assert.deepEqual(filesIn(dep.dir, 'cancelled.jsonl'), [], 'no file and no temp file');

  const p = await runCli(['results', 'cx-1', '--out', out, '--partial'], dep.env);
  assert.equal(p.code, 0, p.stderr);
  const rows = fs
    .readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { index: number });
  assert.equal(rows.length, done);
  assert.ok(
    rows.every((row, i) => i === 0 || row.index > rows[i - 1]!.index),
    'input order',
  );
  assert.match(p.stderr, new RegExp(`wrote ${done} rows of run cx-1`));
  assert.match(
    p.stderr,
    new RegExp(`warning: run cx-1 is cancelled, not completed: ${n(ROWS - done)} of ${n(ROWS)} input rows are missing`),
  );
  assert.deepEqual(filesIn(dep.dir, 'cancelled.jsonl'), ['cancelled.jsonl']);
});

test('results of a completed run with a failed chunk exits 1 naming its error rows; --partial writes every row, error rows included', async () => {
  const dep = d!;
  const small = path.join(dep.dir, 'small.jsonl');
  fs.writeFileSync(small, fs.readFileSync(dep.pairs, 'utf8').split('\n').slice(0, 400).join('\n') + '\n');
  const sub = await runCli(['submit', small, '--model', 'demo', '--run-id', 'fx-1', '--chunk-size', '50'], dep.env);
  assert.equal(sub.code, 0, sub.stderr);
  // Poison chunk 2: it now names a run that does not exist (an InputError: failed for good, no retry).
  const names = redisNames(dep.prefix);
  const u = new URL(REDIS_URL);
  const q = new Queue(names.scoreQueue, { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix: names.bullPrefix });
  const job = await Job.fromId(q, names.chunkJobId('fx-1', 2));
  await job!.updateData({ ...(job!.data as object), runId: 'no-such-run' });
  await q.close();
  const client = await RunClient.open({ redis, prefix: dep.prefix });
  const w = await worker(dep);
  try {
    const s = await client.wait('fx-1', { timeoutMs: 120_000, intervalMs: 200 });
    assert.equal(s.state, 'completed');
    assert.deepEqual(runShortfall(s), {
      runId: 'fx-1',
      state: 'completed',
      rows: 400,
      missing: 0,
      errorRows: 50,
      failedChunks: 1,
      lostRows: 0,
    });
  } finally {
    await w.close();
    await client.close();
  }

  const out = path.join(dep.dir, 'failed.parquet');
  const r = await runCli(['results', 'fx-1', '--out', out], dep.env);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /run fx-1 completed with 1 failed chunk: 50 of 400 input rows are error rows; nothing written/);
  assert.deepEqual(filesIn(dep.dir, 'failed.parquet'), []);

  const jsonl = path.join(dep.dir, 'failed.jsonl');
  const p = await runCli(['results', 'fx-1', '--out', jsonl, '--partial'], dep.env);
  assert.equal(p.code, 0, p.stderr);
  const rows = fs
    .readFileSync(jsonl, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { error?: string });
  assert.equal(rows.length, 400);
  assert.equal(rows.filter((x) => /chunk 2 failed/.test(x.error ?? '')).length, 50);
  assert.match(p.stderr, /warning: run fx-1 completed with 1 failed chunk: 50 of 400 input rows are error rows/);
});

test('results of a run that completed whole writes the file with no warning', async () => {
  const dep = d!;
  const small = path.join(dep.dir, 'tiny.jsonl');
  fs.writeFileSync(small, fs.readFileSync(dep.pairs, 'utf8').split('\n').slice(0, 120).join('\n') + '\n');
  const sub = await runCli(['submit', small, '--model', 'demo', '--run-id', 'ok-1', '--chunk-size', '50'], dep.env);
  assert.equal(sub.code, 0, sub.stderr);
  const client = await RunClient.open({ redis, prefix: dep.prefix });
  const w = await worker(dep);
  try {
    const s = await client.wait('ok-1', { timeoutMs: 120_000, intervalMs: 200 });
    assert.equal(runShortfall(s), null);
  } finally {
    await w.close();
    await client.close();
  }
  const out = path.join(dep.dir, 'ok.csv');
  const r = await runCli(['results', 'ok-1', '--out', out], dep.env);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /warning/);
  assert.equal(fs.readFileSync(out, 'utf8').trim().split('\n').length, 121);
  assert.deepEqual(filesIn(dep.dir, 'ok.csv'), ['ok.csv']);
});
