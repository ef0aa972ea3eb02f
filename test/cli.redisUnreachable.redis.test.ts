/**
 * The commands that talk to Redis once — submit, status, results, cancel — when
 * the Redis URL is bad or the Redis is down: a clear one-line message, the
 * documented exit code (2 for a URL that cannot work, 1 for an unreachable
 * Redis) and a bounded time, never a hang and never ioredis noise. `results`
 * waits through an outage that starts once it has reached Redis (README "Which
 * commands wait through an outage"; test/queue.RunClientWait.test.ts), but a Redis
 * it never reached fails it fast, long before its --timeout.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, type CliResult } from './helpers/cli.js';
import { QueueFixture } from './helpers/queue-fixture.js';
import { startPrivateRedis, type PrivateRedis } from './helpers/redis.js';
import { submitRun } from '../src/queue/index.js';

let fx: QueueFixture;

before(async () => {
  fx = await QueueFixture.create('unreach');
});

after(async () => {
  await fx?.tearDown();
});

/** The commands against `url`, at once (each is its own process), with their wall times. */
async function everyCommand(url: string, runId: string, only?: string[]): Promise<Record<string, CliResult & { ms: number }>> {
  const out = path.join(fx.dir, `${runId}.jsonl`);
  const commands: Record<string, string[]> = {
    submit: ['submit', fx.pairs, '--model', 'demo', '--models-root', fx.modelsRoot, '--run-id', runId],
    status: ['status', runId],
    'status (list)': ['status'],
    results: ['results', runId, '--out', out, '--timeout', '120'],
    cancel: ['cancel', runId],
  };
  const env = { PAIRSCORE_CACHE_DIR: path.join(fx.dir, 'cache') };
  const entries = await Promise.all(
    Object.entries(commands)
      .filter(([name]) => !only || only.includes(name))
      .map(async ([name, args]) => {
        const t0 = Date.now();
        const r = await runCli([...args, '--redis', url], env);
        return [name, { ...r, ms: Date.now() - t0 }] as const;
      }),
  );
  assert.ok(!fs.existsSync(out), 'results wrote no file');
  return Object.fromEntries(entries);
}

function assertOneLine(name: string, r: CliResult): void {
  assert.doesNotMatch(r.stderr, /Unhandled error event|\n\s+at /, `${name}: no stack, no ioredis noise:\n${r.stderr}`);
}

test('a Redis URL that cannot work (unparseable, or not redis:// / rediss://): exit 2 with the fix, within seconds, for submit, status, results and cancel', async () => {
  const [unparseable, scheme] = await Promise.all([
    everyCommand('not a url:s3cret@host', 'bad-url', ['submit', 'status', 'results', 'cancel']),
    everyCommand('http://127.0.0.1:6379', 'bad-url', ['status']),
  ]);
  for (const [name, r] of Object.entries(unparseable)) {
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(
      r.stderr,
      /invalid Redis URL \(unparseable; from --redis or REDIS_URL, not shown\): use redis:\/\/host:port or rediss:\/\/host:port/,
      name,
    );
    assert.doesNotMatch(r.stderr, /s3cret/, `${name}: the string is not echoed (it may hold a password)`);
    assertOneLine(name, r);
    assert.ok(r.ms < 30000, `${name} took ${r.ms} ms`);
  }
  const r = scheme.status!;
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /invalid Redis URL http:\/\/127\.0\.0\.1:6379\/: the scheme must be redis:\/\/ or rediss:\/\//);
  assertOneLine('status', r);
});

test('Redis down (a private redis-server holding a run, stopped): submit, status, results (--timeout 120) and cancel exit 1 "cannot reach Redis" within seconds', async () => {
  let redis: PrivateRedis | undefined = await startPrivateRedis();
  try {
    await submitRun({ ...fx.submitOpts('pstest-down'), redis: { url: redis.url }, runId: 'down-1' });
    const url = redis.url;
    await redis.stop();
    redis = undefined;
    const all = await everyCommand(url, 'down-1');
    for (const name of ['submit', 'status', 'status (list)', 'results', 'cancel']) {
      const r = all[name]!;
      assert.equal(r.code, 1, `${name}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+: nothing listens there \(ECONNREFUSED\): is Redis running/,
        name,
      );
      assertOneLine(name, r);
      assert.ok(r.ms < 30000, `${name} took ${r.ms} ms`);
    }
    assert.doesNotMatch(all.results!.stderr, /waiting for it/, 'results never reached this Redis: nothing to wait for');
  } finally {
    await redis?.stop();
  }
});
