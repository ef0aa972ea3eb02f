/**
 * Prefix isolation (every key under the hash tag `{prefix}`, src/contracts.ts
 * redisNames): two deployments on one Redis. A worker of prefix A never takes
 * B's chunks, `status` of A never lists B's runs and does not know them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Redis } from 'ioredis';
import { runCli } from './helpers/cli.js';
import { QueueFixture } from './helpers/queue-fixture.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunClient, submitRun } from '../src/queue/index.js';
import { redisNames } from '../src/queue/keys.js';

let fx: QueueFixture;

before(async () => {
  fx = await QueueFixture.create('prefix');
});

after(async () => {
  await fx?.tearDown();
});

test('two prefixes on one Redis: a worker of A scores only A, B stays queued and untouched, status of A never lists B', async () => {
  const a = fx.prefix('iso-a');
  const b = fx.prefix('iso-b');
  await submitRun(fx.submitOpts(a, { runId: 'iso-a1' }));
  await submitRun(fx.submitOpts(b, { runId: 'iso-b1' }));
  const clientA = await RunClient.open({ redis: { url: REDIS_URL }, prefix: a });
  const clientB = await RunClient.open({ redis: { url: REDIS_URL }, prefix: b });
  const w = await fx.worker(a);
  try {
    const s = await clientA.wait('iso-a1', { timeoutMs: 60000, intervalMs: 100 });
    assert.equal(s.state, 'completed');
    // Give A's worker time to take anything else it could see.
    await new Promise((r) => setTimeout(r, 500));
    const sb = await clientB.status('iso-b1');
    assert.equal(sb.state, 'queued');
    assert.equal(sb.done, 0, "no row of B was scored by A's worker");
    assert.deepEqual(sb.workersSeen ?? [], []);
    const conn = new Redis(REDIS_URL);
    try {
      const nb = redisNames(b);
      assert.equal(await conn.hlen(nb.runRows('iso-b1')), 0);
      // All 8 chunks of B (and its promoted seal) still waiting, none taken.
      // Chunk jobs always carry a priority (src/queue/priority.ts): untaken ones sit in the prioritized set, the seal in wait.
      const waiting = [
        ...(await conn.lrange(`${nb.bullPrefix}:${nb.scoreQueue}:wait`, 0, -1)),
        ...(await conn.zrange(`${nb.bullPrefix}:${nb.scoreQueue}:prioritized`, 0, -1)),
      ];
      assert.deepEqual(waiting.sort(), [...Array.from({ length: 8 }, (_, i) => nb.chunkJobId('iso-b1', i)), nb.sealJobId('iso-b1')].sort());
      assert.equal(await conn.llen(`${nb.bullPrefix}:${nb.scoreQueue}:active`), 0);
      // Every key either deployment wrote sits under its own hash tag.
      for (const [p, other] of [
        [a, b],
        [b, a],
      ] as const) {
        const keys = await conn.keys(`*${p}*`);
        assert.ok(keys.length > 0);
        for (const k of keys) {
          assert.ok(k.includes(`{${p}}`), `${k} is outside {${p}}`);
          assert.ok(!k.includes(other));
        }
      }
    } finally {
      conn.disconnect();
    }
    const env = { REDIS_URL, PAIRSCORE_MODELS_ROOT: fx.modelsRoot, PAIRSCORE_CACHE_DIR: path.join(fx.dir, 'cache') };
    const listA = await runCli(['status', '--prefix', a], env);
    assert.equal(listA.code, 0, listA.stderr);
    assert.match(listA.stdout, /iso-a1/);
    assert.doesNotMatch(listA.stdout, /iso-b1/);
    const listB = await runCli(['status', '--prefix', b], env);
    assert.match(listB.stdout, /iso-b1/);
    assert.doesNotMatch(listB.stdout, /iso-a1/);
    const crossed = await runCli(['status', 'iso-b1', '--prefix', a], env);
    assert.equal(crossed.code, 2, crossed.stderr);
    assert.match(crossed.stderr, /no run 'iso-b1'/);
  } finally {
    await w.close();
    await clientA.close();
    await clientB.close();
  }
});
