/**
 * At-least-once delivery, exactly-once rows: a worker process killed with
 * SIGKILL mid-run loses nothing. Its active chunks are taken over after the
 * lock expires; the accounting at the end is Jepsen-style — no row lost, none
 * duplicated, none unexpected.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Job, Queue, QueueEvents } from 'bullmq';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunClient } from '../src/queue/index.js';
import { type ScoreRow } from '../src/contracts.js';
import { redisNames } from '../src/queue/keys.js';

let deployment: Deployment | undefined;
let dir = '';
let prefix = '';
let env: NodeJS.ProcessEnv = {};

before(async () => {
  // Small micro-batches make each chunk take long enough to be killed mid-way.
  const fast = { PAIRSCORE_LOCK_MS: '2000', PAIRSCORE_BATCH_TOKENS: '64' };
  deployment = await setUpDeployment('crash', { size: 'mini', count: 3000, seed: 21, env: fast });
  ({ dir, env, prefix } = deployment);
});

after(async () => {
  await deployment?.tearDown();
});

test('a worker killed with SIGKILL while it holds chunks: another worker takes them over, every row exactly once', async () => {
  const names = redisNames(prefix);
  const u = new URL(REDIS_URL);
  const connection = { host: u.hostname, port: Number(u.port || 6379) };
  const q = new Queue(names.scoreQueue, { connection, prefix: names.bullPrefix });
  // Listening before anything runs: a stall and the completion of each chunk, with the worker that completed it.
  const events = new QueueEvents(names.scoreQueue, { connection, prefix: names.bullPrefix });
  await events.waitUntilReady();
  const stalled = new Set<string>();
  const completedBy = new Map<string, string[]>();
  events.on('stalled', ({ jobId }) => stalled.add(jobId));
  events.on('completed', ({ jobId, returnvalue }) => {
    const worker = (typeof returnvalue === 'string' ? JSON.parse(returnvalue) : (returnvalue as { worker?: string } | null))?.worker ?? '?';
    completedBy.set(jobId, [...(completedBy.get(jobId) ?? []), worker]);
  });
  const sub = await runCli(['submit', path.join(dir, 'pairs.jsonl'), '--model', 'demo', '--run-id', 'crash-1', '--chunk-size', '100'], env);
  assert.equal(sub.code, 0, sub.stderr);
  const victim = startCli(['worker', '--concurrency', '2'], env);
  const survivor = startCli(['worker', '--concurrency', '2'], env);
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix });
  // Worker ids are `<host>-<pid>-<hex>`; BullMQ stores the id of the worker that took a job as processedBy.
  const isVictim = (by: string | undefined) => by !== undefined && by.includes(`-${victim.child.pid}-`);
  const heldByVictim = async (): Promise<Job[]> => (await q.getActive()).filter((j) => isVictim(j.processedBy));
  try {
    // Kill the victim once rows are flowing and while it holds a chunk.
    const deadline = Date.now() + 120000;
    for (;;) {
      assert.ok(Date.now() < deadline, `the victim never held a chunk while rows were flowing\n${victim.output()}`);
      if ((await client.status('crash-1')).done >= 300 && (await heldByVictim()).length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    victim.child.kill('SIGKILL');
    await victim.exited;
    // A dead process changes nothing: the chunks still active under its name are the ones it held at death.
    const held = (await heldByVictim()).map((j) => j.id!);
    assert.ok(held.length > 0, 'the victim held at least one chunk when it was killed');
    const s = await client.wait('crash-1', { timeoutMs: 240000, intervalMs: 250 });
    assert.equal(s.state, 'completed', survivor.output());
    assert.equal(s.result!.failedChunks.length, 0, JSON.stringify(s.result!.failedChunks));
    const survivorId = s.workers.find((w) => !isVictim(w));
    assert.ok(survivorId, `the survivor scored chunks: ${s.workers.join(', ')}`);
    for (let i = 0; i < 50 && !held.every((id) => completedBy.has(id)); i++) await new Promise((r) => setTimeout(r, 100));
    for (const id of held) {
      assert.ok(stalled.has(id), `chunk ${id} was found stalled after its holder died`);
      assert.deepEqual(completedBy.get(id), [survivorId], `chunk ${id} was completed once, by the survivor`);
    }
    const rows: ScoreRow[] = [];
    for await (const r of client.results('crash-1')) rows.push(r);
    const seen = new Map<number, number>();
    for (const r of rows) seen.set(r.index, (seen.get(r.index) ?? 0) + 1);
    const lost = Array.from({ length: 3000 }, (_, i) => i).filter((i) => !seen.has(i));
    const duplicated = [...seen].filter(([, n]) => n > 1);
    const unexpected = [...seen.keys()].filter((i) => i < 0 || i >= 3000);
    assert.deepEqual(
      { lost: lost.length, duplicated: duplicated.length, unexpected: unexpected.length },
      { lost: 0, duplicated: 0, unexpected: 0 },
    );
    assert.ok(rows.every((r) => r.error === undefined && r.label !== undefined));
    assert.equal(s.result!.lostRows, 0);
    assert.equal(s.workers.length, 2, 'the killed worker had taken chunks before it died');
  } finally {
    await events.close();
    await q.close();
    await client.close();
    survivor.child.kill('SIGTERM');
    assert.equal(await survivor.exited, 0);
  }
});

test('a chunk whose worker is killed (kill -9) twice still completes with every row (maxStalledCount default 5)', async (t) => {
  // A 600-row copy of the pairs, 6 chunks; one worker at a time, so the killed one held the chunk.
  const small = path.join(dir, 'small.jsonl');
  fs.writeFileSync(small, `${fs.readFileSync(path.join(dir, 'pairs.jsonl'), 'utf8').split('\n').slice(0, 600).join('\n')}\n`);
  const sub = await runCli(['submit', small, '--model', 'demo', '--run-id', 'twice-1', '--chunk-size', '100'], env);
  assert.equal(sub.code, 0, sub.stderr);
  const names = redisNames(prefix);
  const u = new URL(REDIS_URL);
  const q = new Queue(names.scoreQueue, { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix: names.bullPrefix });
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix });
  const workerEnv = { ...env, PAIRSCORE_MAX_STALLED: '' };
  const holds = async (stalls: number): Promise<void> => {
    const deadline = Date.now() + 60000;
    for (;;) {
      const job = await Job.fromId(q, names.chunkJobId('twice-1', 0));
      if (job && job.stalledCounter === stalls && (await job.getState()) === 'active') return;
      assert.ok(Date.now() < deadline, `chunk 0 was never active after ${stalls} stall(s)`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  let last: ReturnType<typeof startCli> | undefined;
  try {
    for (const stalls of [0, 1]) {
      const w = startCli(['worker', '--concurrency', '1', '--no-aggregate'], workerEnv);
      await holds(stalls);
      assert.equal(w.child.exitCode, null, 'the only worker, alive, holds chunk 0');
      w.child.kill('SIGKILL');
      await w.exited;
      t.diagnostic(`killed the holder of chunk 0 (stalled ${stalls} time(s) before)`);
    }
    last = startCli(['worker', '--concurrency', '2'], workerEnv);
    const s = await client.wait('twice-1', { timeoutMs: 120000, intervalMs: 250 });
    assert.equal(s.state, 'completed', last.output());
    assert.deepEqual(s.result!.failedChunks, [], 'chunk 0 was not failed as "stalled more than allowable limit"');
    assert.equal(s.result!.lostRows, 0);
    const rows: ScoreRow[] = [];
    for await (const r of client.results('twice-1')) rows.push(r);
    assert.deepEqual(
      rows.map((r) => r.index),
      Array.from({ length: 600 }, (_, i) => i),
    );
    assert.ok(
      rows.every((r) => r.error === undefined && r.label !== undefined),
      'every row scored',
    );
  } finally {
    await q.close();
    await client.close();
    if (last) {
      last.child.kill('SIGTERM');
      assert.equal(await last.exited, 0);
    }
  }
});
