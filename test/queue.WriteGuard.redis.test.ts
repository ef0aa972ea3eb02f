/**
 * Redis refusing writes (used memory above maxmemory) costs no rows: a worker
 * that sees a refused write pauses taking jobs until a probe write succeeds, and
 * a chunk that keeps being refused ends with a reason naming OOM, not EXECABORT.
 * Each test uses its own redis-server: the faults are real Redis replies.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { startPrivateRedis } from './helpers/redis.js';
import { RunClient, startWorker, submitRun, type SubmitOptions, type WorkerOptions } from '../src/queue/index.js';
import { StageCache } from '../src/queue/stage-cache.js';
import { type ScoreRow } from '../src/contracts.js';
import { redisNames } from '../src/queue/keys.js';
import { makeModel } from '../src/modelgen/index.js';
import { writeSyntheticPairs } from '../src/synthetic/write.js';
import type { Logger } from '../src/log.js';

let dir = '';
const servers: Array<{ stop: () => Promise<void> }> = [];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-wguard-'));
  await makeModel({ outDir: path.join(dir, 'models', 'demo'), size: 'mini', head: 'seqcls', seed: 42 });
  await writeSyntheticPairs(path.join(dir, 'pairs.jsonl'), 1200, 7);
});

after(async () => {
  for (const s of servers) await s.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** A logger whose lines the test can read. */
function capturedLogger(): { log: Logger; lines: () => Array<{ msg: string; [k: string]: unknown }> } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { log: pino<never>({ level: 'info' }, stream), lines: () => lines.map((l) => JSON.parse(l) as { msg: string }) };
}

function options(url: string, prefix: string, extra: Partial<SubmitOptions> = {}): SubmitOptions {
  return {
    redis: { url },
    prefix,
    input: path.join(dir, 'pairs.jsonl'),
    model: 'demo',
    modelsRoot: path.join(dir, 'models'),
    cacheDir: path.join(dir, 'cache'),
    keepSeconds: 3600,
    chunkSize: 25,
    ...extra,
  };
}

function workerOptions(url: string, prefix: string, log: WorkerOptions['log'], extra: Partial<WorkerOptions> = {}): WorkerOptions {
  return {
    redis: { url },
    prefix,
    modelsRoot: path.join(dir, 'models'),
    cacheDir: path.join(dir, 'cache'),
    concurrency: 2,
    threads: 1,
    sessions: 1,
    batchTokens: 64,
    device: 'cpu',
    log,
    retry: { baseMs: 500, maxMs: 2000 },
    ...extra,
  };
}

test('a run during which Redis refuses writes for 5 s completes with every row scored and no failed chunk; the worker logged the pause', async () => {
  const srv = await startPrivateRedis();
  servers.push(srv);
  const admin = new Redis(srv.url);
  const { log, lines } = capturedLogger();
  await submitRun(options(srv.url, 'oom', { runId: 'oom-1' }));
  const w = await startWorker(workerOptions(srv.url, 'oom', log));
  const client = await RunClient.open({ redis: { url: srv.url }, prefix: 'oom' });
  try {
    const deadline = Date.now() + 20000;
    while ((await client.status('oom-1')).done < 100) {
      assert.ok(Date.now() < deadline, 'no rows were scored');
      await new Promise((r) => setTimeout(r, 20));
    }
    await admin.config('SET', 'maxmemory', '1');
    const doneAtFault = (await client.status('oom-1')).done;
    await new Promise((r) => setTimeout(r, 5000));
    const doneAfterFault = (await client.status('oom-1')).done;
    await admin.config('SET', 'maxmemory', '0');
    assert.ok(doneAtFault < 1200, 'the fault must land mid-run');
    assert.equal(doneAfterFault, doneAtFault, 'no row can be written while Redis refuses writes');
    const s = await client.wait('oom-1', { timeoutMs: 25000, intervalMs: 100 });
    assert.equal(s.state, 'completed');
    assert.deepEqual(s.result!.failedChunks, []);
    assert.equal(s.result!.lostRows, 0);
    const rows: ScoreRow[] = [];
    for await (const r of client.results('oom-1')) rows.push(r as ScoreRow);
    assert.equal(rows.length, 1200);
    assert.ok(rows.every((r, i) => r.index === i && r.error === undefined && r.label !== undefined));
    const paused = lines().filter((l) => /pausing job intake/.test(l.msg));
    const resumed = lines().filter((l) => /resuming job intake/.test(l.msg));
    assert.equal(paused.length, 1, 'one line when it pauses');
    assert.match(String(paused[0]!.reason), /^Redis refused writes: OOM command not allowed/);
    assert.equal(resumed.length, 1, 'one line when it resumes');
  } finally {
    await client.close();
    await w.close();
    admin.disconnect();
  }
});

test('a chunk that keeps failing on OOM fails for good with a reason naming OOM, after every attempt', async () => {
  const srv = await startPrivateRedis();
  servers.push(srv);
  const admin = new Redis(srv.url);
  const { log } = capturedLogger();
  await submitRun(options(srv.url, 'oomfinal', { runId: 'of-1', chunkSize: 2000, attempts: 3 }));
  // The real stages, then real refusals: every attempt's write lands in a 300 ms OOM window.
  const real = new StageCache({
    modelsRoot: path.join(dir, 'models'),
    cacheDir: path.join(dir, 'cache'),
    threads: 1,
    sessions: 1,
    batchTokens: 1024,
    device: 'cpu',
  });
  const stages = {
    async runnerFor(spec: Parameters<StageCache['runnerFor']>[0]) {
      const run = await real.runnerFor(spec);
      return async (rows: Parameters<typeof run>[0]) => {
        const out = await run(rows);
        await admin.config('SET', 'maxmemory', '1');
        setTimeout(() => void admin.config('SET', 'maxmemory', '0'), 300);
        return out;
      };
    },
    close: () => real.close(),
  };
  const w = await startWorker(workerOptions(srv.url, 'oomfinal', log, { stages, retry: { baseMs: 100, maxMs: 200 } }));
  const client = await RunClient.open({ redis: { url: srv.url }, prefix: 'oomfinal' });
  const q = new Queue(redisNames('oomfinal').scoreQueue, {
    connection: { host: '127.0.0.1', port: srv.port },
    prefix: redisNames('oomfinal').bullPrefix,
  });
  try {
    const s = await client.wait('of-1', { timeoutMs: 25000, intervalMs: 100 });
    assert.equal(s.state, 'completed');
    assert.equal(s.result!.failedChunks.length, 1);
    assert.equal(s.result!.failedChunks[0]!.reason, "Redis refused writes: OOM command not allowed when used memory > 'maxmemory'.");
    const job = await Job.fromId(q, redisNames('oomfinal').chunkJobId('of-1', 0));
    assert.equal(job!.attemptsMade, 3, 'every attempt was used and recorded');
  } finally {
    await q.close();
    await client.close();
    await w.close();
    admin.disconnect();
  }
});
