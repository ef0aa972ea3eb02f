/**
 * Runs always end: a submit that stopped between queueing and sealing is
 * finished by submitting again; a stray `aggregate` job cannot end a live run;
 * a run whose Redis data vanished is reported as lost (exit 1), not as
 * "never submitted"; workers warn when Redis does not persist.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { runCli, startCli } from './helpers/cli.js';
import { QueueFixture } from './helpers/queue-fixture.js';
import { REDIS_URL, startPrivateRedis } from './helpers/redis.js';
import { RunClient, submitRun, type SubmitOptions } from '../src/queue/index.js';
import { type ScoreRow } from '../src/contracts.js';
import { redisNames } from '../src/queue/keys.js';

let fx: QueueFixture;
const redis = { url: REDIS_URL };
const prefix = (label: string) => fx.prefix(label);
const submitOpts = (p: string, extra: Partial<SubmitOptions> = {}) => fx.submitOpts(p, extra);

function cliEnv(p: string, url = REDIS_URL): NodeJS.ProcessEnv {
  return {
    REDIS_URL: url,
    PAIRSCORE_PREFIX: p,
    PAIRSCORE_MODELS_ROOT: fx.modelsRoot,
    PAIRSCORE_CACHE_DIR: path.join(fx.dir, 'cache'),
    PAIRSCORE_LOG_LEVEL: 'warn',
  };
}

async function until(what: string, check: () => Promise<boolean>, ms = 30000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function allScored(client: RunClient, runId: string, rows: number): Promise<void> {
  const got: ScoreRow[] = [];
  for await (const r of client.results(runId)) got.push(r);
  assert.deepEqual(
    got.map((r) => r.index),
    Array.from({ length: rows }, (_, i) => i),
  );
  assert.ok(
    got.every((r) => r.error === undefined && r.label !== undefined),
    'every row scored',
  );
}

before(async () => {
  fx = await QueueFixture.create('submit');
});

after(async () => {
  await fx?.tearDown();
});

test('a producer stopped between queueing and the seal promotion: every chunk is scored but the run waits; re-running submit seals it and it completes', async () => {
  const p = prefix('seal');
  await assert.rejects(
    submitRun(
      submitOpts(p, {
        runId: 'seal-1',
        beforeSeal: () => {
          throw new Error('producer died here');
        },
      }),
    ),
    /producer died here/,
  );
  const client = await RunClient.open({ redis, prefix: p });
  const w = await fx.worker(p);
  try {
    await until('every chunk is scored', async () => (await client.store.rowCount('seal-1')) === 400);
    await new Promise((r) => setTimeout(r, 1500));
    const stuck = await client.status('seal-1');
    assert.equal(stuck.state, 'running', 'without its seal the aggregate parent never runs');
    assert.equal(stuck.unsealed, true);
    const st = await runCli(['status', 'seal-1'], cliEnv(p));
    assert.match(st.stdout, /note +its submit stopped before sealing the run, so it cannot finish: run the same submit again/);
    const again = await runCli(
      ['submit', fx.pairs, '--model', 'demo', '--run-id', 'seal-1', '--chunk-size', '50', '--wait', '--timeout', '60'],
      cliEnv(p),
    );
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /run seal-1 was queued but never sealed \(its submit stopped there\): sealed now, it will finish/);
    const s = await client.status('seal-1');
    assert.equal(s.state, 'completed');
    assert.equal(s.unsealed, undefined);
    assert.equal(s.result!.lostRows, 0);
    await allScored(client, 'seal-1', 400);
  } finally {
    await w.close();
    await client.close();
  }
});

test('a stray aggregate job for a live run is refused, the run untouched (still queued, no rows), then it completes normally with every row', async () => {
  const p = prefix('stray');
  const n = redisNames(p);
  await submitRun(submitOpts(p, { runId: 'st-1' }));
  const u = new URL(REDIS_URL);
  const aggQueue = new Queue(n.aggregateQueue, { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix: n.bullPrefix });
  const client = await RunClient.open({ redis, prefix: p });
  try {
    // Another program adds an aggregate job naming the live run; only an aggregating worker runs yet.
    await aggQueue.add('aggregate', { runId: 'st-1' }, { jobId: 'stray-1' });
    const aggregator = await fx.worker(p, { score: false });
    let stray: Job | undefined;
    await until('the stray job is refused', async () => {
      stray = await Job.fromId(aggQueue, 'stray-1');
      return (await stray?.isFailed()) === true;
    });
    // Read again: the copy fetched just before it moved to failed has no failedReason yet
    // (isFailed() reads the live state, not that copy) — this raced once in CI.
    stray = await Job.fromId(aggQueue, 'stray-1');
    assert.match(
      stray!.failedReason,
      /aggregate job stray-1 is not the flow parent of run 'st-1' \(run-st-1-aggregate\): refused, the run is untouched/,
    );
    assert.equal(stray!.attemptsMade, 1, 'refused for good, not retried');
    const during = await client.status('st-1');
    assert.equal(during.state, 'queued');
    assert.equal(during.result, undefined);
    assert.equal(during.done, 0, 'no error rows were written');
    const scorer = await fx.worker(p, { aggregate: false });
    try {
      const s = await client.wait('st-1', { timeoutMs: 60000, intervalMs: 200 });
      assert.equal(s.state, 'completed');
      assert.equal(s.result!.lostRows, 0);
      assert.equal(s.result!.failedChunks.length, 0);
      await allScored(client, 'st-1', 400);
    } finally {
      await scorer.close();
      await aggregator.close();
    }
  } finally {
    await aggQueue.close();
    await client.close();
  }
});

test('Redis restarted without its data: status and status --watch exit 1 with "Redis lost this run\'s data", not "never submitted"', async () => {
  const r = await startPrivateRedis();
  const p = prefix('lost');
  const env = cliEnv(p, r.url);
  const conn = new Redis(r.url);
  try {
    const sub = await runCli(['submit', fx.pairs, '--model', 'demo', '--run-id', 'lost-1', '--chunk-size', '50'], env);
    assert.equal(sub.code, 0, sub.stderr);
    assert.equal((await runCli(['status', 'lost-1'], env)).code, 0);
    const unknown = await runCli(['status', 'never-there'], env);
    assert.equal(unknown.code, 2, 'a run this deployment never had is still an input error');
    assert.match(unknown.stderr, /never submitted/);

    await conn.flushall(); // what a restart without persistence leaves
    const st = await runCli(['status', 'lost-1'], env);
    assert.equal(st.code, 1, st.stderr);
    assert.match(st.stderr, /Redis lost this run's data — restarted without persistence\?/);
    assert.doesNotMatch(st.stderr, /never submitted/);

    // A waiting command that saw the run, even when another submit has since re-marked the deployment.
    const again = await runCli(['submit', fx.pairs, '--model', 'demo', '--run-id', 'lost-2', '--chunk-size', '50'], env);
    assert.equal(again.code, 0, again.stderr);
    const watch = startCli(['status', 'lost-2', '--watch', '--timeout', '60'], env);
    await new Promise((res) => setTimeout(res, 2500));
    await conn.multi().flushall().set(redisNames(p).deploymentMarker, 'x').exec();
    assert.equal(await watch.exited, 1, watch.output());
    assert.match(watch.output(), /Redis lost this run's data — restarted without persistence\?/);
  } finally {
    conn.disconnect();
    await r.stop();
  }
});

test('a worker warns at start when Redis has neither AOF nor RDB save points, and not when AOF is on', async () => {
  const bare = await startPrivateRedis();
  const aofDir = fs.mkdtempSync(path.join(fx.dir, 'aof-'));
  const aof = await startPrivateRedis(['--appendonly', 'yes', '--dir', aofDir]);
  try {
    for (const [r, warns] of [
      [bare, true],
      [aof, false],
    ] as const) {
      const w = startCli(['worker', '--concurrency', '1'], cliEnv(prefix('persist'), r.url));
      await until(
        'the worker started',
        async () => /worker started|no persistence/.test(w.output()) || w.child.exitCode !== null,
        20000,
      ).catch(() => undefined);
      await new Promise((res) => setTimeout(res, 1500));
      w.child.kill('SIGTERM');
      assert.equal(await w.exited, 0, w.output());
      if (warns) assert.match(w.output(), /has no persistence \(appendonly no, no RDB save points\): a restart loses every queued run/);
      else assert.doesNotMatch(w.output(), /persistence/);
    }
  } finally {
    await bare.stop();
    await aof.stop();
  }
});
