/**
 * `retry RUN`: re-queues the failed chunks of a run that ended (completed with failed
 * chunks, or failed because its aggregate did) under the same run id: a new aggregate
 * parent with those chunks as its children, with the jobs' own data, attempts and the
 * run's priority. Rows with a result stay; the error rows the aggregate wrote for the
 * failed chunks are deleted first, so they are written again by the retried chunk (or by
 * the next aggregate if it fails again). Rows are keyed by index: nothing is written twice.
 *
 * Crash-safe (retry-record.ts): the run is reopened and the jobs to add are recorded in
 * one step before anything is removed; then error rows are cleared, the old jobs removed
 * (same ids) and the new flow added, each step safe to repeat. A `retry` killed anywhere
 * leaves the record, and the next `retry` of the run finishes the work from it; `status`
 * shows such a run. If it was killed after the flow was added, only the record is dropped.
 */
import { Job } from 'bullmq';
import type { RunSpec, RunState } from '../contracts.js';
import type { ChunkJobData } from './schemas.js';
import { InputError } from '../errors.js';
import { chunkOf } from './aggregator.js';
import { aggregateJobOptions, chunkJobOptions } from './job-options.js';
import { chunkRange } from './payload-check.js';
import { rowCodecFor } from './row-codec.js';
import { DEFAULT_RETRY_ATTEMPTS } from './retry-policy.js';
import { beginRetry, endRetry, readRetry, RETRY_LEASE_MS, takeRetryLease, type RetryJob, type RetryRecord } from './retry-record.js';
import type { RunControlDeps } from './run-control.js';

export interface RetryResult {
  /** Failed chunks (or parts of bisected chunks) added again, by job id. */
  chunks: string[];
  /** Error rows deleted so the retried chunks write their rows. */
  rowsReset: number;
  /** The state the run had (completed or failed). */
  from: RunState;
  /** This call finished a retry that an earlier one began and did not finish (killed). */
  resumed?: boolean;
}

/** TEST ONLY: called between the steps, so a test can stop a retry where a kill would. */
export interface RetryHooks {
  /** After the old jobs are removed, before the new flow is added. */
  afterRemove?: () => Promise<void>;
}

/** The run's chunk jobs that failed for good: from its result, and from a failed aggregate still in Redis. */
async function failedChunkJobs(
  deps: RunControlDeps,
  runId: string,
  recorded: Array<{ chunk: number; part?: string }>,
): Promise<RetryJob[]> {
  const { names } = deps.queues;
  const ids = new Set(recorded.map((f) => names.chunkJobId(runId, f.chunk, f.part)));
  const aggregate = await Job.fromId(deps.queues.aggregate, names.aggregateJobId(runId));
  if (aggregate) {
    for (const key of Object.keys(await aggregate.getIgnoredChildrenFailures())) {
      const at = chunkOf(key, runId);
      if (at) ids.add(names.chunkJobId(runId, at.chunk, at.part));
    }
  }
  const jobs: RetryJob[] = [];
  for (const id of [...ids].sort()) {
    const job = await Job.fromId(deps.queues.score, id);
    if (!job || !(await job.isFailed())) {
      throw new InputError(
        `run '${runId}': failed chunk job ${id} is no longer in Redis (removed, or older than --keep); submit the run again`,
      );
    }
    jobs.push({ id, data: job.data as ChunkJobData, attempts: job.opts.attempts ?? DEFAULT_RETRY_ATTEMPTS });
  }
  return jobs;
}

/** Checks the run can be retried and takes the first step: reopened, with the jobs to add recorded. */
async function startRetry(deps: RunControlDeps, runId: string): Promise<RetryRecord> {
  const meta = await deps.store.require(runId);
  const { spec, state } = meta;
  if (state === 'cancelled') throw new InputError(`run '${runId}' was cancelled: submit it again under a new run id`);
  if (state !== 'completed' && state !== 'failed') {
    throw new InputError(
      `run '${runId}' is ${state}: retry takes a run that ended with failed chunks (wait for it: pairscore status --watch ${runId})`,
    );
  }
  const jobs = await failedChunkJobs(deps, runId, meta.result?.failedChunks ?? []);
  // A failed run is retried even without failed chunks: its aggregate is what failed.
  if (jobs.length === 0 && state === 'completed') {
    throw new InputError(`run '${runId}' completed with no failed chunks: nothing to retry`);
  }
  const record = await beginRetry(deps.redis, deps.queues.names, runId, state, jobs, spec.keepSeconds);
  if (!record) throw new InputError(`run '${runId}' changed state while being retried; look at it again: pairscore status ${runId}`);
  return record;
}

/** Everything after the first step; each part may run again after a kill. */
async function carryOut(deps: RunControlDeps, spec: RunSpec, record: RetryRecord, hooks: RetryHooks): Promise<RetryResult> {
  const { runId } = spec;
  const { names } = deps.queues;
  const chunks = record.jobs.map((j) => j.id);
  const aggregate = await Job.fromId(deps.queues.aggregate, names.aggregateJobId(runId));
  if (aggregate && (aggregate.data as { retry?: unknown }).retry === record.gen) {
    // Killed after adding the flow: its chunks are queued (or done) already.
    await endRetry(deps.redis, names, runId, record.gen);
    return { chunks, rowsReset: 0, from: record.from };
  }
  const codec = rowCodecFor(spec);
  let rowsReset = 0;
  for (const j of record.jobs) {
    const { from, to } = chunkRange(spec, j.data.chunk, j.data.part);
    rowsReset += await deps.store.dropErrorRows(runId, from, to, codec);
  }
  await deps.store.forgetCrashes(runId, chunks);
  if (aggregate) await deps.queues.aggregate.remove(aggregate.id!, { removeChildren: false });
  for (const j of record.jobs) await deps.queues.score.remove(j.id, { removeChildren: false });
  await hooks.afterRemove?.();
  await deps.queues.flow.add({
    name: 'aggregate',
    queueName: names.aggregateQueue,
    // `retry` tells a later `retry` that this flow is in Redis (see above).
    data: { runId, retry: record.gen },
    opts: { jobId: names.aggregateJobId(runId), ...aggregateJobOptions(spec) },
    children: record.jobs.map((j) => ({
      name: 'chunk',
      queueName: names.scoreQueue,
      data: j.data,
      opts: { jobId: j.id, ...chunkJobOptions(spec, j.attempts) },
    })),
  });
  await endRetry(deps.redis, names, runId, record.gen);
  return { chunks, rowsReset, from: record.from };
}

/**
 * Re-queues the failed chunks of a run that ended, or finishes a retry of it that was
 * killed; the run is `running` again and its aggregate runs when they end. InputError for
 * a run that is unknown, not ended, cancelled, completed without failed chunks, or being
 * retried by another process right now.
 */
export async function retryRun(deps: RunControlDeps, runId: string, hooks: RetryHooks = {}): Promise<RetryResult> {
  const { spec } = await deps.store.require(runId);
  const lease = await takeRetryLease(deps.redis, deps.queues.names, runId);
  if (!lease) {
    throw new InputError(
      `run '${runId}' is being retried by another pairscore retry right now (or one was killed less than ` +
        `${RETRY_LEASE_MS / 1000} s ago): try again in a moment`,
    );
  }
  try {
    const pending = await readRetry(deps.redis, deps.queues.names, runId);
    if (pending) return { ...(await carryOut(deps, spec, pending, hooks)), resumed: true };
    return await carryOut(deps, spec, await startRetry(deps, runId), hooks);
  } finally {
    // Expires by itself if this fails too; the error that matters is the one above.
    await lease.release().catch(() => undefined);
  }
}
