/**
 * How distributed runs end when things go wrong: a poison chunk, a model that
 * differs between hosts, a head that does not fit, a cancel, and a Redis that
 * is down or evicts keys.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { runCli } from './helpers/cli.js';
import { QueueFixture } from './helpers/queue-fixture.js';
import { freePort, REDIS_URL, startPrivateRedis } from './helpers/redis.js';
import { RunClient, submitRun, type SubmitOptions } from '../src/queue/index.js';
import type { ScoreRow } from '../src/contracts.js';
import { redisNames } from '../src/queue/keys.js';
import { InputError, ModelError, RetryableError } from '../src/errors.js';

let fx: QueueFixture;
const redis = { url: REDIS_URL };
const prefix = (label: string) => fx.prefix(label);
const submitOpts = (p: string, extra: Partial<SubmitOptions> = {}) => fx.submitOpts(p, extra);

function scoreQueue(p: string): Queue {
  const u = new URL(REDIS_URL);
  return new Queue(redisNames(p).scoreQueue, {
    connection: { host: u.hostname, port: Number(u.port || 6379) },
    prefix: redisNames(p).bullPrefix,
  });
}

async function collect(client: RunClient, runId: string): Promise<ScoreRow[]> {
  const rows: ScoreRow[] = [];
  for await (const r of client.results(runId)) rows.push(r);
  return rows;
}

before(async () => {
  fx = await QueueFixture.create('qfail', { otherModel: true });
});

after(async () => {
  await fx?.tearDown();
});

test('a poison chunk fails for good, the run still completes and reports it; every row is in the results', async () => {
  const p = prefix('poison');
  const sub = await submitRun(submitOpts(p, { runId: 'poison-1' }));
  assert.equal(sub.chunks, 8);
  // Poison chunk 2: it now names a run that does not exist (an InputError → no retry).
  const q = scoreQueue(p);
  const job = await Job.fromId(q, redisNames(p).chunkJobId('poison-1', 2));
  await job!.updateData({ ...(job!.data as object), runId: 'no-such-run' });
  assert.ok(job!.opts.attempts! > 1, `the chunk had retries to spend (attempts ${job!.opts.attempts})`);
  const w = await fx.worker(p);
  const client = await RunClient.open({ redis, prefix: p });
  try {
    const s = await client.wait('poison-1', { timeoutMs: 60000, intervalMs: 200 });
    assert.equal(s.state, 'completed');
    // Failed for good at its first attempt: none of its retries was used.
    const failedJob = await Job.fromId(q, redisNames(p).chunkJobId('poison-1', 2));
    assert.equal(await failedJob!.getState(), 'failed');
    assert.equal(failedJob!.attemptsMade, 1, 'an InputError is not retried');
    assert.match(failedJob!.failedReason, /no run 'no-such-run'/);
    assert.equal(s.result!.failedChunks.length, 1);
    const failed = s.result!.failedChunks[0]!;
    assert.equal(failed.chunk, 2);
    assert.match(failed.reason, /no run 'no-such-run'/);
    assert.deepEqual([failed.firstIndex, failed.rows], [100, 50]);
    assert.equal(s.result!.lostRows, 0);
    const rows = await collect(client, 'poison-1');
    assert.equal(rows.length, 400);
    assert.deepEqual(
      rows.map((r) => r.index),
      Array.from({ length: 400 }, (_, i) => i),
    );
    assert.ok(rows.slice(100, 150).every((r) => /chunk 2 failed/.test(r.error ?? '')));
    assert.ok(rows.slice(0, 100).every((r) => r.error === undefined && r.label !== undefined));
    assert.equal(s.result!.metrics!.errors, 50);
  } finally {
    await q.close();
    await client.close();
    await w.close();
  }
});

test('a chunk that fails once with an infrastructure fault is retried and completes: attempts 2, every row scored', async () => {
  const p = prefix('retry');
  await submitRun(submitOpts(p, { runId: 'rt-1' }));
  const names = redisNames(p);
  const target = names.chunkJobId('rt-1', 3);
  const q = scoreQueue(p);
  const u = new URL(REDIS_URL);
  const events = new QueueEvents(names.scoreQueue, {
    connection: { host: u.hostname, port: Number(u.port || 6379) },
    prefix: names.bullPrefix,
  });
  await events.waitUntilReady();
  const seen: string[] = [];
  // A retried failure is not a 'failed' event: the job is moved to 'delayed' for its backoff.
  events.on('delayed', ({ jobId }) => jobId === target && seen.push('delayed'));
  events.on('failed', ({ jobId }) => jobId === target && seen.push('failed'));
  let reason = '';
  events.on('completed', ({ jobId }) => jobId === target && seen.push('completed'));
  let faults = 0;
  let attemptsBeforeSecondRun = -1;
  const stages = fx.stagesWith(async (rows) => {
    if (rows[0]!.index !== 150) return;
    if (faults === 0) {
      faults++;
      throw new RetryableError('TEST: the runtime failed once');
    }
    const job = (await Job.fromId(q, target))!;
    attemptsBeforeSecondRun = job.attemptsMade;
    reason = `${job.failedReason} ${(job.stacktrace ?? []).join(' ')}`;
  });
  const w = await fx.worker(p, { stages, retry: { baseMs: 50, maxMs: 100 } });
  const client = await RunClient.open({ redis, prefix: p });
  try {
    const s = await client.wait('rt-1', { timeoutMs: 60000, intervalMs: 200 });
    assert.equal(s.state, 'completed');
    assert.deepEqual(s.result!.failedChunks, []);
    assert.equal(faults, 1);
    // Its second attempt ran after one failed attempt, and that attempt completed it.
    assert.equal(attemptsBeforeSecondRun, 1, 'chunk 3 ran again after exactly one failure');
    for (let i = 0; i < 50 && !seen.includes('completed'); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(seen, ['delayed', 'completed'], 'attempt 1 failed and was put back, attempt 2 completed');
    assert.match(reason, /TEST: the runtime failed once/);
    const rows = await collect(client, 'rt-1');
    assert.deepEqual(
      rows.map((r) => r.index),
      Array.from({ length: 400 }, (_, i) => i),
    );
    assert.ok(
      rows.every((r) => r.error === undefined && r.label !== undefined),
      'every row scored, those of the retried chunk too',
    );
  } finally {
    await events.close();
    await q.close();
    await client.close();
    await w.close();
  }
});

test('a worker whose model differs retries its chunks (a host problem) and the final reason names the host and both sha256', async () => {
  const p = prefix('mismatch');
  await submitRun(submitOpts(p, { runId: 'mm-1', attempts: 2 }));
  const w = await fx.worker(p, { modelsRoot: fx.otherRoot });
  const client = await RunClient.open({ redis, prefix: p });
  const q = scoreQueue(p);
  try {
    const s = await client.wait('mm-1', { timeoutMs: 60000, intervalMs: 200 });
    assert.equal(s.state, 'completed');
    assert.equal(s.result!.failedChunks.length, 8);
    assert.match(
      s.result!.failedChunks[0]!.reason,
      new RegExp(`^on ${os.hostname()}-\\d+-[0-9a-f]+: model 'demo' on this worker has sha256 .*put the same model\\.onnx`),
    );
    // Retried, not failed at the first attempt: another host could have taken it.
    const job = await Job.fromId(q, redisNames(p).chunkJobId('mm-1', 0));
    assert.equal(job!.attemptsMade, 2);
  } finally {
    await q.close();
    await client.close();
    await w.close();
  }
});

test('a chunk that failed on a host without the model is taken over by a host with it: no row fails', async () => {
  const p = prefix('handover');
  await submitRun(submitOpts(p, { runId: 'ho-1', attempts: 3 }));
  const q = scoreQueue(p);
  const bad = await fx.worker(p, { modelsRoot: fx.otherRoot });
  const client = await RunClient.open({ redis, prefix: p });
  try {
    // Wait until the wrong host has failed a chunk once (it is then delayed for a retry).
    const deadline = Date.now() + 30000;
    for (;;) {
      const job = await Job.fromId(q, redisNames(p).chunkJobId('ho-1', 0));
      if ((job?.attemptsMade ?? 0) >= 1) break;
      assert.ok(Date.now() < deadline, 'the wrong host never tried chunk 0');
      await new Promise((r) => setTimeout(r, 50));
    }
    await bad.close();
    const good = await fx.worker(p);
    try {
      const s = await client.wait('ho-1', { timeoutMs: 60000, intervalMs: 200 });
      assert.equal(s.state, 'completed');
      assert.equal(s.result!.failedChunks.length, 0);
      const rows = await collect(client, 'ho-1');
      assert.equal(rows.length, 400);
      assert.ok(rows.every((r) => r.error === undefined && r.label !== undefined));
    } finally {
      await good.close();
    }
  } finally {
    await q.close();
    await client.close();
  }
});

test('an aggregate that fails for good ends the run as failed with its reason: waiting ends, status says why', async () => {
  const p = prefix('aggfail');
  await submitRun(submitOpts(p, { runId: 'af-1' }));
  const client = await RunClient.open({ redis, prefix: p });
  try {
    // Score every chunk with a worker that does not aggregate, then corrupt one stored row.
    const scorer = await fx.worker(p, { aggregate: false });
    const deadline = Date.now() + 60000;
    while ((await client.store.rowCount('af-1')) < 400) {
      assert.ok(Date.now() < deadline, 'chunks were not scored');
      await new Promise((r) => setTimeout(r, 100));
    }
    await scorer.close();
    const conn = new Redis(REDIS_URL);
    await conn.hset(redisNames(p).runRows('af-1'), '5', '{not json');
    conn.disconnect();
    const aggregator = await fx.worker(p, { score: false });
    try {
      const s = await client.wait('af-1', { timeoutMs: 30000, intervalMs: 100 });
      assert.equal(s.state, 'failed');
      assert.match(s.result!.reason!, /aggregate job failed after 1 attempt\(s\): corrupt data: .*JSON/);
    } finally {
      await aggregator.close();
    }
    const st = await runCli(['status', 'af-1', '--prefix', p]);
    assert.equal(st.code, 0);
    assert.match(st.stdout, /run af-1: failed\nreason +aggregate job failed/);
    const list = await runCli(['status', '--prefix', p]);
    assert.match(list.stdout, /af-1 +failed .*reason: aggregate job failed/);
  } finally {
    await client.close();
  }
});

test('submit refuses a head that does not fit, and a model outside the models root, before adding anything', async () => {
  const p = prefix('head');
  const head = path.join(fx.dir, 'head.json');
  fs.writeFileSync(
    head,
    JSON.stringify({
      format: 'pairscore-mlp',
      version: 1,
      labels: ['A', 'B'],
      inputs: { embedding: null, embedding_dim: 0, features: ['neg_premise'], logits: false, logits_dim: 0 },
      model: { sha256: 'e'.repeat(64) },
      standardize: { mean: [0], std: [1] },
      layers: [{ weight: [[1], [-1]], bias: [0, 0], activation: 'linear' }],
    }),
  );
  await assert.rejects(
    submitRun(submitOpts(p, { runId: 'h-1', mlpFile: head })),
    (e: unknown) => e instanceof ModelError && /head\.json does not fit.*sha256/.test(e.message),
  );
  await assert.rejects(
    submitRun(submitOpts(p, { runId: 'h-2', model: '../models/demo' })),
    (e: unknown) => e instanceof InputError && /not a plain name/.test(e.message),
  );
  const client = await RunClient.open({ redis, prefix: p });
  try {
    assert.equal(await client.store.get('h-1'), undefined);
  } finally {
    await client.close();
  }
});

test('cancel mid-run: waiting chunks are dropped, the active one finishes, done stops growing', async () => {
  const p = prefix('cancel');
  await submitRun(submitOpts(p, { runId: 'c-1' }));
  const client = await RunClient.open({ redis, prefix: p });
  const q = scoreQueue(p);
  // The first chunk the worker takes is held (active, its lock renewed) until the test lets it go.
  let held: number[] = [];
  let entered!: () => void;
  const isHeld = new Promise<void>((r) => (entered = r));
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const stages = fx.stagesWith(async (rows) => {
    if (held.length > 0) return;
    held = rows.map((r) => r.index);
    entered();
    await released;
  });
  const w = await fx.worker(p, { stages, concurrency: 1 });
  try {
    await isHeld;
    // Chunk jobs always carry a priority (src/queue/priority.ts), so untaken ones are `prioritized`.
    const before = await q.getJobCounts('active', 'waiting', 'prioritized');
    assert.equal(before.active, 1, 'one chunk is active');
    assert.ok(before.waiting + before.prioritized >= 6, `chunks still wait (${before.waiting + before.prioritized})`);
    assert.equal((await client.status('c-1')).done, 0);
    const cancelling = client.cancel('c-1');
    await new Promise((res) => setTimeout(res, 500));
    release();
    assert.deepEqual(await cancelling, { removed: true, state: 'cancelled' });
    const after = await client.status('c-1');
    assert.equal(after.state, 'cancelled');
    assert.equal(after.done, 50, 'the active chunk finished and wrote its rows');
    // The worker is still running: nothing else of the run is scored.
    await new Promise((res) => setTimeout(res, 1500));
    assert.equal((await client.status('c-1')).done, 50, 'done stopped growing');
    const counts = await q.getJobCounts();
    assert.equal(counts.waiting + counts.prioritized + counts.delayed + counts.active, 0);
    const rows = [];
    for await (const r of client.results('c-1', { partial: true })) rows.push(r as ScoreRow);
    assert.deepEqual(
      rows.map((r) => r.index),
      held,
      "exactly the held chunk's rows",
    );
    assert.ok(rows.every((r) => r.error === undefined && r.label !== undefined));
    assert.deepEqual(await client.cancel('c-1'), { removed: false, state: 'cancelled' });
  } finally {
    release();
    await w.close();
    await q.close();
    await client.close();
  }
});

test('cancel before any worker: queued chunks are removed and a worker started later scores nothing', async () => {
  const p = prefix('cancel0');
  await submitRun(submitOpts(p, { runId: 'c-0' }));
  const client = await RunClient.open({ redis, prefix: p });
  try {
    const r = await client.cancel('c-0');
    assert.deepEqual(r, { removed: true, state: 'cancelled' });
    const w = await fx.worker(p);
    await new Promise((res) => setTimeout(res, 1500));
    await w.close();
    const s = await client.status('c-0');
    assert.equal(s.state, 'cancelled');
    assert.equal(s.done, 0);
    const q = scoreQueue(p);
    const counts = await q.getJobCounts();
    await q.close();
    assert.equal(counts.waiting + counts.prioritized + counts.delayed + counts.active, 0);
    assert.deepEqual(await client.cancel('c-0'), { removed: false, state: 'cancelled' });
  } finally {
    await client.close();
  }
});

test('submit fails fast when Redis is down, and refuses a Redis that evicts keys', async () => {
  const port = await freePort();
  const t0 = Date.now();
  const down = await runCli([
    'submit',
    fx.pairs,
    '--model',
    'demo',
    '--models-root',
    fx.modelsRoot,
    '--redis',
    `redis://:s3cret@127.0.0.1:${port}`,
  ]);
  assert.equal(down.code, 1);
  assert.match(down.stderr, /cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1/);
  assert.doesNotMatch(down.stderr, /s3cret/);
  assert.ok(Date.now() - t0 < 20000, 'fails within seconds');

  const lru = await startPrivateRedis(['--maxmemory-policy', 'allkeys-lru']);
  try {
    const r = await runCli(['submit', fx.pairs, '--model', 'demo', '--models-root', fx.modelsRoot, '--redis', lru.url]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /maxmemory-policy allkeys-lru.*CONFIG SET maxmemory-policy noeviction/);
  } finally {
    await lru.stop();
  }
});
