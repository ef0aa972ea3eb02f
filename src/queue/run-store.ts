/**
 * Run records in Redis: the spec (stored once per run), its state and
 * timestamps, the result rows (one hash field per input row, so writing a
 * chunk twice leaves exactly one row per index), and the final result.
 */
import type { Redis } from 'ioredis';
import { runSpecSchema, type FailedChunk, type ResultRow, type RunSpec, type RunState } from '../contracts.js';
import { type RedisNames } from './keys.js';
import { InputError, RunFailedError } from '../errors.js';
import type { Metrics } from '../report/metrics.js';
import type { RowCodec } from './row-codec.js';

export interface RunResult {
  state: RunState;
  metrics: Metrics | null;
  failedChunks: FailedChunk[];
  /** Rows with no result at all (should be 0; counted, never hidden). */
  lostRows: number;
  finishedAt: string;
  /** Why a `failed` run failed (its aggregate job's final error). */
  reason?: string;
}

/** The error of a run whose data this Redis no longer has (see RunStore.missingRun). */
export function lostRunError(runId: string, bullPrefix: string): RunFailedError {
  return new RunFailedError(
    `Redis lost this run's data — restarted without persistence? Run '${runId}' and every other key under prefix ${bullPrefix} are gone ` +
      '(if the --prefix or --redis URL is not the one the run was submitted to, use that one); submit the run again',
  );
}

export interface RunMeta {
  spec: RunSpec;
  state: RunState;
  chunksAdded: number;
  startedAt?: number;
  finishedAt?: number;
  result?: RunResult;
  /** How many times `retry` re-queued the run's failed chunks. */
  retries?: number;
}

/**
 * Gives each key (KEYS[2..]) that has no TTL the run's: the meta key's (KEYS[1]) once the
 * run ended, else ARGV[1] (in flight). So a key first written after the run ended (rows of
 * a chunk still active at cancel) still expires with the run, and a run that never ends
 * (a producer that died for good) still leaves Redis. TTL -1: exists without expiry.
 */
const ENSURE_TTL = `local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then ttl = tonumber(ARGV[1]) end
for i = 2, #KEYS do if redis.call('TTL', KEYS[i]) == -1 then redis.call('EXPIRE', KEYS[i], ttl) end end
return ttl`;

/**
 * Expiry of a run's keys while it is in flight: long enough for any real run (a million
 * rows take hours), short enough that an abandoned one does not stay for ever. `finish`
 * replaces it with `--keep`.
 */
export const IN_FLIGHT_TTL_SECONDS = 30 * 86400;

/** Runs the index (`runs`) is checked against their meta keys per pass, oldest first. */
const PRUNE_BATCH = 100;

export class RunStore {
  constructor(
    private readonly redis: Redis,
    readonly names: RedisNames,
  ) {}

  /** Creates the run record unless it exists; returns false when it already existed. */
  async create(spec: RunSpec): Promise<boolean> {
    const key = this.names.runMeta(spec.runId);
    const created = await this.redis.hsetnx(key, 'spec', JSON.stringify(spec));
    if (created === 0) return false;
    await this.redis
      .multi()
      .hset(key, 'state', 'submitting', 'chunksAdded', '0')
      .zadd(this.names.runs, Date.now(), spec.runId)
      .expire(key, Math.max(IN_FLIGHT_TTL_SECONDS, spec.keepSeconds))
      .exec();
    await this.pruneRuns();
    return true;
  }

  /** Keys of the run written from here on get the run's TTL (ENSURE_TTL). */
  private ensureTtl(runId: string, ...keys: string[]): [string, number, ...string[]] {
    return [ENSURE_TTL, 1 + keys.length, this.names.runMeta(runId), ...keys, String(IN_FLIGHT_TTL_SECONDS)];
  }

