/**
 * Chunk size when `submit` is not given one (src/queue/chunk-plan.ts): two chunks per
 * chunk slot of the scoring workers alive at submit, 16–256 rows. A small run then
 * reaches every worker (in chunks of 256, 400 rows made 2 chunks, which one worker at
 * concurrency 2 could take both of); a big run keeps 256; an aggregate-only worker
 * offers no slots; a resumed submit cuts the file where the first one did.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IngestRow, ScoreRow } from '../src/contracts.js';
import { planChunkSize, DEFAULT_CHUNK_ROWS, MIN_CHUNK_ROWS } from '../src/queue/chunk-plan.js';
import { RunClient, submitRun } from '../src/queue/index.js';
import { QueueFixture } from './helpers/queue-fixture.js';
import { REDIS_URL } from './helpers/redis.js';

let fx: QueueFixture;

before(async () => {
  fx = await QueueFixture.create('chunkplan');
});

after(async () => {
  await fx?.tearDown();
});

const chunksOf = (rows: number, slots: number) => Math.ceil(rows / planChunkSize(rows, slots));

test('512 rows on 2 workers × concurrency 2: chunks of 64, two per slot; bounds 16–256 rows', () => {
  assert.equal(planChunkSize(512, 4), 64);
  assert.equal(chunksOf(512, 4), 8);
  assert.equal(planChunkSize(1_000_000, 4), DEFAULT_CHUNK_ROWS, 'a big run keeps 256');
  assert.equal(planChunkSize(40, 8), MIN_CHUNK_ROWS, 'never below 16 rows');
  assert.equal(planChunkSize(512, 0), planChunkSize(512, 2), 'no worker alive: one default worker (2 slots) assumed');
});

test('every slot gets a chunk whenever the run has 32 rows per slot, and no run has more than 2 chunks per slot below 256 rows', () => {
  for (let slots = 1; slots <= 24; slots++) {
    for (let rows = 1; rows <= 20_000; rows += 7) {
      const size = planChunkSize(rows, slots);
      const chunks = Math.ceil(rows / size);
      assert.ok(size >= MIN_CHUNK_ROWS && size <= DEFAULT_CHUNK_ROWS, `${rows} rows, ${slots} slots: ${size}`);
      if (rows >= 2 * MIN_CHUNK_ROWS * slots) assert.ok(chunks >= slots, `${rows} rows, ${slots} slots: ${chunks} chunks`);
      if (size < DEFAULT_CHUNK_ROWS) assert.ok(chunks <= 2 * Math.max(2, slots), `${rows} rows, ${slots} slots: ${chunks} chunks`);
    }
  }
});

/** A no-op scorer slow enough (50 ms a chunk) that no single worker drains the run alone. */
const slowNoop = {
  runnerFor:
    async () =>
    async (rows: readonly IngestRow[]): Promise<ScoreRow[]> => {
      await new Promise((r) => setTimeout(r, 50));
      return rows.map((r) => ({ index: r.index, id: r.id, label: 'A', probs: { A: 1 } }));
    },
  close: async () => undefined,
};

test('submit without a chunk size, two workers at concurrency 2 alive: 400 rows in 8 chunks of 50, and both workers score', async () => {
  const p = fx.prefix('plan-live');
  const workers = [await fx.worker(p, { stages: slowNoop }), await fx.worker(p, { stages: slowNoop })];
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: p });
  try {
    const sub = await submitRun(fx.submitOpts(p, { runId: 'cp-1', chunkSize: undefined }));
    assert.equal(sub.chunks, 8);
    assert.equal((await client.store.require('cp-1')).spec.chunkSize, 50);
    const s = await client.wait('cp-1', { timeoutMs: 60_000 });
    assert.equal(s.state, 'completed');
    assert.equal(s.workers.length, 2, 'both workers took chunks');
  } finally {
    await client.close();
    for (const w of workers) await w.close();
  }
});

test('an aggregate-only worker offers no chunk slots: 400 rows are planned for one default worker (4 chunks of 100)', async () => {
  const p = fx.prefix('plan-agg');
  const agg = await fx.worker(p, { score: false });
  try {
    const sub = await submitRun(fx.submitOpts(p, { runId: 'cp-2', chunkSize: undefined }));
    assert.equal(sub.chunks, 4);
  } finally {
    await agg.close();
  }
});

test('a resumed submit keeps the chunk size it was started with, though the workers alive changed; every row once', async () => {
  const p = fx.prefix('plan-resume');
  // No worker alive: chunks of 100; the producer "dies" after 2 of 4 chunks.
  await assert.rejects(
    submitRun(
      fx.submitOpts(p, {
        runId: 'cp-3',
        chunkSize: undefined,
        bulkSize: 1,
        onProgress: (added) => {
          if (added >= 2) throw new Error('producer died');
        },
      }),
    ),
    /producer died/,
  );
  const workers = [await fx.worker(p, { stages: slowNoop }), await fx.worker(p, { stages: slowNoop })];
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix: p });
  try {
    const again = await submitRun(fx.submitOpts(p, { runId: 'cp-3', chunkSize: undefined }));
    assert.deepEqual([again.resumed, again.chunks], [true, 4]);
    assert.equal((await client.store.require('cp-3')).spec.chunkSize, 100);
    const s = await client.wait('cp-3', { timeoutMs: 60_000 });
    assert.equal(s.state, 'completed');
    assert.equal(s.result!.lostRows, 0);
    const seen: number[] = [];
    for await (const r of client.results('cp-3')) seen.push(r.index);
    assert.deepEqual(
      seen,
      Array.from({ length: 400 }, (_, i) => i),
    );
  } finally {
    await client.close();
    for (const w of workers) await w.close();
  }
});
