/**
 * A run whose plan names feature columns this worker's build does not compute
 * (a run submitted by another pairscore version) fails its chunks on this host
 * — a host problem, retried so another host can take them — and the final
 * reason names the missing column and both pairscore versions. Every row is
 * then an error row; nothing is scored with the wrong columns.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { QueueFixture } from './helpers/queue-fixture.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunClient, submitRun } from '../src/queue/index.js';
import { redisNames } from '../src/queue/keys.js';

let fx: QueueFixture;

before(async () => {
  fx = await QueueFixture.create('stages');
});

after(async () => {
  await fx?.tearDown();
});

test('a plan with a feature column this build does not compute: each chunk fails on this host after its attempts, the reason names the column and both versions', async () => {
  const p = fx.prefix('cols');
  await submitRun(fx.submitOpts(p, { runId: 'cols-1', attempts: 2, chunkSize: 200 }));
  // As stored by a newer pairscore with one more feature column.
  const conn = new Redis(REDIS_URL);
  const key = redisNames(p).runMeta('cols-1');
  const spec = JSON.parse((await conn.hget(key, 'spec'))!) as { version: string; plan: { features: string[] } };
  spec.version = '9.9.9';
  spec.plan.features = [...spec.plan.features, 'neg_future'];
  await conn.hset(key, 'spec', JSON.stringify(spec));
  conn.disconnect();
  const w = await fx.worker(p);
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: p });
  try {
    const s = await client.wait('cols-1', { timeoutMs: 60000, intervalMs: 100 });
    assert.equal(s.state, 'completed');
    assert.equal(s.result!.failedChunks.length, 2);
    for (const f of s.result!.failedChunks) {
      assert.match(
        f.reason,
        /this worker cannot compute the run's features \(planned by pairscore 9\.9\.9, this is \d+\.\d+\.\d+\): .*neg_future/,
      );
    }
    assert.equal(s.result!.metrics!.errors, 400, 'no row was scored with other columns');
  } finally {
    await client.close();
    await w.close();
  }
});
