/**
 * The `aggregate` queue's job handler: runs once every chunk of a run has
 * finished, including chunks that failed for good (recorded on the parent by
 * `ignoreDependencyOnFailure`). It reconciles — every row has a result, or an
 * error row saying which chunk failed and why — computes the same metrics as
 * local mode, and stores the result with the run's expiry.
 *
 * Only the run's own flow parent may do this: any other `aggregate` job naming
 * the run (a stray job added by another program marked a live run `completed`
 * with 16,736 lost rows) is refused with an UnrecoverableError before anything
 * is read or written, and the run goes on untouched.
 */
import { Job, UnrecoverableError, WaitingChildrenError, type Queue } from 'bullmq';
import type { FailedChunk, ResultRow, RunSpec } from '../contracts.js';
import type { RedisNames } from './keys.js';
import type { Logger } from '../log.js';
import { MetricsAccumulator } from '../report/metrics.js';
import type { RunResult, RunStore } from './run-store.js';
import { rowCodecFor } from './row-codec.js';
import { toJobError } from './job-errors.js';
import { chunkRange } from './payload-check.js';
import { failAggregateIfAsked } from './aggregate-fault-hook.js';

export interface AggregatorDeps {
  store: RunStore;
  scoreQueue: Queue;
  names: RedisNames;
  log: Logger;
  /** This worker's id, named in the reasons of host problems. */
  workerId: string;
  /** TEST ONLY (aggregate-fault-hook.ts): fail this many first attempts of each aggregate job. */
  testAggregateFailures?: number | undefined;
}

/** `{prefix}:score:run-<id>-chunk-<n>[-<part>]` → chunk n and the part of a bisected chunk (bisect.ts). */
export function chunkOf(jobKey: string, runId: string): { chunk: number; part?: string } | undefined {
  const m = new RegExp(`run-${runId.replace(/[.]/g, '\\.')}-chunk-(\\d+)(?:-([ab](?:-[ab])*))?$`).exec(jobKey);
  if (!m) return undefined;
  return m[2] ? { chunk: Number(m[1]), part: m[2] } : { chunk: Number(m[1]) };
}

/**
 * Error rows for a failed chunk (or part of a bisected one): for the rows its place in
 * the run says it holds (payload-check.ts), never for whatever indexes a refused payload
 * carried; ids and gold labels come from the job's rows where they match.
 */
async function failedChunkRows(
  deps: AggregatorDeps,
  spec: RunSpec,
  at: { chunk: number; part?: string },
  reason: string,
): Promise<FailedChunk> {
  const { chunk, part } = at;
  const which = part ? { chunk, part } : { chunk };
  if (chunk >= spec.chunks) return { ...which, reason, firstIndex: null, rows: null };
  const job = await Job.fromId(deps.scoreQueue, deps.names.chunkJobId(spec.runId, chunk, part));
  const rows = (job?.data as { rows?: Array<{ index: number; id: string; gold?: string }> } | undefined)?.rows ?? [];
  const byIndex = new Map(rows.map((r) => [r.index, r]));
  const { from, to } = chunkRange(spec, chunk, part);
  const error = `chunk ${chunk}${part ? ` part ${part}` : ''} failed: ${reason}`;
  const errorRows: ResultRow[] = [];
  for (let index = from; index < to; index++) {
    const r = byIndex.get(index);
    errorRows.push({ index, id: r?.id ?? String(index), error, ...(r?.gold !== undefined ? { gold: r.gold } : {}) });
  }
  await deps.store.writeMissingRows(spec.runId, errorRows, rowCodecFor(spec));
  return { ...which, reason, firstIndex: from, rows: to - from };
}

/** The run an aggregate job names, when the job is that run's own flow parent; undefined otherwise. */
function ownRunOf(names: RedisNames, job: Job): string | undefined {
  const runId = (job.data as { runId?: unknown } | undefined)?.runId;
  return typeof runId === 'string' && job.id === names.aggregateJobId(runId) ? runId : undefined;
}

/**
 * Ends a run whose aggregate job failed for good (its last attempt, an
 * unrecoverable error, or stalled too often) as `failed`, with the reason, so
 * no one waits on it for ever. Called from the aggregate worker's `failed` event.
 */
