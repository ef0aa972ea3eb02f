/**
 * `retry RUN` with real worker processes and a real Redis: a chunk that fails for good
 * (a worker with PAIRSCORE_TEST_FAIL_MARKER, crash-hook.ts) is queued again under the
 * same run id and scored by a worker without the marker; every row is then there once
 * and the results equal a clean run's. `retry` refuses (exit 2) a run that is unknown,
 * not ended, or completed without failed chunks. A run whose aggregate failed is retried
 * by running its aggregate again. A retry stopped where a kill would hurt most (old jobs
 * removed, new ones not added) loses nothing: the next retry finishes it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Job } from 'bullmq';
import { Redis } from 'ioredis';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { REDIS_URL } from './helpers/redis.js';
import { QueueFixture } from './helpers/queue-fixture.js';
import { RunClient, submitRun } from '../src/queue/index.js';
import { type ScoreRow } from '../src/contracts.js';
import { redisNames } from '../src/queue/keys.js';
import { retryRun } from '../src/queue/retry-run.js';
import { formatStatus } from '../src/queue/format.js';
import { InputError } from '../src/errors.js';

const MARKER = 'RETRYMARKER';
let d: Deployment;
let input = '';
const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ScoreRow);

before(async () => {
  d = await setUpDeployment('retry', { size: 'tiny', count: 300, seed: 7, env: { PAIRSCORE_LOG_LEVEL: 'error' } });
  // Row 120 (chunk 2 of 50-row chunks) carries the marker; it is an ordinary pair for a worker without it.
  const lines = fs.readFileSync(d.pairs, 'utf8').trim().split('\n');
  lines.splice(
    120,
    0,
    JSON.stringify({ id: 'marked', premise: `A man plays ${MARKER} guitar`, hypothesis: 'A man plays music', label: 'ENTAILMENT' }),
  );
  input = path.join(d.dir, 'marked.jsonl');
  fs.writeFileSync(input, `${lines.join('\n')}\n`);
});

after(async () => {
  await d?.tearDown();
});

async function stop(w: ReturnType<typeof startCli>): Promise<void> {
  w.child.kill('SIGTERM');
  assert.equal(await w.exited, 0, w.output());
}

test('retry re-queues the failed chunk: every row once, state completed, results equal a clean run', async () => {
  const env = d.env;
  const failing = startCli(['worker', '--concurrency', '1'], { ...env, PAIRSCORE_TEST_FAIL_MARKER: MARKER });
  let good: ReturnType<typeof startCli> | undefined;
  try {
    const sub = await runCli(
      ['submit', input, '--model', 'demo', '--run-id', 'rt-1', '--chunk-size', '50', '--wait', '--timeout', '120'],
      env,
    );
    assert.equal(sub.code, 1, sub.stderr + failing.output());
    assert.match(sub.stderr, /completed with 1 failed chunk/);
    const before = JSON.parse((await runCli(['status', 'rt-1', '--json'], env)).stdout) as {
      state: string;
      result: { failedChunks: Array<{ chunk: number; reason: string }> };
    };
    assert.equal(before.state, 'completed');
    assert.deepEqual(
      before.result.failedChunks.map((f) => f.chunk),
      [2],
    );
    assert.match(before.result.failedChunks[0]!.reason, /fail marker/);
    await stop(failing);

    // Refusals: unknown run, a run still queued (no worker yet), a run without failed chunks (below).
    const unknown = await runCli(['retry', 'no-such-run'], env);
    assert.equal(unknown.code, 2, unknown.stderr);
    assert.match(unknown.stderr, /no run 'no-such-run'/);
    const clean = await runCli(['submit', input, '--model', 'demo', '--run-id', 'rt-clean', '--chunk-size', '50'], env);
    assert.equal(clean.code, 0, clean.stderr);
    const queued = await runCli(['retry', 'rt-clean'], env);
    assert.equal(queued.code, 2, queued.stderr);
    assert.match(queued.stderr, /is queued: retry takes a run that ended/);

    good = startCli(['worker', '--concurrency', '1'], env);
    const retried = await runCli(['retry', 'rt-1', '--wait', '--timeout', '120'], env);
    assert.equal(retried.code, 0, retried.stderr + good.output());
    assert.match(retried.stderr, /1 failed chunk\(s\) queued again, 50 error row\(s\) cleared/);
    const waitClean = await runCli(['status', 'rt-clean', '--watch', '--timeout', '120'], env);
    assert.equal(waitClean.code, 0, waitClean.stderr);

    const after = JSON.parse((await runCli(['status', 'rt-1', '--json'], env)).stdout) as {
      state: string;
      done: number;
      failedChunks: number;
      retries: number;
      result: { lostRows: number; metrics: { rows: number; errors: number } };
    };
    assert.equal(after.state, 'completed');
    assert.equal(after.failedChunks, 0);
    assert.equal(after.retries, 1);
    assert.equal(after.done, 301);
    assert.equal(after.result.lostRows, 0);
    assert.deepEqual([after.result.metrics.rows, after.result.metrics.errors], [301, 0]);

    const outRetried = path.join(d.dir, 'retried.jsonl');
    const outClean = path.join(d.dir, 'clean.jsonl');
    for (const [run, out] of [
      ['rt-1', outRetried],
      ['rt-clean', outClean],
    ] as const) {
      const r = await runCli(['results', run, '--out', out], env);
      assert.equal(r.code, 0, r.stderr);
    }
    const rows = readJsonl(outRetried);
    assert.deepEqual(
      rows.map((r) => r.index),
      Array.from({ length: 301 }, (_, i) => i),
      'every row once, in order',
    );
    assert.ok(rows.every((r) => r.error === undefined && r.label !== undefined));
    assert.deepEqual(rows, readJsonl(outClean), 'results equal a clean run');
    const redis = new Redis(REDIS_URL);
    try {
      assert.equal(await redis.hlen(redisNames(d.prefix).runRows('rt-1')), 301, 'one stored row per input row');
    } finally {
      redis.disconnect();
    }

    const nothing = await runCli(['retry', 'rt-1'], env);
    assert.equal(nothing.code, 2, nothing.stderr);
    assert.match(nothing.stderr, /completed with no failed chunks: nothing to retry/);
  } finally {
    if (failing.child.exitCode === null) await stop(failing);
    if (good) await stop(good);
  }
});

test('retry of a run whose aggregate failed: the aggregate runs again and the run completes', async () => {
  const fx = await QueueFixture.create('retryagg');
  const p = fx.prefix('retryagg');
  const rowsKey = redisNames(p).runRows('ra-1');
  const redis = new Redis(REDIS_URL);
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: p });
  try {
    await submitRun(fx.submitOpts(p, { runId: 'ra-1' }));
    const scorer = await fx.worker(p, { aggregate: false });
    const deadline = Date.now() + 60000;
    while ((await client.store.rowCount('ra-1')) < 400) {
      assert.ok(Date.now() < deadline, 'chunks were not scored');
      await new Promise((r) => setTimeout(r, 100));
    }
    await scorer.close();
    // A stored row that does not parse fails the aggregate for good: the run ends failed.
    const good = (await redis.hget(rowsKey, '5'))!;
    await redis.hset(rowsKey, '5', '{not json');
    const aggregator = await fx.worker(p, { score: false });
    try {
      const failed = await client.wait('ra-1', { timeoutMs: 30000, intervalMs: 100 });
      assert.equal(failed.state, 'failed');
      await redis.hset(rowsKey, '5', good);
      const r = await client.retry('ra-1');
      assert.deepEqual([r.chunks, r.from], [[], 'failed']);
      const s = await client.wait('ra-1', { timeoutMs: 30000, intervalMs: 100 });
      assert.equal(s.state, 'completed');
      assert.deepEqual([s.retries, s.result!.failedChunks.length, s.result!.lostRows, s.result!.metrics!.errors], [1, 0, 0, 0]);
      assert.equal(await redis.hlen(rowsKey), 400);
    } finally {
      await aggregator.close();
    }
  } finally {
    await client.close();
    redis.disconnect();
    await fx.tearDown();
  }
});

test('a retry stopped between removing the failed chunk jobs and adding them again loses nothing: status says so, the next retry finishes it, every row once', async () => {
  const fx = await QueueFixture.create('retrykill');
  const p = fx.prefix('retrykill');
  const names = redisNames(p);
  const deps = fx.controlDeps(p);
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: p });
  const chunkId = names.chunkJobId('rk-1', 2);
  try {
    // Chunk 2 (rows 100–149) fails for good on this worker: an InputError is final.
    const failing = await fx.worker(p, {
      stages: fx.stagesWith(async (rows) => {
        if (rows[0]!.index === 100) throw new InputError('chunk 2 refused (test)');
      }),
    });
    try {
      await submitRun(fx.submitOpts(p, { runId: 'rk-1' }));
      const first = await client.wait('rk-1', { timeoutMs: 60000, intervalMs: 100 });
      assert.deepEqual([first.state, first.result!.failedChunks.map((f) => f.chunk)], ['completed', [2]]);
    } finally {
      await failing.close();
    }

    // Stopped where a kill would hurt: the old jobs removed, the new flow not added yet.
    let concurrent: unknown;
    await assert.rejects(
      retryRun(deps, 'rk-1', {
        afterRemove: async () => {
          concurrent = await retryRun(deps, 'rk-1').catch((e: unknown) => e);
          throw new Error('killed here (test)');
        },
      }),
      /killed here/,
    );
    assert.match((concurrent as Error).message, /is being retried by another pairscore retry right now/, 'one retry at a time');
    assert.equal(await Job.fromId(deps.queues.score, chunkId), undefined, "the failed chunk's job is gone");
    assert.equal(await Job.fromId(deps.queues.aggregate, names.aggregateJobId('rk-1')), undefined);
    const stopped = await client.status('rk-1');
    assert.deepEqual([stopped.state, stopped.retryUnfinished, stopped.done], ['running', true, 350]);
    assert.match(formatStatus(stopped), /a retry has not queued its chunks yet .*pairscore retry rk-1 finishes it/);

    const again = await client.retry('rk-1');
    assert.deepEqual([again.resumed, again.chunks, again.from], [true, [chunkId], 'completed']);
    const queued = await Job.fromId(deps.queues.score, chunkId);
    assert.ok(queued, 'the chunk is queued again');
    assert.deepEqual(queued.data.rows.length, 50);
    assert.equal((await client.status('rk-1')).retryUnfinished, undefined);
    assert.equal(await deps.redis.exists(names.runRetry('rk-1')), 0, 'the record is gone');

    // Stopped after the flow was added: the record alone is left, and a retry only drops it.
    await queued.updateProgress({ left: 'alone' });
    await deps.redis.hset(
      names.runRetry('rk-1'),
      'gen',
      '1',
      'from',
      'completed',
      `job:${chunkId}`,
      JSON.stringify({ data: queued.data, attempts: 8 }),
    );
    assert.equal((await client.status('rk-1')).retryUnfinished, undefined, 'its flow is in Redis');
    const third = await client.retry('rk-1');
    assert.deepEqual([third.resumed, third.rowsReset], [true, 0]);
    assert.deepEqual((await Job.fromId(deps.queues.score, chunkId))!.progress, { left: 'alone' }, 'the queued chunk was left alone');
    assert.equal(await deps.redis.exists(names.runRetry('rk-1')), 0);

    const good = await fx.worker(p);
    try {
      const s = await client.wait('rk-1', { timeoutMs: 60000, intervalMs: 100 });
      assert.equal(s.state, 'completed');
      assert.deepEqual([s.retries, s.result!.failedChunks.length, s.result!.lostRows, s.result!.metrics!.errors], [1, 0, 0, 0]);
      const indexes: number[] = [];
      for await (const r of client.results('rk-1')) indexes.push(r.index);
      assert.deepEqual(
        indexes,
        Array.from({ length: 400 }, (_, i) => i),
        'every row once, in order',
      );
      assert.equal(await deps.redis.hlen(names.runRows('rk-1')), 400);
    } finally {
      await good.close();
    }
  } finally {
    await client.close();
    await deps.close();
    await fx.tearDown();
  }
});
