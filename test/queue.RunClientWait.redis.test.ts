/**
 * Waiting commands ride out a Redis restart: `submit --wait` and `status --watch`
 * (real CLI processes) keep waiting while a private redis-server with AOF is killed
 * and started again 2 s later on the same port, then exit 0 with the run completed —
 * and never print ioredis' "Unhandled error event"; `results` that Redis dies under
 * while it writes waits and writes every row once it is back (one that never reached
 * Redis fails fast: test/cli.redisUnreachable.test.ts; so does `status --watch`). With Redis
 * down for good once it has connected, `status --watch --timeout` still ends the wait.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { spawn } from 'node:child_process';
import { cliArgv, runCli, startCli } from './helpers/cli.js';
import { freePort, startPrivateRedis, type PrivateRedis } from './helpers/redis.js';
import { makeModel } from '../src/modelgen/index.js';
import { writeSyntheticPairs } from '../src/synthetic/write.js';

let dir = '';
const servers: PrivateRedis[] = [];
const children: Array<ReturnType<typeof startCli>> = [];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-cwait-'));
  await makeModel({ outDir: path.join(dir, 'models', 'demo'), size: 'mini', head: 'seqcls', seed: 42 });
  await writeSyntheticPairs(path.join(dir, 'pairs.jsonl'), 1500, 11);
});

after(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  for (const s of servers) await s.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

function env(url: string): NodeJS.ProcessEnv {
  return {
    REDIS_URL: url,
    PAIRSCORE_PREFIX: 'cwait',
    PAIRSCORE_MODELS_ROOT: path.join(dir, 'models'),
    PAIRSCORE_CACHE_DIR: path.join(dir, 'cache'),
    PAIRSCORE_THREADS: '1',
    PAIRSCORE_LOG_LEVEL: 'warn',
    PAIRSCORE_LOCK_MS: '2000',
    PAIRSCORE_BATCH_TOKENS: '64',
  };
}

async function connectedClients(probe: Redis): Promise<number> {
  return Number(/connected_clients:(\d+)/.exec(await probe.info('clients'))?.[1] ?? 0);
}

/** Waits until Redis counts `n` clients, `c` (started since) among them; `c` must not have exited. */
async function untilConnected(probe: Redis, n: number, c: ReturnType<typeof startCli>): Promise<void> {
  const deadline = Date.now() + 20000;
  while ((await connectedClients(probe)) < n) {
    assert.ok(Date.now() < deadline && c.child.exitCode === null, `the command never connected:\n${c.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function cli(args: string[], e: NodeJS.ProcessEnv): ReturnType<typeof startCli> {
  const c = startCli(args, e);
  children.push(c);
  return c;
}

test(
  'submit --wait and status --watch survive a 2 s Redis restart and exit 0 with the run completed, without "Unhandled error event"; results waits for a Redis that dies under it',
  { timeout: 90000 },
  async () => {
    const srv = await startPrivateRedis([], { dataDir: fs.mkdtempSync(path.join(dir, 'aof-')) });
    servers.push(srv);
    const e = env(srv.url);
    const worker = cli(['worker', '--concurrency', '2'], e);
    const submit = cli(
      ['submit', path.join(dir, 'pairs.jsonl'), '--model', 'demo', '--run-id', 'rs-1', '--chunk-size', '25', '--wait', '--timeout', '80'],
      e,
    );
    const probe = new Redis(srv.url, { maxRetriesPerRequest: 1, lazyConnect: true });
    probe.on('error', () => undefined);
    let watch: ReturnType<typeof startCli> | undefined;
    try {
      const deadline = Date.now() + 40000;
      let clientsBefore = 0;
      for (;;) {
        const done = await probe.hlen('{cwait}:run:rs-1:rows').catch(() => 0);
        if (done >= 100 && !watch) {
          clientsBefore = await connectedClients(probe);
          watch = cli(['status', 'rs-1', '--watch', '--timeout', '80'], e);
        }
        if (done >= 200 && watch) {
          assert.ok(done < 1500, 'the restart must land mid-run');
          break;
        }
        assert.ok(Date.now() < deadline, `no rows were scored:\n${worker.output()}\n${submit.output()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      // status --watch must have reached Redis before the outage: one it never reached fails fast (next test).
      await untilConnected(probe, clientsBefore + 1, watch);
    } finally {
      probe.disconnect();
    }
    await new Promise((r) => setTimeout(r, 500)); // status --watch is polling
    await srv.kill();
    await new Promise((r) => setTimeout(r, 2000));
    assert.equal(submit.child.exitCode, null, `submit --wait died during the outage:\n${submit.output()}`);
    await srv.restart();
    const [submitCode, watchCode] = await Promise.all([submit.exited, watch!.exited]);
    for (const [name, code, c] of [
      ['submit --wait', submitCode, submit],
      ['status --watch', watchCode, watch!],
    ] as const) {
      assert.equal(code, 0, `${name}:\n${c.output()}`);
      assert.match(c.output(), /run rs-1: completed/, name);
      assert.match(c.output(), /rows +1500\/1500/, name);
      assert.doesNotMatch(c.output(), /Unhandled error event/, name);
    }
    assert.match(submit.output(), /Redis at redis:\/\/127\.0\.0\.1:\d+\/? unreachable .*waiting for it/);
    assert.match(submit.output(), /reachable again/);
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.output());

    // results that Redis dies under while it writes waits for it and writes every row once it is back.
    // Its stdout is not read at first: it stops on the full pipe inside the first 1,000-row read
    // (≈ 170 KB of rows), having reached Redis, and needs Redis again for the other 500.
    const results = spawn(process.execPath, cliArgv(['results', 'rs-1', '--out', '-', '--format', 'jsonl', '--timeout', '60']), {
      env: { ...process.env, ...e },
    });
    let stderr = '';
    results.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const resultsExited = new Promise<number>((resolve) => results.on('close', (code) => resolve(code ?? -1)));
    const chunks: Buffer[] = [];
    try {
      const started = Date.now() + 30000;
      while (results.stdout.readableLength === 0) {
        assert.ok(Date.now() < started && results.exitCode === null, `results wrote nothing:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
      await srv.kill();
      results.stdout.on('data', (d: Buffer) => chunks.push(d));
      const noticed = Date.now() + 15000;
      while (!/unreachable .*waiting for it/.test(stderr)) {
        assert.ok(Date.now() < noticed && results.exitCode === null, `results did not wait for Redis:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(results.exitCode, null, `results died while Redis was down:\n${stderr}`);
      await srv.restart();
      assert.equal(await resultsExited, 0, stderr);
    } finally {
      if (results.exitCode === null) results.kill('SIGKILL');
    }
    assert.match(stderr, /reachable again/);
    assert.doesNotMatch(stderr, /Unhandled error event/);
    const lines = Buffer.concat(chunks)
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { index: number });
    assert.deepEqual(
      lines.map((l) => l.index),
      Array.from({ length: 1500 }, (_, i) => i),
    );
  },
);

test('status --watch against a Redis it never reached fails fast like plain status, whatever --timeout', { timeout: 30000 }, async () => {
  const url = `redis://127.0.0.1:${await freePort()}`;
  for (const args of [
    ['status', 'rs-2', '--watch', '--timeout', '120'],
    ['status', 'rs-2'],
  ]) {
    const t0 = Date.now();
    const r = await runCli(args, env(url));
    const ms = Date.now() - t0;
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /cannot reach Redis at redis:\/\/127\.0\.0\.1/, args.join(' '));
    assert.doesNotMatch(r.stderr, /Unhandled error event|waiting for it/, args.join(' '));
    assert.ok(ms < 10000, `${args.join(' ')} gave up after ${ms} ms`);
  }
});

test(
  'status --watch whose Redis goes down for good once it has connected waits, then gives up at --timeout (exit 1)',
  { timeout: 60000 },
  async () => {
    const srv = await startPrivateRedis();
    servers.push(srv);
    const e = env(srv.url);
    // No worker: the run stays queued, so only the outage and --timeout can end the watch.
    const submit = await runCli(['submit', path.join(dir, 'pairs.jsonl'), '--model', 'demo', '--run-id', 'rs-3', '--chunk-size', '500'], e);
    assert.equal(submit.code, 0, submit.stderr);
    const probe = new Redis(srv.url, { maxRetriesPerRequest: 1 });
    const watch = cli(['status', 'rs-3', '--watch', '--timeout', '10'], e);
    try {
      // Connected: the probe and the watch (nothing else talks to this Redis).
      await untilConnected(probe, 2, watch);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      probe.disconnect();
    }
    await srv.kill();
    assert.equal(await watch.exited, 1, watch.output());
    assert.match(watch.output(), /unreachable .*waiting for it/);
    assert.match(watch.output(), /did not finish within 10 s/);
    assert.doesNotMatch(watch.output(), /Unhandled error event/);
  },
);
