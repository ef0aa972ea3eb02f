/**
 * A chunk job added directly to the score queue (by another program, or a
 * corrupt one) whose payload does not match the chunk schema fails for good at
 * its first attempt, with a reason naming each bad field; a real run beside it
 * is untouched and completes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Job, Queue } from 'bullmq';
import { QueueFixture } from './helpers/queue-fixture.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunClient, submitRun } from '../src/queue/index.js';
import { redisNames } from '../src/queue/keys.js';

let fx: QueueFixture;

before(async () => {
  fx = await QueueFixture.create('payload');
});

after(async () => {
  await fx?.tearDown();
});

test('a job added with an invalid payload fails permanently at attempt 1, the reason names what is wrong; the live run completes', async () => {
  const p = fx.prefix('badjob');
  const names = redisNames(p);
  await submitRun(fx.submitOpts(p, { runId: 'ok-1' }));
  const u = new URL(REDIS_URL);
  const q = new Queue(names.scoreQueue, { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix: names.bullPrefix });
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: p });
  // Retries allowed, so a retry would show in attemptsMade; the worker must not use them.
  const retry = { attempts: 5, backoff: { type: 'fixed', delay: 100 } };
  await q.add('chunk', { runId: 'ok-1', chunk: 'zero', rows: [] }, { ...retry, jobId: 'bad-fields' });
  await q.add('chunk', { runId: 'ok-1', chunk: 1, rows: [{ index: 50, id: 'x', premise: 7 }] }, { ...retry, jobId: 'bad-row' });
  await q.add('chunk', 'not an object', { ...retry, jobId: 'bad-shape' });
  const w = await fx.worker(p);
  try {
    const s = await client.wait('ok-1', { timeoutMs: 60000, intervalMs: 100 });
    assert.equal(s.state, 'completed');
    assert.equal(s.result!.failedChunks.length, 0, 'jobs outside the flow do not touch the run');
    assert.equal(s.result!.metrics!.errors, 0);
    const deadline = Date.now() + 30000;
    const failed = async (id: string) => {
      for (;;) {
        const job = await Job.fromId(q, id);
        if (job && (await job.isFailed())) return job;
        assert.ok(Date.now() < deadline, `${id} did not fail`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const fields = await failed('bad-fields');
    assert.equal(fields.attemptsMade, 1);
    assert.match(fields.failedReason, /^chunk job bad-fields has invalid data: /);
    assert.match(fields.failedReason, /chunk: [^;]*number/i);
    assert.match(fields.failedReason, /rows: [^;]*(at least 1|>=1|too small)/i);
    const row = await failed('bad-row');
    assert.equal(row.attemptsMade, 1);
    assert.match(row.failedReason, /^chunk job bad-row has invalid data: rows\.0\.premise: /);
    const shape = await failed('bad-shape');
    assert.equal(shape.attemptsMade, 1);
    assert.match(shape.failedReason, /^chunk job bad-shape has invalid data: : .*object/i);
    // Nothing was written for them: the run's rows are exactly its own 400.
    assert.equal(await client.store.rowCount('ok-1'), 400);
  } finally {
    await w.close();
    await client.close();
    await q.close();
  }
});
