/**
 * Pruning of the workers index: the `workers` sorted set (id → last heartbeat) and the
 * `workerInfo` hash. A worker that stops cleanly removes itself; one that was killed
 * (SIGKILL, OOM, a lost host) would stay for ever, so every heartbeat also forgets the
 * workers silent for longer than `WORKER_FORGET_MS` — far past the 15 s after which
 * `status` already shows them as not alive.
 */
import type { Redis } from 'ioredis';
import type { RedisNames } from './keys.js';
import { workerInfoSchema } from './schemas.js';

export const WORKER_FORGET_MS = 24 * 3600 * 1000;
/** A worker whose last heartbeat (every 5 s) is older than this is shown as not alive. */
export const WORKER_ALIVE_MS = 15000;

/**
 * Chunk jobs the scoring workers alive now take at once: the sum of their `--concurrency`,
 * from their heartbeats (chunk-plan.ts). Aggregate-only workers and unreadable heartbeats count 0.
 */
export async function liveChunkSlots(redis: Redis, names: RedisNames, now = Date.now()): Promise<number> {
  const ids = await redis.zrangebyscore(names.workers, now - WORKER_ALIVE_MS, '+inf');
  if (ids.length === 0) return 0;
  const infos = await redis.hmget(names.workerInfo, ...ids);
  let slots = 0;
  for (const json of infos) {
    try {
      const info = workerInfoSchema.safeParse(JSON.parse(json ?? 'null'));
      if (info.success && info.data.scores !== false) slots += info.data.concurrency;
    } catch {
      // A heartbeat that does not parse offers no slots.
    }
  }
  return slots;
}

/** Removes up to 100 long-silent workers; returns how many. */
export async function pruneWorkers(redis: Redis, names: RedisNames, now = Date.now(), forgetMs = WORKER_FORGET_MS): Promise<number> {
  const stale = await redis.zrangebyscore(names.workers, '-inf', `(${now - forgetMs}`, 'LIMIT', 0, 100);
  if (stale.length === 0) return 0;
  await redis
    .multi()
    .zrem(names.workers, ...stale)
    .hdel(names.workerInfo, ...stale)
    .exec();
  return stale.length;
}
