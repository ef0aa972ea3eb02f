/**
 * A submit interrupted half-way resumes (src/queue/producer.ts): the same
 * submit again adds only the chunks that were not recorded as added, a chunk
 * added twice (the producer died between `addBulk` and recording it) is
 * deduplicated by its job id, and every row is scored exactly once.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { QueueFixture } from './helpers/queue-fixture.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunClient, submitRun } from '../src/queue/index.js';
import { redisNames } from '../src/queue/keys.js';

let fx: QueueFixture;
const redis = { url: REDIS_URL };

before(async () => {
  fx = await QueueFixture.create('resume');
});

after(async () => {
  await fx?.tearDown();
});

/** BullMQ events of the score queue for this run's chunk jobs: event name → chunk job ids, in order. */
async function chunkEvents(prefix: string, runId: string): Promise<Map<string, string[]>> {
  const names = redisNames(prefix);
  const conn = new Redis(REDIS_URL);
  try {
    const entries = await conn.xrange(`${names.bullPrefix}:${names.scoreQueue}:events`, '-', '+');
    const byEvent = new Map<string, string[]>();
    for (const [, f] of entries) {
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < f.length; i += 2) o[f[i]!] = f[i + 1]!;
      if (!o.jobId?.startsWith(`run-${runId}-chunk-`) || !o.event) continue;
      byEvent.set(o.event, [...(byEvent.get(o.event) ?? []), o.jobId]);
    }
    return byEvent;
  } finally {
    conn.disconnect();
  }
}

const sorted = (ids: string[] | undefined) => [...(ids ?? [])].sort();
const allChunks = (runId: string) => Array.from({ length: 8 }, (_, i) => `run-${runId}-chunk-${i}`).sort();

/** Submits 400 rows in chunks of 50, two chunks per addBulk, and "dies" once `chunks` chunks are recorded. */
async function interruptedSubmit(prefix: string, runId: string, chunks: number): Promise<void> {
  await assert.rejects(
    submitRun(
      fx.submitOpts(prefix, {
        runId,
        bulkSize: 2,
        onProgress: (added) => {
          if (added >= chunks) throw new Error('producer died');
        },
      }),
    ),
    /producer died/,
  );
}

async function scoredOnce(prefix: string, runId: string): Promise<void> {
  const w = await fx.worker(prefix);
  const client = await RunClient.open({ redis, prefix });
  try {
    const s = await client.wait(runId, { timeoutMs: 60000, intervalMs: 100 });
    assert.equal(s.state, 'completed');
    assert.equal(s.result!.failedChunks.length, 0);
    assert.equal(s.result!.lostRows, 0);
    const seen: number[] = [];
    for await (const r of client.results(runId)) {
      assert.equal(r.error, undefined);
      seen.push(r.index);
    }
    assert.deepEqual(
      seen,
      Array.from({ length: 400 }, (_, i) => i),
      'every row once, in order',
    );
  } finally {
    await client.close();
    await w.close();
  }
  // Each chunk job was added once and completed once: no chunk ran twice.
  const events = await chunkEvents(prefix, runId);
  assert.deepEqual(sorted(events.get('added')), allChunks(runId));
  assert.deepEqual(sorted(events.get('completed')), allChunks(runId));
}

test('a submit that died after 4 of 8 chunks: the same submit resumes at chunk 4, adds the rest, and every row is scored once', async () => {
  const p = fx.prefix('resume');
  await interruptedSubmit(p, 'rs-1', 4);
  const client = await RunClient.open({ redis, prefix: p });
  try {
    const meta = await client.store.require('rs-1');
    assert.equal(meta.state, 'submitting');
    assert.equal(meta.chunksAdded, 4);
  } finally {
    await client.close();
  }
  assert.deepEqual(
    sorted((await chunkEvents(p, 'rs-1')).get('added')),
    allChunks('rs-1').filter((id) => /chunk-[0-3]$/.test(id)),
  );

  const again = await submitRun(fx.submitOpts(p, { runId: 'rs-1', bulkSize: 2 }));
  assert.deepEqual([again.added, again.resumed, again.chunks], [true, true, 8]);
  await scoredOnce(p, 'rs-1');
});

test('a submit that died between adding chunks and recording them: the re-added chunks are deduplicated by job id, every row once', async () => {
  const p = fx.prefix('resume-dup');
  await interruptedSubmit(p, 'rs-2', 4);
  // As if the producer died right after addBulk, before `chunksAdded` was written.
  const client = await RunClient.open({ redis, prefix: p });
  try {
    await client.store.setChunksAdded('rs-2', 0);
  } finally {
    await client.close();
  }
  const again = await submitRun(fx.submitOpts(p, { runId: 'rs-2', bulkSize: 2 }));
  assert.deepEqual([again.added, again.resumed], [true, true]);
  const events = await chunkEvents(p, 'rs-2');
  assert.deepEqual(
    sorted(events.get('duplicated')),
    allChunks('rs-2').filter((id) => /chunk-[0-3]$/.test(id)),
    'chunks 0-3 were offered again and refused as duplicates',
  );
  await scoredOnce(p, 'rs-2');
});
