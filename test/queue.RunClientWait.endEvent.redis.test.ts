/**
 * RunClient.wait returns when the run ends, not at its next status read: with a 10 s
 * status interval, a run completed by its aggregate job (or cancelled from another
 * client) is returned within a fraction of a second of the end the run records
 * (`finishedAt`, written by RunStore.finish with the end event). A run whose stream holds
 * an end event from before it was reopened (`retry`) does not wake the wait: it keeps
 * its interval instead of spinning.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { IngestRow, ScoreRow } from '../src/contracts.js';
import { TimeoutError } from '../src/errors.js';
import { RunClient, submitRun, type RunStatus } from '../src/queue/index.js';
import { RunStore } from '../src/queue/run-store.js';
import { beginRetry } from '../src/queue/retry-record.js';
import { redisNames } from '../src/queue/keys.js';
import { QueueFixture } from './helpers/queue-fixture.js';
import { REDIS_URL } from './helpers/redis.js';

/** Far longer than any run here: a wait that only polled would return seconds late. */
const INTERVAL_MS = 10_000;
/** How late after the recorded end the wait may return (a shared, noisy machine). */
const LATE_MS = 750;

let fx: QueueFixture;

before(async () => {
  fx = await QueueFixture.create('wait-end');
});

after(async () => {
  await fx?.tearDown();
});

/** A no-op scorer that holds every chunk until `release()`: the run cannot end before the wait has looked. */
function gatedStages() {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const runner = async (rows: readonly IngestRow[]): Promise<ScoreRow[]> => {
    await gate;
    return rows.map((r) => ({ index: r.index, id: r.id, label: 'A', probs: { A: 1 } }));
  };
  return { release, stages: { runnerFor: async () => runner, close: async () => undefined } };
}

async function finishedAt(client: RunClient, runId: string): Promise<number> {
  const meta = await client.store.require(runId);
  assert.ok(meta.finishedAt, `run ${runId} has no finishedAt`);
  return meta.finishedAt;
}

test(`a completed run is returned within ${LATE_MS} ms of its end with a ${INTERVAL_MS / 1000} s status interval`, async () => {
  const p = fx.prefix('wait-done');
  const { release, stages } = gatedStages();
  const w = await fx.worker(p, { stages });
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: p });
  try {
    await submitRun(fx.submitOpts(p, { runId: 'we-1' }));
    const seen: RunStatus[] = [];
    const s = await client.wait('we-1', {
      intervalMs: INTERVAL_MS,
      timeoutMs: 60_000,
      onStatus: (st) => {
        seen.push(st);
        if (seen.length === 1) setTimeout(release, 100);
      },
    });
    const returned = Date.now();
    assert.equal(s.state, 'completed');
    assert.equal(seen[0]!.state === 'completed', false, 'the first status read must see the run unfinished');
    const late = returned - (await finishedAt(client, 'we-1'));
    assert.ok(late < LATE_MS, `wait returned ${late} ms after the run ended`);
    assert.equal(seen.length, 2, 'one read before the end, one when it ended');
  } finally {
    release();
    await client.close();
    await w.close();
  }
});

test(`a run cancelled from another client is returned within ${LATE_MS} ms of the cancel ending it`, async () => {
  const p = fx.prefix('wait-cancel');
  const { release, stages } = gatedStages();
  const w = await fx.worker(p, { stages });
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: p });
  const other = await RunClient.open({ redis: { url: REDIS_URL }, prefix: p });
  try {
    await submitRun(fx.submitOpts(p, { runId: 'we-2' }));
    let first!: () => void;
    const looked = new Promise<void>((r) => (first = r));
    const waiting = client.wait('we-2', { intervalMs: INTERVAL_MS, timeoutMs: 60_000, onStatus: () => first() });
    await looked;
    // Active chunks hold their locks until released; cancel waits for them.
    setTimeout(release, 300);
    const c = await other.cancel('we-2');
    assert.equal(c.state, 'cancelled');
    const s = await waiting;
    const returned = Date.now();
    assert.equal(s.state, 'cancelled');
    const late = returned - (await finishedAt(client, 'we-2'));
    assert.ok(late < LATE_MS, `wait returned ${late} ms after the run was cancelled`);
  } finally {
    release();
    await other.close();
    await client.close();
    await w.close();
  }
});

test('an end event from before the run was reopened does not wake the wait: it reads once per interval, then times out', async () => {
  const p = fx.prefix('wait-reopen');
  const redis = new Redis(REDIS_URL);
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: p });
  try {
    // No worker: the run stays queued, is ended by hand and reopened as `retry` does (retry-record.ts).
    await submitRun(fx.submitOpts(p, { runId: 'we-3' }));
    const store = new RunStore(redis, redisNames(p));
    const result = { state: 'completed' as const, metrics: null, failedChunks: [], lostRows: 0, finishedAt: new Date().toISOString() };
    await store.finish('we-3', result, 3600);
    assert.ok(await beginRetry(redis, redisNames(p), 'we-3', 'completed', [], 3600), 'reopened');
    let reads = 0;
    const t0 = Date.now();
    await assert.rejects(
      client.wait('we-3', { intervalMs: 200, timeoutMs: 1000, onStatus: () => reads++ }),
      (err: unknown) => err instanceof TimeoutError,
    );
    assert.ok(Date.now() - t0 >= 900, 'the wait lasted its timeout');
    assert.ok(reads >= 3 && reads <= 7, `${reads} status reads in 1 s at a 200 ms interval`);
  } finally {
    redis.disconnect();
    await client.close();
  }
});
