/**
 * Workers and Redis outages, with real `pairscore worker` processes and a private
 * redis-server: a worker waits for a Redis that is down at start and then works;
 * SIGTERM ends a worker within seconds even while Redis is down (at start, or
 * mid-run with chunks in hand — those are taken over later, no row lost).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCli } from './helpers/cli.js';
import { freePort, startPrivateRedis, type PrivateRedis } from './helpers/redis.js';
import { RunClient, submitRun } from '../src/queue/index.js';
import { makeModel } from '../src/modelgen/index.js';
import { writeSyntheticPairs } from '../src/synthetic/write.js';

let dir = '';
const servers: PrivateRedis[] = [];
const children: Array<ReturnType<typeof startCli>> = [];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-wsig-'));
  await makeModel({ outDir: path.join(dir, 'models', 'demo'), size: 'mini', head: 'seqcls', seed: 42 });
  await writeSyntheticPairs(path.join(dir, 'pairs.jsonl'), 600, 9);
});

after(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  for (const s of servers) await s.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function env(url: string, prefix: string): NodeJS.ProcessEnv {
  return {
    REDIS_URL: url,
    PAIRSCORE_PREFIX: prefix,
    PAIRSCORE_MODELS_ROOT: path.join(dir, 'models'),
    PAIRSCORE_CACHE_DIR: path.join(dir, 'cache'),
    PAIRSCORE_THREADS: '1',
    PAIRSCORE_LOG_LEVEL: 'info',
    PAIRSCORE_LOCK_MS: '2000',
    PAIRSCORE_BATCH_TOKENS: '64',
  };
}

function worker(url: string, prefix: string): ReturnType<typeof startCli> {
  const w = startCli(['worker', '--concurrency', '2'], env(url, prefix));
  children.push(w);
  return w;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for: ${what}`);
    await sleep(50);
  }
}

/** Milliseconds from SIGTERM to exit, and the exit code. */
async function terminate(w: ReturnType<typeof startCli>): Promise<{ ms: number; code: number }> {
  const t0 = Date.now();
  w.child.kill('SIGTERM');
  const code = await w.exited;
  return { ms: Date.now() - t0, code };
}

function submit(url: string, prefix: string, runId: string) {
  return submitRun({
    redis: { url },
    prefix,
    runId,
    input: path.join(dir, 'pairs.jsonl'),
    model: 'demo',
    modelsRoot: path.join(dir, 'models'),
    cacheDir: path.join(dir, 'cache'),
    keepSeconds: 3600,
    chunkSize: 25,
  });
}

test('a worker started while Redis is down waits (logging it) and works once Redis comes up', { timeout: 60000 }, async () => {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const w = worker(url, 'late');
  await sleep(4000);
  assert.equal(w.child.exitCode, null, `the worker gave up on Redis:\n${w.output()}`);
  assert.match(w.output(), /Redis unreachable: waiting for it/);
  const srv = await startPrivateRedis([], { port });
  servers.push(srv);
  await submit(url, 'late', 'late-1');
  const client = await RunClient.open({ redis: { url }, prefix: 'late' });
  try {
    const s = await client.wait('late-1', { timeoutMs: 25000, intervalMs: 100 });
    assert.equal(s.state, 'completed', w.output());
    assert.equal(s.result!.failedChunks.length, 0);
  } finally {
    await client.close();
  }
  const { code } = await terminate(w);
  assert.equal(code, 0, w.output());
});

test(
  'SIGTERM ends a worker within 5 s while Redis is down: at start, and mid-run (its chunks are taken over, no row lost)',
  { timeout: 90000 },
  async () => {
    // At start: Redis never came up.
    const port = await freePort();
    const waiting = worker(`redis://127.0.0.1:${port}`, 'sig');
    await until('the worker waits for Redis', 15000, () => /waiting for it/.test(waiting.output()));
    const atStart = await terminate(waiting);
    assert.equal(atStart.code, 0, waiting.output());
    assert.ok(atStart.ms < 5000, `exited after ${atStart.ms} ms`);

    // Mid-run: Redis killed (-9) while the worker holds chunks, then SIGTERM.
    const data = fs.mkdtempSync(path.join(dir, 'aof-'));
    const srv = await startPrivateRedis([], { dataDir: data });
    servers.push(srv);
    await submit(srv.url, 'sig', 'sig-1');
    const victim = worker(srv.url, 'sig');
    const client = await RunClient.open({ redis: { url: srv.url }, prefix: 'sig' });
    try {
      await until('rows are being scored', 20000, async () => (await client.status('sig-1')).done >= 50);
    } finally {
      await client.close();
    }
    await srv.kill();
    await sleep(500);
    const midRun = await terminate(victim);
    assert.ok(midRun.ms < 5000, `exited after ${midRun.ms} ms:\n${victim.output()}`);
    assert.equal(midRun.code, 0, victim.output());
    assert.doesNotMatch(victim.output(), /Unhandled error event/);

    // Redis back with its data: another worker finishes the run, every row once.
    await srv.restart();
    const rescuer = worker(srv.url, 'sig');
    const after = await RunClient.open({ redis: { url: srv.url }, prefix: 'sig' });
    try {
      const s = await after.wait('sig-1', { timeoutMs: 25000, intervalMs: 200 });
      assert.equal(s.state, 'completed', rescuer.output());
      assert.equal(s.result!.failedChunks.length, 0, JSON.stringify(s.result!.failedChunks));
      assert.equal(s.result!.lostRows, 0);
      const indexes: number[] = [];
      for await (const r of after.results('sig-1')) {
        assert.equal(r.error, undefined);
        indexes.push(r.index);
      }
      assert.deepEqual(
        indexes,
        Array.from({ length: 600 }, (_, i) => i),
      );
    } finally {
      await after.close();
    }
    assert.equal((await terminate(rescuer)).code, 0, rescuer.output());
  },
);

test(
  'SIGTERM ends a worker within seconds after a long Redis outage that is over (BullMQ close alone waited for ever)',
  { timeout: 60000 },
  async () => {
    const srv = await startPrivateRedis();
    servers.push(srv);
    const w = worker(srv.url, 'wsig-long');
    await until('worker started', 30000, () => /worker started/.test(w.output()));
    await srv.stop();
    await sleep(13000); // ~12 s and more made BullMQ 6.7's Worker.close() hang once Redis was back
    await srv.restart();
    await sleep(3000);
    const { ms, code } = await terminate(w);
    assert.equal(code, 0, w.output());
    assert.ok(ms < 12000, `exit took ${ms} ms`);
  },
);
