/**
 * Pruning of the workers index: the `workers` sorted set (id → last heartbeat) and the
 * `workerInfo` hash. A worker that stops cleanly removes itself; one that was killed
 * (SIGKILL, OOM, a lost host) would stay for ever, so every heartbeat also forgets the
 * workers silent for longer than `WORKER_FORGET_MS` — far past the 15 s after which
 * `status` already shows them as not alive.
 */
import type { Redis } from 'ioredis';
import type { RedisNames } from './keys.js';

export const WORKER_FORGET_MS = 24 * 3600 * 1000;

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