export async function failRunIfFinal(store: RunStore, job: Job, err: Error): Promise<boolean> {
  // A refused stray job must leave the run alone.
  const runId = ownRunOf(store.names, job);
  if (runId === undefined) return false;
  if (!(await job.isFailed())) return false;
  const meta = await store.get(runId);
  if (!meta || meta.result) return false;
  const result: RunResult = {
    state: 'failed',
    metrics: null,
    failedChunks: [],
    lostRows: 0,
    finishedAt: new Date().toISOString(),
    reason: `aggregate job failed after ${job.attemptsMade} attempt(s): ${err.message}`,
  };
  await store.finish(runId, result, meta.spec.keepSeconds);
  return true;
}

type AggregateResult = { runId: string; state: string; failedChunks: number; lostRows: number };

export function createAggregateProcessor(deps: AggregatorDeps): (job: Job, token?: string) => Promise<AggregateResult> {
  const aggregate = aggregateRun(deps);
  // The same error classes decide retries as for chunks: a corrupt stored row fails at once.
  return (job, token) =>
    aggregate(job, token).catch((err: unknown) => {
      if (err instanceof WaitingChildrenError) throw err;
      throw toJobError(err, deps.workerId);
    });
}

function aggregateRun(deps: AggregatorDeps): (job: Job, token?: string) => Promise<AggregateResult> {
  return async (job, token) => {
    const runId = ownRunOf(deps.names, job);
    if (runId === undefined) {
      const named = (job.data as { runId?: unknown } | undefined)?.runId;
      throw new UnrecoverableError(
        `aggregate job ${job.id} is not the flow parent of run '${String(named)}' ` +
          `(${typeof named === 'string' ? deps.names.aggregateJobId(named) : 'no run id'}): refused, the run is untouched`,
      );
    }
    // Every chunk (and every half of a bisected one) must have finished; BullMQ only
    // runs a parent then, so a pending child here means the job was moved by hand.
    const pending = (await job.getDependenciesCount({ unprocessed: true })).unprocessed ?? 0;
    if (pending > 0) {
      if (token && (await job.moveToWaitingChildren(token))) throw new WaitingChildrenError();
      throw new UnrecoverableError(`aggregate job ${job.id} ran with ${pending} chunk job(s) still pending: refused`);
    }
    failAggregateIfAsked(job.attemptsMade, deps.testAggregateFailures);
    const meta = await deps.store.require(runId);
    const { spec } = meta;
    if (meta.state === 'cancelled') return { runId, state: 'cancelled', failedChunks: 0, lostRows: 0 };
    const failures = await job.getIgnoredChildrenFailures();
    const failedChunks: FailedChunk[] = [];
    for (const [key, reason] of Object.entries(failures)) {
      const at = chunkOf(key, runId);
      if (at !== undefined) failedChunks.push(await failedChunkRows(deps, spec, at, reason));
    }
    failedChunks.sort((a, b) => a.chunk - b.chunk || (a.part ?? '').localeCompare(b.part ?? ''));

    // Extract runs have no labels: their metrics are row and error counts and pairs/s.
    const acc = new MetricsAccumulator(spec.plan.labels);
    const codec = rowCodecFor(spec);
    let lostRows = 0;
    const lost: ResultRow[] = [];
    for await (const { index, row } of deps.store.iterateRows(runId, spec.input.rows, (t) => codec.summary(t))) {
      if (row) acc.add(row);
      else {
        lostRows++;
        const errorRow: ResultRow = {
          index,
          id: String(index),
          error: `no result for row ${index} (chunk ${Math.floor(index / spec.chunkSize)})`,
        };
        lost.push(errorRow);
        acc.add(errorRow);
      }
    }
    // Never leave a hole: `results` must give every input row once.
    if (lost.length > 0) await deps.store.writeMissingRows(runId, lost, codec);
    const started = meta.startedAt ?? Date.now();
    const result: RunResult = {
      state: 'completed',
      metrics: acc.result((Date.now() - started) / 1000),
      failedChunks,
      lostRows,
      finishedAt: new Date().toISOString(),
    };
    await deps.store.finish(runId, result, spec.keepSeconds);
    // The attempt shows when aggregation needed retries (a Redis hiccup while it read the rows).
    deps.log.info(
      { run: runId, attempt: job.attemptsMade + 1, failedChunks: failedChunks.length, lostRows, accuracy: result.metrics?.accuracy },
      'run aggregated',
    );
    return { runId, state: result.state, failedChunks: failedChunks.length, lostRows };
  };
}
