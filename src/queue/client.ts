/**
 * Read and control a run from outside the workers: status, waiting with
 * progress, streaming results in input order, cancelling. One Redis client and
 * the BullMQ queue handles, opened per call or kept for `--watch`.
 *
 * Opened with `waitThroughOutages`, the connections reconnect with backoff and
 * commands wait for Redis (redis.ts `waiting`): `wait()` then rides out a Redis
 * restart and gives up only at its `timeoutMs`. Without it, a command fails fast;
 * with `reachableFirst` too, opening fails fast and later outages are waited for.
 */
import { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { type FailedChunk, type ResultRow, type RunState } from '../contracts.js';
import { workerInfoSchema, type WorkerInfo } from './schemas.js';
import { InputError, TimeoutError } from '../errors.js';
import { openQueues, type Queues } from './bull.js';
import { connectRedis, redactUrl } from './redis.js';
import { abortable, atMost, withinMs } from './patience.js';
import type { QueueTarget } from './producer.js';
import { lostRunError, RunStore, type RunResult } from './run-store.js';
import { rowCodecFor } from './row-codec.js';
import { pauseRun, resumeRun } from './run-control.js';
import { retryRun, type RetryResult } from './retry-run.js';
import { pendingRetryGen } from './retry-record.js';
import { RunEndWatch } from './run-end.js';
import { WORKER_ALIVE_MS } from './worker-registry.js';

/** A worker that processed chunks of a run, with what its last heartbeat said. */
export interface WorkerSeen {
  id: string;
  /** Sent a heartbeat in the last 15 s. */
  alive: boolean;
  /** Its heartbeat description (device, execution providers, onnxruntime version); null once it stopped. */
  info: WorkerInfo | null;
  /** Its last heartbeat (ms since the epoch); absent once the registry forgot it. */
  lastHeartbeat?: number;
}

export interface RunStatus {
  runId: string;
  state: RunState;
  /** When it was submitted (ISO 8601, from its spec). */
  createdAt?: string;
  rows: number;
  done: number;
  chunks: number;
  chunkSize: number;
  chunksAdded: number;
  /** Chunks that failed for good so far. */
  failedChunks: number;
  /**
   * Chunks whose rows are all written (a chunk with a failed part is not); absent when it cannot
   * be known (a cancelled or failed run, or BullMQ's parent job gone).
   */
  chunksDone?: number;
  pairsPerSec: number;
  etaSeconds: number | null;
  /** Workers that processed chunks of this run, and how many of them sent a heartbeat in the last 15 s. */
  workers: string[];
  workersAlive: number;
  /** The same workers with their device and versions (from the heartbeat). */
  workersSeen: WorkerSeen[];
  /** `submit --priority` (1 most urgent); absent: none. */
  priority?: number;
  /** How many times `retry` re-queued its failed chunks. */
  retries?: number;
  /** Queued but its seal still held back: the submit stopped there; submitting again finishes it. */
  unsealed?: boolean;
  /** A `retry` of it began and has not queued its chunks yet — in progress, or killed: `retry` again finishes it. */
  retryUnfinished?: boolean;
  result?: RunResult;
}

/** A heartbeat description, or null when absent or unreadable (status must not fail on one bad entry). */
function parseWorkerInfo(json: string | null): WorkerInfo | null {
  if (json === null) return null;
  try {
    const parsed = workerInfoSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const FINAL: ReadonlySet<RunState> = new Set(['completed', 'failed', 'cancelled']);
export const isFinal = (s: RunState): boolean => FINAL.has(s);

export interface OpenOptions {
  /** Reconnect and wait through Redis outages instead of failing (waiting commands). */
  waitThroughOutages?: boolean;
  /**
   * With `waitThroughOutages`: Redis must answer now, or `open` fails fast as a plain client
   * does (`cannot reach Redis at …`). For a command whose first contact with Redis this is
   * (`results`): nothing shows that Redis ever ran there, so there is no outage to wait out.
   */
  reachableFirst?: boolean;
  /** Told when the connection is lost ('down', with the error) and back ('up'); at most once per outage. */
  onOutage?: (event: 'down' | 'up', detail: string) => void;
}

export class RunClient {
  private readonly ends: RunEndWatch;

  private constructor(
    private readonly redis: Redis,
    private readonly queues: Queues,
    readonly store: RunStore,
    private readonly url: string,
  ) {
    this.ends = new RunEndWatch(redis, queues.names);
  }

  static async open(target: QueueTarget, opts: OpenOptions = {}): Promise<RunClient> {
    const role = opts.waitThroughOutages ? 'waiting' : 'client';
    if (role === 'waiting' && opts.reachableFirst) (await connectRedis(target.redis, 'client')).disconnect();
    const redis = await connectRedis(target.redis, role);
    const queues = openQueues(target.redis, target.prefix, role);
    if (opts.onOutage) {
      const notify = opts.onOutage;
      let down = false;
      redis.on('error', (err: Error) => {
        if (!down) notify('down', err.message);
        down = true;
      });
      redis.on('ready', () => {
        if (down) notify('up', '');
        down = false;
      });
    }
    return new RunClient(redis, queues, new RunStore(redis, queues.names), redactUrl(target.redis.url));
  }

  async close(): Promise<void> {
    // BullMQ's close waits for a connection that may not come back (Redis down): bounded.
    const closing = this.queues.close();
    if (!(await atMost(closing, 1000))) this.queues.disconnect();
    this.ends.close();
    this.redis.disconnect();
  }

  async status(runId: string): Promise<RunStatus> {
    const meta = await this.store.require(runId);
    const names = this.queues.names;
    const done = meta.state === 'completed' ? meta.spec.input.rows : await this.store.rowCount(runId);
    let failedChunks = meta.result?.failedChunks.length ?? 0;
    let chunksDone: number | undefined;
    let unsealed = false;
    let retryUnfinished = false;
    if (!meta.result) {
      const parent = await Job.fromId(this.queues.aggregate, names.aggregateJobId(runId));
      const retryGen = meta.retries ? await pendingRetryGen(this.redis, names, runId) : undefined;
      // The retry's aggregate carries its gen once its flow is added (retry-run.ts).
      retryUnfinished = retryGen !== undefined && (parent?.data as { retry?: unknown } | undefined)?.retry !== retryGen;
      const seal = await Job.fromId(this.queues.score, names.sealJobId(runId));
      if (parent) {
        const counts = await parent.getDependenciesCount({ ignored: true, processed: true });
        failedChunks = counts.ignored ?? 0;
        // The seal is a child of the parent too; once done it is removed (removeOnComplete).
        // A bisected chunk adds its halves as children, so the count is capped by what can be done.
        chunksDone = Math.min(meta.spec.chunks - failedChunks, Math.max(0, (counts.processed ?? 0) - (seal ? 0 : 1)));
      }
      if (meta.state === 'queued' || meta.state === 'running' || meta.state === 'paused') unsealed = (await seal?.isDelayed()) === true;
    } else if (meta.state === 'completed') {
      chunksDone = meta.spec.chunks - new Set(meta.result.failedChunks.map((f) => f.chunk)).size;
    }
    const workers = await this.store.workersOf(runId);
    const workersSeen = await this.workersSeen(workers);
    const workersAlive = workersSeen.filter((w) => w.alive).length;
    const end = meta.finishedAt ?? Date.now();
    const seconds = meta.startedAt ? (end - meta.startedAt) / 1000 : 0;
    const pairsPerSec = meta.result?.metrics?.pairs_per_s ?? (seconds > 0 ? done / seconds : 0);
    const left = meta.spec.input.rows - done;
    const status: RunStatus = {
      runId,
      state: meta.state,
      createdAt: meta.spec.createdAt,
      rows: meta.spec.input.rows,
      done,
      chunks: meta.spec.chunks,
      chunkSize: meta.spec.chunkSize,
      chunksAdded: meta.chunksAdded,
      failedChunks,
      pairsPerSec,
      etaSeconds: isFinal(meta.state) ? 0 : pairsPerSec > 0 ? left / pairsPerSec : null,
      workers,
      workersAlive,
      workersSeen,
    };
    if (chunksDone !== undefined) status.chunksDone = chunksDone;
    if (meta.spec.priority !== undefined) status.priority = meta.spec.priority;
    if (meta.retries) status.retries = meta.retries;
    if (unsealed) status.unsealed = true;
    if (retryUnfinished) status.retryUnfinished = true;
    if (meta.result) status.result = meta.result;
    return status;
  }

  /** Every worker of the deployment that sent a heartbeat recently enough to be remembered, newest first. */
  async fleet(): Promise<WorkerSeen[]> {
    return this.workersSeen(await this.redis.zrevrange(this.queues.names.workers, 0, -1));
  }

  private async workersSeen(ids: readonly string[]): Promise<WorkerSeen[]> {
    const names = this.queues.names;
    const cutoff = Date.now() - WORKER_ALIVE_MS;
    const seen: WorkerSeen[] = [];
    for (const id of ids) {
      const [beat, info] = await Promise.all([this.redis.zscore(names.workers, id), this.redis.hget(names.workerInfo, id)]);
      seen.push({
        id,
        alive: beat !== null && Number(beat) >= cutoff,
        info: parseWorkerInfo(info),
        ...(beat !== null ? { lastHeartbeat: Number(beat) } : {}),
      });
    }
    return seen;
  }

  /**
   * Reads the status every `intervalMs` (default 1 s) until the run reaches a final state,
   * and returns as soon as it ends: between two reads it blocks on the run's end events
   * (run-end.ts), not on a timer. Each read is bounded by what is left of `timeoutMs` and
   * by `signal`, so a read that waits for an unreachable Redis (a client opened with
   * `waitThroughOutages`) ends the wait on time.
   */
  async wait(
    runId: string,
    opts: { intervalMs?: number; onStatus?: (s: RunStatus) => void; timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<RunStatus> {
    const start = Date.now();
    let last: RunStatus | undefined;
    const timedOut = (s: RunStatus) =>
      new TimeoutError(
        `run '${runId}' did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s (state ${s.state}, ${s.done}/${s.rows} rows); it goes on — see: pairscore status ${runId}`,
      );
    for (;;) {
      opts.signal?.throwIfAborted();
      const left = opts.timeoutMs === undefined ? undefined : start + opts.timeoutMs - Date.now();
      // Time ran out during the pause: the last status answered, so say where the run stood.
      if (left !== undefined && left <= 0 && last) throw timedOut(last);
      // The latest end event before the status read: one after it is this wait's to see.
      let after = '0-0';
      const s = await abortable(
        withinMs(
          this.store
            .lastEnd(runId)
            .then((id) => {
              after = id;
              return this.status(runId);
            })
            .catch((err: unknown) => {
              // It was there a moment ago and had not ended, so nothing expired it: Redis lost it.
              if (last && err instanceof InputError) throw lostRunError(runId, this.queues.names.bullPrefix);
              throw err;
            }),
          left,
          () =>
            new TimeoutError(
              `run '${runId}' did not finish within ${Math.round((opts.timeoutMs ?? 0) / 1000)} s: Redis at ${this.url} did not answer` +
                `${last ? ` (last seen: state ${last.state}, ${last.done}/${last.rows} rows)` : ''}; the run goes on — see: pairscore status ${runId}`,
            ),
        ),
        opts.signal,
      );
      last = s;
      opts.onStatus?.(s);
      if (isFinal(s.state)) return s;
      if (opts.timeoutMs !== undefined && Date.now() - start >= opts.timeoutMs) throw timedOut(s);
      const pause = Math.max(0, Math.min(opts.intervalMs ?? 1000, start + (opts.timeoutMs ?? Infinity) - Date.now()));
      await this.ends.next(runId, after, pause, opts.signal);
    }
  }

  /**
   * Every input row once, in input order, streamed from Redis. A run that has
   * not finished is refused unless `partial` (missing rows are then skipped).
   * ScoreRows for `score` runs, ExtractRows for `extract` runs (see spec.task).
   */
  async *results(runId: string, opts: { partial?: boolean } = {}): AsyncGenerator<ResultRow> {
    const meta = await this.store.require(runId);
    if (!meta.result && !opts.partial) {
      throw new InputError(`run '${runId}' is ${meta.state}, not finished; wait for it (status --watch) or pass --partial`);
    }
    const codec = rowCodecFor(meta.spec);
    for await (const { row } of this.store.iterateRows(runId, meta.spec.input.rows, (t) => codec.decode(t))) if (row) yield row;
  }

  /** Pauses one run (run-control.ts); false when it was paused already. */
  pause(runId: string): Promise<boolean> {
    return pauseRun(this.controlDeps(), runId);
  }

  /** Resumes a paused run and promotes its parked chunks (`already`: it was resumed, some were left parked). */
  resume(runId: string): Promise<{ promoted: number; already?: boolean }> {
    return resumeRun(this.controlDeps(), runId);
  }

  /** Re-queues the failed chunks of a run that ended (or finishes a retry that was killed); it is `running` again. */
  retry(runId: string): Promise<RetryResult> {
    return retryRun(this.controlDeps(), runId);
  }

  private controlDeps() {
    return { redis: this.redis, store: this.store, queues: this.queues };
  }

  /**
   * Cancels a run: workers skip its remaining chunks, queued jobs are removed
   * with the parent. Active chunks finish (their rows stay); the run ends as `cancelled`.
   */
  async cancel(runId: string, opts: { timeoutMs?: number } = {}): Promise<{ removed: boolean; state: RunState }> {
    const meta = await this.store.require(runId);
    if (isFinal(meta.state)) return { removed: false, state: meta.state };
    await this.store.setState(runId, 'cancelled');
    const names = this.queues.names;
    const deadline = Date.now() + (opts.timeoutMs ?? 30000);
    // A locked (active) child makes removal fail; it finishes quickly now that the run is cancelled.
    for (;;) {
      const removed = await this.queues.aggregate.remove(names.aggregateJobId(runId), { removeChildren: true }).catch(() => 0);
      const parent = await Job.fromId(this.queues.aggregate, names.aggregateJobId(runId));
      if (removed === 1 || !parent) break;
      if (Date.now() > deadline) throw new InputError(`run '${runId}' is marked cancelled but its jobs are still locked; try again`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const result: RunResult = {
      state: 'cancelled',
      metrics: null,
      failedChunks: [] as FailedChunk[],
      lostRows: 0,
      finishedAt: new Date().toISOString(),
    };
    await this.store.finish(runId, result, meta.spec.keepSeconds);
    return { removed: true, state: 'cancelled' };
  }
}
