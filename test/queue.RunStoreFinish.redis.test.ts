/**
 * `--keep` expiry, end to end (src/queue/run-store.ts finish): a run submitted
 * with a keep of a few seconds has every key carry that TTL once it ends, and
 * after it no key of the run is left; `status` then says it has expired.
 * (queue.memoryBounds.redis checks the TTLs of every end state; this one waits them out.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Redis } from 'ioredis';
import { runCli } from './helpers/cli.js';
import { QueueFixture } from './helpers/queue-fixture.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunClient, submitRun } from '../src/queue/index.js';

let fx: QueueFixture;

before(async () => {
  fx = await QueueFixture.create('keep');
});

after(async () => {
  await fx?.tearDown();
});

const KEEP = 3;

test(`a run kept ${KEEP} s: its keys carry a TTL of at most ${KEEP} s once it ends and are gone after it; status says it expired`, async () => {
  const p = fx.prefix('keep');
  await submitRun(fx.submitOpts(p, { runId: 'kx-1', keepSeconds: KEEP }));
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: p });
  const conn = new Redis(REDIS_URL);
  const runKeys = async () => (await conn.keys(`*{${p}}*`)).filter((k) => k.includes('kx-1'));
  try {
    const w = await fx.worker(p);
    try {
      const s = await client.wait('kx-1', { timeoutMs: 60000, intervalMs: 100 });
      assert.equal(s.state, 'completed');
    } finally {
      await w.close();
    }
    const keys = await runKeys();
    assert.ok(keys.length >= 2, `run keys: ${keys.join(', ')}`);
    for (const k of keys) {
      const ttl = await conn.ttl(k);
      assert.ok(ttl >= 0 && ttl <= KEEP, `${k}: TTL ${ttl} s (want ≤ ${KEEP})`);
    }
    const deadline = Date.now() + (KEEP + 10) * 1000;
    while ((await runKeys()).length > 0) {
      assert.ok(Date.now() < deadline, `still there after ${KEEP} s: ${(await runKeys()).join(', ')}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const env = { REDIS_URL, PAIRSCORE_PREFIX: p, PAIRSCORE_MODELS_ROOT: fx.modelsRoot, PAIRSCORE_CACHE_DIR: path.join(fx.dir, 'cache') };
    const st = await runCli(['status', 'kx-1'], env);
    assert.equal(st.code, 2, st.stderr);
    assert.match(st.stderr, /run 'kx-1' has expired/);
  } finally {
    conn.disconnect();
    await client.close();
  }
});
