/**
 * `resume RUN` releases exactly the chunks `pause` parked, with a real Redis and real
 * BullMQ jobs: a chunk of the run waiting out a retry delay after a fault keeps waiting;
 * a parked chunk waits long (no re-park every minute during a long pause); a chunk parked
 * on a worker's stale view of the state after `resume` swept releases itself; running
 * `resume` again releases what a resume killed before its sweep left parked.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DelayedError, Job, Worker } from 'bullmq';
import { QueueFixture } from './helpers/queue-fixture.js';
import { REDIS_URL } from './helpers/redis.js';
import { submitRun } from '../src/queue/index.js';
import { redisNames } from '../src/queue/keys.js';
import { pauseRun, resumeRun } from '../src/queue/run-control.js';
import { createChunkProcessor } from '../src/queue/chunk-processor.js';
import { silentLogger } from '../src/log.js';
import { RetryableError } from '../src/errors.js';

let fx: QueueFixture;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting: ${what}`);
    await sleep(50);
  }
}

const isDelayed = async (job: Job | undefined) => job !== undefined && (await job.isDelayed());

before(async () => {
  fx = await QueueFixture.create('resume');
});

after(async () => {
  await fx?.tearDown();
});

test('resume releases the parked chunks only: a chunk waiting out a retry delay after a fault stays delayed', async () => {
  const p = fx.prefix('backoff');
  const names = redisNames(p);
  const deps = fx.controlDeps(p);
  const q = deps.queues.score;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  let chunk1Started = false;
  let faults = 0;
  // Chunk 0 meets an infrastructure fault at its first attempt; chunk 1 is held while the run is paused.
  const stages = fx.stagesWith(async (rows) => {
    if (rows[0]!.index === 0 && faults++ === 0) throw new RetryableError('Redis unreachable (test)');
    if (rows[0]!.index === 50) {
      chunk1Started = true;
      await gate;
    }
  });
  await submitRun(fx.submitOpts(p, { runId: 'bo-1' }));
  // Retry delays of 5–10 minutes: chunk 0 waits for the whole test unless something promotes it.
  const w = await fx.worker(p, { stages, concurrency: 1, retry: { baseMs: 600000, maxMs: 600000 } });
  const c0 = names.chunkJobId('bo-1', 0);
  const later = [2, 3, 4, 5, 6, 7].map((c) => names.chunkJobId('bo-1', c));
  try {
    await until('chunk 0 waits for its retry and chunk 1 is being scored', 60000, async () => {
      const zero = await Job.fromId(q, c0);
      return chunk1Started && zero?.attemptsMade === 1 && (await isDelayed(zero));
    });
    assert.equal(await pauseRun(deps, 'bo-1'), true);
    await sleep(500); // past the worker's cached view of the state (250 ms)
    release();
    await until('chunks 2–7 parked', 60000, async () => {
      for (const id of later) if (!(await isDelayed(await Job.fromId(q, id)))) return false;
      return true;
    });
    const r = await resumeRun(deps, 'bo-1');
    assert.equal(r.promoted, 6, 'the six parked chunks');
    const zero = await Job.fromId(q, c0);
    assert.equal(await zero!.isDelayed(), true, 'the chunk in its retry delay still waits');
    assert.equal(zero!.attemptsMade, 1);
    for (const id of later) assert.equal(await isDelayed(await Job.fromId(q, id)), false, `${id} released`);
    await until('chunks 1–7 scored', 60000, async () => (await deps.store.rowCount('bo-1')) === 350);

    // Its delay over (promoted here instead of waiting minutes), chunk 0 completes the run: every row once.
    await zero!.promote();
    await until('the run completes', 60000, async () => (await deps.store.get('bo-1'))?.state === 'completed');
    const meta = await deps.store.require('bo-1');
    assert.deepEqual([meta.result!.failedChunks.length, meta.result!.lostRows, meta.result!.metrics!.errors], [0, 0, 0]);
    assert.equal(await deps.store.rowCount('bo-1'), 400);
  } finally {
    release();
    await w.close();
    await deps.close();
  }
});

test('a parked chunk waits long (no re-park a minute); one parked on a stale view after resume swept releases itself; resume again releases what a killed resume left', async () => {
  const p = fx.prefix('stale');
  const names = redisNames(p);
  const deps = fx.controlDeps(p);
  const q = deps.queues.score;
  await submitRun(fx.submitOpts(p, { runId: 'sv-1' }));
  const u = new URL(REDIS_URL);
  // Jobs are taken by hand (no processor), so the test decides which view of the state each park uses.
  const taker = new Worker(names.scoreQueue, undefined, {
    connection: { host: u.hostname, port: Number(u.port || 6379) },
    prefix: names.bullPrefix,
  });
  taker.on('error', () => undefined);
  const processorWith = (stateRefreshMs?: number) =>
    createChunkProcessor({
      store: deps.store,
      stages: { runnerFor: () => Promise.reject(new Error('no chunk is scored here')), close: () => Promise.resolve() },
      workerId: 'resume-test',
      log: silentLogger(),
      scoreQueue: q,
      names,
      ...(stateRefreshMs !== undefined ? { stateRefreshMs } : {}),
    });
  /** Takes the next chunk job and runs it through `processor` as BullMQ's worker would (the seal completes on the way). */
  const takeChunk = async (processor: ReturnType<typeof processorWith>): Promise<string> => {
    for (;;) {
      const token = randomUUID();
      const job = (await taker.getNextJob(token, { block: false })) as Job | undefined;
      assert.ok(job, 'a job to take');
      try {
        const r = await processor(job, token);
        assert.equal(r, 'sealed', `only the seal completes here, not ${job.id}`);
        await job.moveToCompleted(r, token, false);
      } catch (err) {
        if (err instanceof DelayedError) return job.id!;
        throw err;
      }
    }
  };
  try {
    assert.equal(await pauseRun(deps, 'sv-1'), true);
    // This processor's view of the state is refreshed once a minute: after resume, it is stale.
    const stale = processorWith(60000);
    const parked = [await takeChunk(stale), await takeChunk(stale), await takeChunk(stale)];
    for (const id of parked) {
      const job = (await Job.fromId(q, id))!;
      assert.equal(await job.isDelayed(), true, id);
      assert.equal(job.attemptsMade, 0, 'parking uses no attempt');
      assert.ok(job.delay >= 10 * 60000, `${id} parked for ${job.delay} ms: a long pause must not take and park each chunk every minute`);
    }
    assert.deepEqual(await resumeRun(deps, 'sv-1'), { promoted: 3 });

    // `stale` still sees the run paused: it parks the next chunk, looks again, and releases it.
    const late = await takeChunk(stale);
    assert.equal(await isDelayed(await Job.fromId(q, late)), false, 'parked after resume swept: released now, not after the park delay');
    assert.equal(await deps.redis.hexists(names.runParked('sv-1'), late), 1, 'it was parked on the stale view');

    // A resume killed after setting the state back, before its sweep: running it again releases the chunks left parked.
    assert.equal(await pauseRun(deps, 'sv-1'), true);
    const fresh = processorWith();
    const left = [await takeChunk(fresh), await takeChunk(fresh)];
    assert.equal(await deps.store.setStateIf('sv-1', 'running', ['paused']), true);
    for (const id of left) assert.equal(await isDelayed(await Job.fromId(q, id)), true, `${id} still parked`);
    assert.deepEqual(await resumeRun(deps, 'sv-1'), { promoted: 2, already: true });
    for (const id of left) assert.equal(await isDelayed(await Job.fromId(q, id)), false, `${id} released`);
    await assert.rejects(resumeRun(deps, 'sv-1'), /run 'sv-1' is running, not paused/);
  } finally {
    await taker.close();
    await deps.close();
  }
});
