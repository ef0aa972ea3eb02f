/**
 * Bounded Redis memory, on a private redis-server: every key of a run expires with the
 * run (`--keep`) after it completed, was cancelled or failed, a key first written after
 * the run ended too; the events stream is trimmed; the runs and workers indexes are
 * pruned; `submit` refuses a run that would not fit the free maxmemory (or warns with force).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { QueueKeys } from 'bullmq';
import type { IngestRow, ScoreRow } from '../src/contracts.js';
import { redisNames } from '../src/queue/keys.js';
import { silentLogger } from '../src/log.js';
import { makeModel } from '../src/modelgen/index.js';
import { writeSyntheticPairs } from '../src/synthetic/write.js';
import { RunClient, startWorker, submitRun, type WorkerHandle } from '../src/queue/index.js';
import { EVENTS_MAX_LEN } from '../src/queue/bull.js';
import { IN_FLIGHT_TTL_SECONDS, RunStore } from '../src/queue/run-store.js';
import { pruneWorkers, WORKER_FORGET_MS } from '../src/queue/worker-registry.js';
import { InputError } from '../src/errors.js';
import { startPrivateRedis } from './helpers/redis.js';

const KEEP = 3600;
let server: Awaited<ReturnType<typeof startPrivateRedis>>;
let redis: Redis;
let dir = '';
let modelsRoot = '';

before(async () => {
  server = await startPrivateRedis();
  redis = new Redis(server.url);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-membounds-'));
  modelsRoot = path.join(dir, 'models');
  await makeModel({ outDir: path.join(modelsRoot, 'demo'), size: 'tiny', head: 'seqcls' });
});

after(async () => {
  redis.disconnect();
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Runner = (rows: readonly IngestRow[]) => Promise<ScoreRow[]>;
const noop: Runner = async (rows) => rows.map((r) => ({ index: r.index, id: r.id, label: 'A', probs: { A: 1, B: 0 } }));

async function deployment(prefix: string, runner: Runner, concurrency = 4) {
  const target = { redis: { url: server.url }, prefix };
  const worker: WorkerHandle = await startWorker({
    ...target,
    modelsRoot,
    cacheDir: path.join(dir, 'cache'),
    concurrency,
    threads: 1,
    sessions: 1,
    batchTokens: 1024,
    device: 'cpu',
    log: silentLogger(),
    stages: { runnerFor: async () => runner, close: async () => undefined },
  });
  const client = await RunClient.open(target);
  const submit = async (
    runId: string,
    rows: number,
    chunkSize: number,
    extra: { force?: boolean; onWarning?: (m: string) => void } = {},
  ) => {
    const input = path.join(dir, `pairs-${rows}.jsonl`);
    if (!fs.existsSync(input)) await writeSyntheticPairs(input, rows);
    return submitRun({
      ...target,
      input,
      model: 'demo',
      modelsRoot,
      cacheDir: path.join(dir, 'cache'),
      keepSeconds: KEEP,
      chunkSize,
      runId,
      ...extra,
    });
  };
  return {
    names: redisNames(prefix),
    client,
    submit,
    async close() {
      await client.close();
      await worker.close();
    },
  };
}

async function ttls(keys: string[]): Promise<number[]> {
  return Promise.all(keys.map((k) => redis.ttl(k)));
}

/** Keys a run may never create (the crash counts of bisection exist only after a worker crash). */
// Written only when a row crashes workers, a chunk is parked (pause) or a retry is under way.
const OPTIONAL = /:(crashes|parked|retry)$/;

function assertExpiresWithRun(values: number[], keys: string[]): void {
  values.forEach((ttl, i) => {
    if (ttl === -2 && OPTIONAL.test(keys[i]!)) return;
    assert.ok(ttl > 0 && ttl <= KEEP, `${keys[i]}: TTL ${ttl} (want 0 < TTL ≤ ${KEEP})`);
  });
}

test('completed: every run key expires with --keep; the events stream is trimmed', async () => {
  const d = await deployment('mb-done', noop, 8);
  try {
    await d.submit('done-1', 1200, 1);
    const s = await d.client.wait('done-1', { timeoutMs: 60000, intervalMs: 100 });
    assert.equal(s.state, 'completed');
    const keys = d.names.runKeys('done-1');
    assertExpiresWithRun(await ttls(keys), keys);
    // 1,200 chunk jobs write ≥ 4,800 events (added, waiting, active, completed); BullMQ trims approximately (whole stream nodes).
    const events = new QueueKeys(d.names.bullPrefix).toKey(d.names.scoreQueue, 'events');
    const len = await redis.xlen(events);
    assert.ok(len <= EVENTS_MAX_LEN + 200, `events stream has ${len} entries (bound ${EVENTS_MAX_LEN})`);
    assert.equal(
      await redis.hget(new QueueKeys(d.names.bullPrefix).toKey(d.names.scoreQueue, 'meta'), 'opts.maxLenEvents'),
      String(EVENTS_MAX_LEN),
    );
  } finally {
    await d.close();
  }
});

test('cancelled: every run key expires with --keep, the rows of chunks active at cancel too', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  let started = 0;
  const d = await deployment(
    'mb-cancel',
    async (rows) => {
      started++;
      await gate;
      return noop(rows);
    },
    2,
  );
  try {
    await d.submit('cancel-1', 1000, 100);
    while (started < 2) await new Promise((r) => setTimeout(r, 20));
    setTimeout(release, 500); // active chunks finish while cancel waits for their locks
    const r = await d.client.cancel('cancel-1');
    assert.equal(r.state, 'cancelled');
    await new Promise((res) => setTimeout(res, 300));
    const keys = d.names.runKeys('cancel-1');
    const values = await ttls(keys);
    assertExpiresWithRun(
      values.filter((t) => t !== -2),
      keys.filter((_, i) => values[i] !== -2),
    );
    assert.ok(values[1] !== -1, 'the rows hash has a TTL');
  } finally {
    release();
    await d.close();
  }
});