  /** Drops run ids whose records expired from the index, the oldest `PRUNE_BATCH` first (they expire first). */
  async pruneRuns(): Promise<number> {
    const ids = await this.redis.zrange(this.names.runs, 0, PRUNE_BATCH - 1);
    if (ids.length === 0) return 0;
    const pipe = this.redis.pipeline();
    for (const id of ids) pipe.exists(this.names.runMeta(id));
    const res = (await pipe.exec()) ?? [];
    const dead = ids.filter((_, i) => res[i]?.[1] === 0);
    if (dead.length > 0) await this.redis.zrem(this.names.runs, ...dead);
    return dead.length;
  }

  async get(runId: string): Promise<RunMeta | undefined> {
    const h = await this.redis.hgetall(this.names.runMeta(runId));
    if (!h.spec) return undefined;
    const parsed = runSpecSchema.safeParse(JSON.parse(h.spec));
    if (!parsed.success) {
      const version = (JSON.parse(h.spec) as { version?: unknown }).version;
      throw new InputError(
        `run '${runId}' was stored by ${typeof version === 'string' ? `pairscore ${version}` : 'another pairscore version'} and this build cannot read its spec ` +
          `(${parsed.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.')}: ${i.message}`)
            .join('; ')}); submit it again with this version`,
      );
    }
    const meta: RunMeta = {
      spec: parsed.data,
      state: (h.state ?? 'submitting') as RunState,
      chunksAdded: Number(h.chunksAdded ?? 0),
    };
    if (h.startedAt) meta.startedAt = Number(h.startedAt);
    if (h.finishedAt) meta.finishedAt = Number(h.finishedAt);
    if (h.result) meta.result = JSON.parse(h.result) as RunResult;
    if (h.retries) meta.retries = Number(h.retries);
    return meta;
  }

  async require(runId: string): Promise<RunMeta> {
    const meta = await this.get(runId);
    if (!meta) throw await this.missingRun(runId);
    return meta;
  }

  /** Marks this deployment as used (once, never expires): see `missingRun`. */
  async markDeployment(): Promise<void> {
    await this.redis.set(this.names.deploymentMarker, new Date().toISOString(), 'NX');
  }

  /**
   * Why a run has no record. Finished runs expire with their keys, but the
   * deployment marker `submit` sets never does: when it is gone too, this Redis
   * holds nothing of the deployment — it lost its data (restarted without
   * persistence, flushed) or the prefix / URL is not the one the run used. That
   * is a RunFailedError (exit 1: the run will not end by waiting), not an InputError.
   */
  async missingRun(runId: string): Promise<Error> {
    const [marker, indexed] = await Promise.all([
      this.redis.exists(this.names.deploymentMarker),
      this.redis.zscore(this.names.runs, runId),
    ]);
    if (marker === 0) return lostRunError(runId, this.names.bullPrefix);
    if (indexed !== null)
      return new InputError(
        `run '${runId}' has expired (prefix ${this.names.bullPrefix}): its data was kept for its --keep time after it ended`,
      );
    return new InputError(`no run '${runId}' in Redis (prefix ${this.names.bullPrefix}); it was never submitted or has expired`);
  }

  async setState(runId: string, state: RunState): Promise<void> {
    await this.redis.hset(this.names.runMeta(runId), 'state', state);
  }

  /** Sets the state only when it is currently one of `from` (atomic); returns whether it changed. */
  async setStateIf(runId: string, to: RunState, from: readonly RunState[]): Promise<boolean> {
    const changed = await this.redis.eval(
      "local s = redis.call('HGET', KEYS[1], 'state') for i = 2, #ARGV do if s == ARGV[i] then redis.call('HSET', KEYS[1], 'state', ARGV[1]) return 1 end end return 0",
      1,
      this.names.runMeta(runId),
      to,
      ...from,
    );
    return changed === 1;
  }

  /** Deletes the error rows among rows `from`..`to-1` (those of a chunk `retry` adds again); rows with a result stay. */
  async dropErrorRows(runId: string, from: number, to: number, codec: RowCodec): Promise<number> {
    const rows = await this.readRows(runId, from, to, (t) => codec.summary(t));
    const fields = rows.flatMap((r, i) => (r?.error !== undefined ? [String(from + i)] : []));
    return fields.length > 0 ? this.redis.hdel(this.names.runRows(runId), ...fields) : 0;
  }

  /** Forgets the solo-crash counts of chunk jobs added again (bisect.ts counts per job id). */
  async forgetCrashes(runId: string, jobIds: readonly string[]): Promise<void> {
    if (jobIds.length > 0) await this.redis.hdel(this.names.runCrashes(runId), ...jobIds);
  }

  async setChunksAdded(runId: string, n: number): Promise<void> {
    await this.redis.hset(this.names.runMeta(runId), 'chunksAdded', String(n));
  }

  /**
   * At the start of a chunk, in one round trip: records the first start (for
   * pairs/s and ETA) and the worker, and returns the run's state so a cancelled
   * run's chunks are skipped. queued → running happens once, on the first chunk.
   */
  async beginChunk(runId: string, worker: string): Promise<RunState | undefined> {
    const key = this.names.runMeta(runId);
    const res = await this.redis
      .multi()
      .hget(key, 'state')
      .hsetnx(key, 'startedAt', String(Date.now()))
      .sadd(this.names.runWorkers(runId), worker)
      .eval(...this.ensureTtl(runId, this.names.runWorkers(runId)))
      .exec();
    const state = (res?.[0]?.[1] ?? undefined) as RunState | undefined;
    if (state === 'queued') await this.setStateIf(runId, 'running', ['queued']);
    return state;
  }

  /** One HSET for the whole chunk: idempotent per row index. */
  async writeRows(runId: string, rows: readonly ResultRow[], codec: RowCodec): Promise<void> {
    if (rows.length === 0) return;
    const args: string[] = [];
    for (const r of rows) args.push(String(r.index), codec.encode(r));
    await this.redis
      .multi()
      .hset(this.names.runRows(runId), ...args)
      .eval(...this.ensureTtl(runId, this.names.runRows(runId)))
      .exec();
  }

  /** Writes rows only where none exists yet (error rows for failed chunks). */
  async writeMissingRows(runId: string, rows: readonly ResultRow[], codec: RowCodec): Promise<number> {
    let written = 0;
    const key = this.names.runRows(runId);
    for (let i = 0; i < rows.length; i += 500) {
      const pipe = this.redis.pipeline();
      const batch = rows.slice(i, i + 500);
      for (const r of batch) pipe.hsetnx(key, String(r.index), codec.encode(r));
      pipe.eval(...this.ensureTtl(runId, key));
      const all = (await pipe.exec()) ?? [];
      // A pipeline reports each command's error in its result: a refused write (OOM) must fail
      // the aggregate job (retried by cause), not pass as "already written".
      const refused = all.find(([e]) => e);
      if (refused) throw refused[0];
      const res = all.slice(0, batch.length);
      written += res.reduce((s, [, v]) => s + (v === 1 ? 1 : 0), 0);
    }
    return written;
  }

  async rowCount(runId: string): Promise<number> {
    return this.redis.hlen(this.names.runRows(runId));
  }

  /** Rows `from`..`to-1` in index order; undefined where a row is missing. */
  async readRows<T = ResultRow>(runId: string, from: number, to: number, decode: (text: string) => T): Promise<Array<T | undefined>> {
    if (to <= from) return [];
    const fields = Array.from({ length: to - from }, (_, i) => String(from + i));
    const values = await this.redis.hmget(this.names.runRows(runId), ...fields);
    return values.map((v) => (v === null ? undefined : decode(v)));
  }

  /** Streams every row in input order, `batch` rows per Redis round trip, through `decode` (a RowCodec's decode or summary). */
  async *iterateRows<T = ResultRow>(
    runId: string,
    total: number,
    decode: (text: string) => T,
    batch = 1000,
  ): AsyncGenerator<{ index: number; row: T | undefined }> {
    for (let from = 0; from < total; from += batch) {
      const rows = await this.readRows(runId, from, Math.min(total, from + batch), decode);
      for (let i = 0; i < rows.length; i++) yield { index: from + i, row: rows[i] };
    }
  }

  /**
   * Counts the start of a one-row suspect chunk run alone (`delta` 1), and takes it back
   * when the attempt ends with the process alive (-1): what is left counts attempts that
   * died with only that row running — crashes the row itself caused (bisect.ts).
   */
  async countSoloStart(runId: string, jobId: string, delta: 1 | -1): Promise<void> {
    const key = this.names.runCrashes(runId);
    // The run's TTL, like every other key of the run (bounded memory even for a run that never ends).
    await this.redis
      .multi()
      .hincrby(key, jobId, delta)
      .eval(...this.ensureTtl(runId, key))
      .exec();
  }

  async soloCrashes(runId: string, jobId: string): Promise<number> {
    return Number((await this.redis.hget(this.names.runCrashes(runId), jobId)) ?? 0);
  }

  /** The run's state as Redis has it now (no cache): a worker that just parked a chunk looks again (run-control.ts). */
  async stateOf(runId: string): Promise<RunState | undefined> {
    return ((await this.redis.hget(this.names.runMeta(runId), 'state')) ?? undefined) as RunState | undefined;
  }

  /** Records a chunk a worker is about to park, with the mark `resume` checks (run-control.ts `parkMark`). */
  async markParked(runId: string, jobId: string, mark: string): Promise<void> {
    const key = this.names.runParked(runId);
    await this.redis
      .multi()
      .hset(key, jobId, mark)
      .eval(...this.ensureTtl(runId, key))
      .exec();
  }

  /** Chunks workers parked: job id → mark. */
  async parkedOf(runId: string): Promise<Record<string, string>> {
    return this.redis.hgetall(this.names.runParked(runId));
  }

  /** Forgets parked entries that still hold the mark read (a chunk parked again since keeps its new one). */
  async forgetParked(runId: string, seen: Record<string, string>): Promise<void> {
    const args = Object.entries(seen).flat();
    if (args.length === 0) return;
    await this.redis.eval(
      "for i = 1, #ARGV, 2 do if redis.call('HGET', KEYS[1], ARGV[i]) == ARGV[i + 1] then redis.call('HDEL', KEYS[1], ARGV[i]) end end",
      1,
      this.names.runParked(runId),
      ...args,
    );
  }

  async workersOf(runId: string): Promise<string[]> {
    return this.redis.smembers(this.names.runWorkers(runId));
  }

  /**
   * Stores the result, tells waiting clients (an entry on the run's `ended` stream, in the same
   * transaction: a waiter woken by the entry reads the result) and lets every key of the run
   * expire after `keepSeconds`. A `retry` record still there is done with: only the aggregate of
   * the flow it added (or a cancel) ends a run after it began.
   */
  async finish(runId: string, result: RunResult, keepSeconds: number): Promise<void> {
    const multi = this.redis
      .multi()
      .hset(this.names.runMeta(runId), 'state', result.state, 'finishedAt', String(Date.now()), 'result', JSON.stringify(result))
      .del(this.names.runRetry(runId))
      // A run ends a few times at most (`retry` reopens it): a short stream is all a waiter needs.
      .xadd(this.names.runEnded(runId), 'MAXLEN', '~', '16', '*', 'state', result.state);
    for (const key of this.names.runKeys(runId)) multi.expire(key, keepSeconds);
    await multi.exec();
  }

  /** The id of the run's latest end event, or '0-0' when it never ended: where a waiter starts reading. */
  async lastEnd(runId: string): Promise<string> {
    const last = await this.redis.xrevrange(this.names.runEnded(runId), '+', '-', 'COUNT', 1);
    return last[0]?.[0] ?? '0-0';
  }

  /** Removes runs whose records expired from the run index (the newest it reads, and the oldest batch). */
  async listRuns(limit = 20): Promise<string[]> {
    await this.pruneRuns();
    const ids = await this.redis.zrevrange(this.names.runs, 0, limit * 2);
    const alive: string[] = [];
    for (const id of ids) {
      if (await this.redis.exists(this.names.runMeta(id))) alive.push(id);
      else await this.redis.zrem(this.names.runs, id);
      if (alive.length >= limit) break;
    }
    return alive;
  }
}
