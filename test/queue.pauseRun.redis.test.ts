/**
 * `pause RUN` / `resume RUN` with a real worker process and a real Redis: a paused
 * run's chunks are parked (delayed, no attempt used) while another run completes on
 * the same worker; `status --watch` keeps waiting on it (until --timeout); `resume`
 * finishes it with every row once. A run paused while being scored stops growing
 * once its active chunks end. `cancel` ends a paused run.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunClient } from '../src/queue/index.js';
import { type ScoreRow } from '../src/contracts.js';
import { redisNames } from '../src/queue/keys.js';

let d: Deployment;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const readJsonl = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ScoreRow);

before(async () => {
  d = await setUpDeployment('pause', { size: 'tiny', count: 400, seed: 9 });
});

after(async () => {
  await d?.tearDown();
});

async function submit(runId: string, chunkSize: number, input = d.pairs): Promise<void> {
  const r = await runCli(['submit', input, '--model', 'demo', '--run-id', runId, '--chunk-size', String(chunkSize)], d.env);
  assert.equal(r.code, 0, r.stderr);
}

/** Every row of a finished run once, in order; the rows hash holds exactly one field per input row. */
async function assertEveryRowOnce(runId: string, rows: number): Promise<void> {
  const out = path.join(d.dir, `${runId}.jsonl`);
  const r = await runCli(['results', runId, '--out', out], d.env);
  assert.equal(r.code, 0, r.stderr);
  const got = readJsonl(out);
  assert.deepEqual(
    got.map((x) => x.index),
    Array.from({ length: rows }, (_, i) => i),
  );
  assert.ok(got.every((x) => x.error === undefined && x.label !== undefined));
  const redis = new Redis(REDIS_URL);
  try {
    assert.equal(await redis.hlen(redisNames(d.prefix).runRows(runId)), rows);
  } finally {
    redis.disconnect();
  }
}

test('a paused run is parked while another run completes; status --watch waits on it; resume finishes it, every row once', async () => {
  await submit('slow', 20);
  const paused = await runCli(['pause', 'slow'], d.env);
  assert.equal(paused.code, 0, paused.stderr);
  assert.match(paused.stderr, /run slow paused/);
  const w = startCli(['worker', '--concurrency', '1'], d.env);
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: d.prefix });
  const names = redisNames(d.prefix);
  const u = new URL(REDIS_URL);
  const q = new Queue(names.scoreQueue, { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix: names.bullPrefix });
  try {
    // Queued after the paused run: its chunks wait behind the paused run's 20, which the worker parks.
    await submit('other', 50);
    const other = await runCli(['status', 'other', '--watch', '--timeout', '120'], d.env);
    assert.equal(other.code, 0, other.stderr + w.output());
    await sleep(1000);
    const s = await client.status('slow');
    assert.deepEqual([s.state, s.done], ['paused', 0]);
    // Parked: every chunk of the paused run is delayed, and none used an attempt.
    const prefix = names.chunkJobId('slow', 0).replace(/0$/, '');
    const redis = new Redis(REDIS_URL);
    const parked = await redis
      .zrange(names.scoreDelayed, 0, -1)
      .then((ids) => ids.filter((id) => id.startsWith(prefix)))
      .finally(() => redis.disconnect());
    assert.equal(parked.length, 20);
    for (const id of parked) assert.equal((await Job.fromId(q, id))!.attemptsMade, 0, id);

    const watch = await runCli(['status', 'slow', '--watch', '--timeout', '3'], d.env);
    assert.equal(watch.code, 1, watch.stderr);
    assert.match(watch.stderr, /did not finish within 3 s \(state paused, 0\/400 rows\)/);
    const text = await runCli(['status', 'slow'], d.env);
    assert.match(text.stdout, /run slow: paused/);

    const resumed = await runCli(['resume', 'slow'], d.env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stderr, /run slow resumed \(20 parked chunk\(s\) queued again\)/);
    const done = await runCli(['status', 'slow', '--watch', '--timeout', '120'], d.env);
    assert.equal(done.code, 0, done.stderr + w.output());
    await assertEveryRowOnce('slow', 400);
    await assertEveryRowOnce('other', 400);

    const again = await runCli(['resume', 'slow'], d.env);
    assert.equal(again.code, 2, again.stderr);
    assert.match(again.stderr, /is completed, not paused/);
    const late = await runCli(['pause', 'slow'], d.env);
    assert.equal(late.code, 2, late.stderr);
  } finally {
    await q.close();
    await client.close();
    w.child.kill('SIGTERM');
    assert.equal(await w.exited, 0, w.output());
  }
});

test('paused while being scored: done stops growing once active chunks end; resume completes it; no row lost or duplicated', async () => {
  const big = path.join(d.dir, 'big.jsonl');
  const lines = fs.readFileSync(d.pairs, 'utf8').trim().split('\n');
  fs.writeFileSync(big, `${Array.from({ length: 10 }, () => lines.join('\n')).join('\n')}\n`);
  await submit('mid', 10, big);
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: d.prefix });
  const w = startCli(['worker', '--concurrency', '2'], d.env);
  try {
    const deadline = Date.now() + 120000;
    while ((await client.status('mid')).done === 0) {
      assert.ok(Date.now() < deadline, `the worker never scored a chunk: ${w.output()}`);
      await sleep(20);
    }
    assert.equal(await client.pause('mid'), true);
    await sleep(2000);
    const d1 = (await client.status('mid')).done;
    assert.ok(d1 < 4000, `paused with chunks left (${d1}/4000 done)`);
    await sleep(3000);
    const s = await client.status('mid');
    assert.deepEqual([s.state, s.done], ['paused', d1], 'no row written while paused');
    await client.resume('mid');
    const done = await client.wait('mid', { timeoutMs: 180000, intervalMs: 200 });
    assert.equal(done.state, 'completed');
    assert.equal(done.result!.failedChunks.length, 0);
    await assertEveryRowOnce('mid', 4000);
  } finally {
    await client.close();
    w.child.kill('SIGTERM');
    assert.equal(await w.exited, 0, w.output());
  }
});

test('cancel ends a paused run', async () => {
  await submit('gone', 50);
  assert.equal((await runCli(['pause', 'gone'], d.env)).code, 0);
  const c = await runCli(['cancel', 'gone'], d.env);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stderr, /run gone cancelled/);
  const s = JSON.parse((await runCli(['status', 'gone', '--json'], d.env)).stdout) as { state: string };
  assert.equal(s.state, 'cancelled');
  const r = await runCli(['resume', 'gone'], d.env);
  assert.equal(r.code, 2, r.stderr);
});
