/**
 * What makes `retry` (retry-run.ts) crash-safe: its record in Redis and its lease.
 *
 * The retried chunk jobs take the ids of the failed ones, so those must be removed
 * before the new flow is added, and a `retry` killed in between would lose them. So the
 * first step, one Lua script, reopens the run and writes down every job it will add
 * (data and attempts) under the run's keys; the record is deleted once the new flow is
 * in Redis, or when the run ends (RunStore.finish). A record still there means that
 * retry has not finished: the next `retry` of the run reads the jobs from it, not from
 * the old jobs, which may be gone by then.
 *
 * The lease keeps two `retry`s of one run from working at once (one could remove the
 * jobs the other just added). It is renewed while held and expires on its own when the
 * process holding it dies.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { RunState } from '../contracts.js';
import type { RedisNames } from './keys.js';
import type { ChunkJobData } from './schemas.js';
import { IN_FLIGHT_TTL_SECONDS } from './run-store.js';

/** A chunk job `retry` adds again, under its old id. */
export interface RetryJob {
  id: string;
  data: ChunkJobData;
  attempts: number;
}

export interface RetryRecord {
  /** The run's `retries` count this retry made; its aggregate job carries it (`data.retry`). */
  gen: number;
  /** The state the run had: completed or failed. */
  from: RunState;
  jobs: RetryJob[];
}

/** How long a lease outlives the process holding it. */
export const RETRY_LEASE_MS = 15000;

const JOB_FIELD = 'job:';

/**
 * KEYS[1] meta, KEYS[2] the record, KEYS[3..] the run's other keys. ARGV[1] expiry (s), ARGV[2] the
 * state the run must be in, ARGV[3..] record fields and values. The run becomes `running` with its
 * result and end time dropped, `retries` counted and its keys back to the in-flight expiry, and the
 * record is written — all or nothing. Returns the new `retries` count, or 0 when the state differed.
 */
const BEGIN = `if redis.call('HGET', KEYS[1], 'state') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'running')
redis.call('HDEL', KEYS[1], 'result', 'finishedAt')
local gen = redis.call('HINCRBY', KEYS[1], 'retries', 1)
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], 'gen', gen, 'from', ARGV[2])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
for i = 1, #KEYS do if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('EXPIRE', KEYS[i], ARGV[1]) end end
return gen`;

/** Reopens a run that ended in `from` and records the jobs to add; undefined when its state is no longer `from`. */
export async function beginRetry(
  redis: Redis,
  names: RedisNames,
  runId: string,
  from: RunState,
  jobs: readonly RetryJob[],
  keepSeconds: number,
): Promise<RetryRecord | undefined> {
  const others = names.runKeys(runId).filter((k) => k !== names.runMeta(runId) && k !== names.runRetry(runId));
  const fields = jobs.flatMap((j) => [JOB_FIELD + j.id, JSON.stringify({ data: j.data, attempts: j.attempts })]);
  const gen = Number(
    await redis.eval(
      BEGIN,
      2 + others.length,
      names.runMeta(runId),
      names.runRetry(runId),
      ...others,
      String(Math.max(IN_FLIGHT_TTL_SECONDS, keepSeconds)),
      from,
      ...fields,
    ),
  );
  return gen > 0 ? { gen, from, jobs: [...jobs] } : undefined;
}

/** The record of a retry that has not finished, or undefined. */
export async function readRetry(redis: Redis, names: RedisNames, runId: string): Promise<RetryRecord | undefined> {
  const h = await redis.hgetall(names.runRetry(runId));
  if (!h.gen) return undefined;
  const jobs = Object.entries(h)
    .filter(([field]) => field.startsWith(JOB_FIELD))
    .map(([field, value]) => ({ id: field.slice(JOB_FIELD.length), ...(JSON.parse(value) as Omit<RetryJob, 'id'>) }))
    .sort((a, b) => a.id.localeCompare(b.id));
  return { gen: Number(h.gen), from: h.from as RunState, jobs };
}

/** The `gen` of a retry that has not finished (one field: `status` reads it on every poll). */
export async function pendingRetryGen(redis: Redis, names: RedisNames, runId: string): Promise<number | undefined> {
  const gen = await redis.hget(names.runRetry(runId), 'gen');
  return gen === null ? undefined : Number(gen);
}

/** Deletes the record once the new flow is in Redis (only that retry's: `gen` must match). */
export async function endRetry(redis: Redis, names: RedisNames, runId: string, gen: number): Promise<void> {
  await redis.eval(
    "if redis.call('HGET', KEYS[1], 'gen') == ARGV[1] then redis.call('DEL', KEYS[1]) end",
    1,
    names.runRetry(runId),
    String(gen),
  );
}

export interface RetryLease {
  release(): Promise<void>;
}

const RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** Takes the run's retry lease, renewed until released; undefined when another process holds it. */
export async function takeRetryLease(redis: Redis, names: RedisNames, runId: string): Promise<RetryLease | undefined> {
  const key = names.runRetryLease(runId);
  const token = randomBytes(8).toString('hex');
  if ((await redis.set(key, token, 'PX', RETRY_LEASE_MS, 'NX')) !== 'OK') return undefined;
  const timer = setInterval(() => {
    redis.eval(RENEW, 1, key, token, String(RETRY_LEASE_MS)).catch(() => undefined);
  }, RETRY_LEASE_MS / 3);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, token);
    },
  };
}