test('failed (a corrupt stored row fails the aggregate for good): every run key expires with --keep', async () => {
  let calls = 0;
  const d = await deployment(
    'mb-failed',
    async (rows) => {
      // The last chunk corrupts row 0 (written by chunk 0 already: concurrency 1, chunks in order).
      if (++calls === 5) await redis.hset(redisNames('mb-failed').runRows('failed-1'), '0', '{not json');
      return noop(rows);
    },
    1,
  );
  try {
    await d.submit('failed-1', 500, 100);
    const s = await d.client.wait('failed-1', { timeoutMs: 60000, intervalMs: 100 });
    assert.equal(s.state, 'failed', JSON.stringify(s.result));
    const keys = d.names.runKeys('failed-1');
    assertExpiresWithRun(await ttls(keys), keys);
  } finally {
    await d.close();
  }
});

test('a key first written after the run ended gets the run TTL; in flight, keys have the in-flight TTL', async () => {
  const names = redisNames('mb-late');
  const store = new RunStore(redis, names);
  const codec = { encode: (r: unknown) => JSON.stringify(r), decode: (t: string) => JSON.parse(t), summary: (t: string) => JSON.parse(t) };
  await redis.hset(names.runMeta('late-1'), 'state', 'running');
  await store.writeRows('late-1', [{ index: 0, id: 'a', label: 'A' }], codec);
  assert.ok((await redis.ttl(names.runRows('late-1'))) > KEEP, 'in flight: the long in-flight TTL, not none');
  assert.ok((await redis.ttl(names.runRows('late-1'))) <= IN_FLIGHT_TTL_SECONDS);
  await redis.del(names.runRows('late-1'), names.runWorkers('late-1'));
  await store.finish(
    'late-1',
    { state: 'cancelled', metrics: null, failedChunks: [], lostRows: 0, finishedAt: new Date().toISOString() },
    KEEP,
  );
  await store.writeRows('late-1', [{ index: 1, id: 'b', label: 'A' }], codec);
  await store.beginChunk('late-1', 'w-late');
  await store.markParked('late-1', 'run-late-1-chunk-0', '0:1');
  for (const k of [names.runRows('late-1'), names.runWorkers('late-1'), names.runParked('late-1')]) {
    const ttl = await redis.ttl(k);
    assert.ok(ttl > 0 && ttl <= KEEP, `${k}: TTL ${ttl}`);
  }
});

test('the runs index drops expired runs; the workers index forgets long-silent workers', async () => {
  const names = redisNames('mb-index');
  const store = new RunStore(redis, names);
  await redis.zadd(names.runs, 1, 'gone-1', 2, 'gone-2');
  await redis.hset(names.runMeta('alive-1'), 'spec', '{}');
  await redis.zadd(names.runs, 3, 'alive-1');
  assert.equal(await store.pruneRuns(), 2);
  assert.deepEqual(await redis.zrange(names.runs, 0, -1), ['alive-1']);
  const now = Date.now();
  await redis.zadd(names.workers, now - WORKER_FORGET_MS - 1000, 'dead', now, 'live');
  await redis.hset(names.workerInfo, 'dead', '{}', 'live', '{}');
  assert.equal(await pruneWorkers(redis, names, now), 1);
  assert.deepEqual(await redis.zrange(names.workers, 0, -1), ['live']);
  assert.deepEqual(Object.keys(await redis.hgetall(names.workerInfo)), ['live']);
});

test('submit refuses a run that would not fit the free maxmemory; --force warns and submits', async () => {
  const small = await startPrivateRedis(['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction']);
  const target = { redis: { url: small.url }, prefix: 'mb-fit' };
  const input = path.join(dir, 'pairs-20000.jsonl');
  await writeSyntheticPairs(input, 20000);
  const opts = { ...target, input, model: 'demo', modelsRoot, cacheDir: path.join(dir, 'cache'), keepSeconds: KEEP, chunkSize: 1000 };
  try {
    await assert.rejects(submitRun({ ...opts, runId: 'big-1' }), (err: Error) => {
      assert.ok(err instanceof InputError, err.message);
      assert.match(
        err.message,
        /needs about [\d.]+ MB of Redis memory .* has [\d.]+ MB free \(used [\d.]+ MB of maxmemory 3\.0 MB\).*--force/,
      );
      return true;
    });
    const r2 = new Redis(small.url);
    assert.equal(await r2.exists(redisNames('mb-fit').runMeta('big-1')), 0, 'nothing was stored');
    r2.disconnect();
    const small2 = await submitRun({ ...opts, input: path.join(dir, 'pairs-500.jsonl'), runId: 'fits-1' }).catch((e: Error) => e);
    assert.ok(!(small2 instanceof Error), String(small2));
  } finally {
    await small.stop();
  }
  // --force on a Redis with room for the jobs but not the whole estimate: a warning, then submitted.
  const roomy = await startPrivateRedis(['--maxmemory', '8mb', '--maxmemory-policy', 'noeviction']);
  try {
    const warnings: string[] = [];
    const r = await submitRun({ ...opts, redis: { url: roomy.url }, runId: 'forced-1', force: true, onWarning: (m) => warnings.push(m) });
    assert.equal(r.added, true);
    assert.ok(
      warnings.some((w) => /needs about .*--force: submitting anyway/.test(w)),
      warnings.join('\n'),
    );
  } finally {
    await roomy.stop();
  }
});
