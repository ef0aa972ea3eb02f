/**
 * Jobs another program adds to pairscore's queues: an `aggregate` job for a live run
 * (must not end the run early), and malformed `chunk` jobs — data that is not a chunk, a
 * row index outside the run, a row whose id is not the input's — that must not reach the export.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { redisNames } from '../../../src/queue/keys.js';
import type { Scenario, ScenarioContext } from '../harness.js';

async function withQueue(ctx: ScenarioContext, name: string, fn: (q: Queue) => Promise<void>): Promise<void> {
  const names = redisNames(String(ctx.env.PAIRSCORE_PREFIX));
  const q = new Queue(name, { prefix: names.bullPrefix, connection: { host: '127.0.0.1', port: ctx.redis.port } });
  q.on('error', () => undefined);
  try {
    await fn(q);
  } finally {
    await q.close();
  }
}

export const strayAggregate: Scenario = {
  name: 'stray-aggregate',
  rows: 4000,
  workers: 2,
  async inject(ctx) {
    await ctx.waitForProgress(0.15);
    await withQueue(ctx, redisNames('x').aggregateQueue, (q) => q.add('aggregate', { runId: ctx.runId }).then(() => undefined));
  },
};

export const malformedChunk: Scenario = {
  name: 'malformed-chunk',
  rows: 3000,
  workers: 2,
  async inject(ctx) {
    await ctx.waitForProgress(0.1);
    const row = (index: number, id: string) => ({ index, id, premise: 'A man is eating', hypothesis: 'A man is not eating' });
    await withQueue(ctx, redisNames('x').scoreQueue, async (q) => {
      await q.add('chunk', { garbage: true }, { jobId: 'stray-garbage' });
      await q.add(
        'chunk',
        { runId: ctx.runId, chunk: 9999, rows: [row(ctx.rows + 1, 'stray-out-of-range')] },
        { jobId: `run-${ctx.runId}-chunk-9999` },
      );
      await q.add('chunk', { runId: ctx.runId, chunk: 9998, rows: [row(-1 >>> 0, 'stray-huge-index')] }, { jobId: 'stray-huge-index' });
    });
  },
};

/**
 * The aggregate job fails for good — a stored row that no longer parses, written once
 * the first chunks are in: the run must end `failed` with its reason (never hang), and
 * the watching `status --watch` exits 1 naming it.
 */
export const aggregateFailure: Scenario = {
  name: 'aggregate-failure',
  rows: 3000,
  workers: 2,
  expectState: 'failed',
  timeoutMs: 120000,
  async inject(ctx) {
    await ctx.waitForProgress(0.3);
    const redis = new Redis(ctx.redis.url);
    try {
      // Chunk 0 ran first (chunks start in order), so nothing rewrites row 0 after this.
      await redis.hset(redisNames(String(ctx.env.PAIRSCORE_PREFIX)).runRows(ctx.runId), '0', '{not json');
    } finally {
      redis.disconnect();
    }
  },
};
