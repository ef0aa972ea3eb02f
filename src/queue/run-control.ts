/**
 * Control of one run after `submit`: `pause`, `resume` and `retry`.
 *
 * Pause is a run state, not a BullMQ queue pause (that would stop every run). A
 * worker that takes a chunk of a paused run parks it: moves it to the delayed set
 * for PARK_MS without using an attempt (chunk-processor.ts) and takes the next
 * job, so other runs keep flowing and active chunks of the paused run finish
 * (their rows stay). `resume` sets the state back and promotes the run's parked
 * chunks. A chunk parked on a worker's stale view of the state (at most
 * STATE_REFRESH_MS old) after `resume` promoted the others comes back by itself
 * within PARK_MS, so nothing waits for ever; a second sweep catches most of them.
 * Rows are keyed by index, so no path here can write a row twice.
 *
 * Retry re-queues the failed chunks of a run that ended (completed with failed
 * chunks, or failed because its aggregate did) under the same run id: a new
 * aggregate parent with those chunks as its children, with the jobs' own data,
 * attempts and the run's priority. Rows with a result stay; the error rows the
 * aggregate wrote for the failed chunks are deleted first, so they are written
 * again by the retried chunk (or by the next aggregate if it fails again).
 *
 * Not atomic as a whole: the old jobs are removed before the new flow is added
 * (same job ids). A `retry` killed between the two leaves the run `running` with
 * chunks missing; the next aggregate never runs and `status` shows it — submit
 * the run again under a new id then.
 */
import { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunState } from '../contracts.js';
import type { ChunkJobData } from './schemas.js';
import { InputError } from '../errors.js';
import type { Queues } from './bull.js';
import { chunkOf } from './aggregator.js';
import { aggregateJobOptions, chunkJobOptions } from './job-options.js';
import { chunkRange } from './payload-check.js';
import { rowCodecFor } from './row-codec.js';
import type { RunStore } from './run-store.js';
import { DEFAULT_RETRY_ATTEMPTS } from './retry-policy.js';

/**
 * How long a worker parks a paused run's chunk before looking at it again. Only a
 * safety net (resume promotes parked chunks at once); it sets the churn of a long
 * pause: each parked chunk is taken and parked again once per PARK_MS.
 */
export const PARK_MS = 60000;
/** How long `resume` waits before its second sweep: more than a worker's state cache (STATE_REFRESH_MS, 250 ms). */
const SECOND_SWEEP_MS = 1000;

export interface RunControlDeps {
  redis: Redis;
  store: RunStore;
  queues: Queues;
}

const IN_FLIGHT: readonly RunState[] = ['queued', 'running'];

/** Pauses a queued or running run; returns false when it was paused already. */
export async function pauseRun(deps: RunControlDeps, runId: string): Promise<boolean> {
  const meta = await deps.store.require(runId);
  if (meta.state === 'paused') return false;
  if (!(await deps.store.setStateIf(runId, 'paused', IN_FLIGHT))) {
    const now = (await deps.store.require(runId)).state;
    if (now === 'paused') return false;
    throw new InputError(`run '${runId}' is ${now}: only a queued or running run can be paused`);
  }
  return true;
}

/** Job ids of the run's chunks in the score queue's delayed set (parked, or waiting for a retry after a fault). */
async function delayedChunkIds(deps: RunControlDeps, runId: string): Promise<string[]> {
  const prefix = deps.queues.names.chunkJobId(runId, 0).replace(/0$/, '');
  // One pass over the ids only (no job data): pause and resume are rare, the set is bounded by queued chunks.
  const ids = await deps.redis.zrange(deps.queues.names.scoreDelayed, 0, -1);
  return ids.filter((id) => id.startsWith(prefix) && /^\d+(-[ab])*$/.test(id.slice(prefix.length)));
}

async function promoteParked(deps: RunControlDeps, runId: string): Promise<number> {
  let promoted = 0;
  for (const id of await delayedChunkIds(deps, runId)) {
    const job = await Job.fromId(deps.queues.score, id);
    // Taken or removed since the read: nothing to promote.
    if (
      job &&
      (await job.promote().then(
        () => true,
        () => false,
      ))
    )
      promoted++;
  }
  return promoted;
}

/**
 * Resumes a paused run and promotes its parked chunks (also those delayed for a
 * retry after a fault: they run now, which costs at most an early attempt).
 * Returns how many chunks were promoted; throws InputError when the run is not paused.
 */
export async function resumeRun(deps: RunControlDeps, runId: string): Promise<{ promoted: number }> {
  const meta = await deps.store.require(runId);
  const to: RunState = meta.startedAt !== undefined ? 'running' : 'queued';
  if (!(await deps.store.setStateIf(runId, to, ['paused']))) {
    const now = (await deps.store.require(runId)).state;
    throw new InputError(`run '${runId}' is ${now}, not paused`);
  }
  let promoted = await promoteParked(deps, runId);
  await new Promise((r) => setTimeout(r, SECOND_SWEEP_MS));
  promoted += await promoteParked(deps, runId);
  return { promoted };
}

export interface RetryResult {
  /** Failed chunks (or parts of bisected chunks) added again, by job id. */
  chunks: string[];
  /** Error rows deleted so the retried chunks write their rows. */
  rowsReset: number;
  /** The state the run had (completed or failed). */
  from: RunState;
}

interface FailedJob {
  id: string;
  data: ChunkJobData;
  attempts: number;
}

/** The run's chunk jobs that failed for good: from its result, and from a failed aggregate still in Redis. */
async function failedChunkJobs(
  deps: RunControlDeps,
  runId: string,
  recorded: Array<{ chunk: number; part?: string }>,
): Promise<{ jobs: FailedJob[]; aggregate: Job | undefined }> {
  const { names } = deps.queues;
  const ids = new Set(recorded.map((f) => names.chunkJobId(runId, f.chunk, f.part)));
  const aggregate = await Job.fromId(deps.queues.aggregate, names.aggregateJobId(runId));
  if (aggregate) {
    for (const key of Object.keys(await aggregate.getIgnoredChildrenFailures())) {
      const at = chunkOf(key, runId);
      if (at) ids.add(names.chunkJobId(runId, at.chunk, at.part));
    }
  }
  const jobs: FailedJob[] = [];
  for (const id of [...ids].sort()) {
    const job = await Job.fromId(deps.queues.score, id);
    if (!job || !(await job.isFailed())) {
      throw new InputError(
        `run '${runId}': failed chunk job ${id} is no longer in Redis (removed, or older than --keep); submit the run again`,
      );
    }
    jobs.push({ id, data: job.data as ChunkJobData, attempts: job.opts.attempts ?? DEFAULT_RETRY_ATTEMPTS });
  }
  return { jobs, aggregate: aggregate ?? undefined };
}

/**
 * Re-queues the failed chunks of a run that ended; the run is `running` again and
 * its aggregate runs when they end. InputError for a run that is unknown, not
 * ended, cancelled, or completed without failed chunks.
 */
export async function retryRun(deps: RunControlDeps, runId: string): Promise<RetryResult> {
  const meta = await deps.store.require(runId);
  const { spec, state } = meta;
  if (state === 'cancelled') throw new InputError(`run '${runId}' was cancelled: submit it again under a new run id`);
  if (state !== 'completed' && state !== 'failed') {
    throw new InputError(
      `run '${runId}' is ${state}: retry takes a run that ended with failed chunks (wait for it: pairscore status --watch ${runId})`,
    );
  }
  const { jobs, aggregate } = await failedChunkJobs(deps, runId, meta.result?.failedChunks ?? []);
  // A failed run is retried even without failed chunks: its aggregate is what failed.
  if (jobs.length === 0 && state === 'completed') {
    throw new InputError(`run '${runId}' completed with no failed chunks: nothing to retry`);
  }
  if (!(await deps.store.reopen(runId, [state], spec.keepSeconds))) {
    throw new InputError(`run '${runId}' changed state while being retried; look at it again: pairscore status ${runId}`);
  }
  const codec = rowCodecFor(spec);
  let rowsReset = 0;
  for (const j of jobs) {
    const { from, to } = chunkRange(spec, j.data.chunk, j.data.part);
    rowsReset += await deps.store.dropErrorRows(runId, from, to, codec);
  }
  await deps.store.forgetCrashes(
    runId,
    jobs.map((j) => j.id),
  );
  const { names } = deps.queues;
  // Same job ids as before: the old jobs must go first (their data is in `jobs`).
  if (aggregate) await deps.queues.aggregate.remove(aggregate.id!, { removeChildren: false });
  for (const j of jobs) await deps.queues.score.remove(j.id, { removeChildren: false });
  await deps.queues.flow.add({
    name: 'aggregate',
    queueName: names.aggregateQueue,
    data: { runId },
    opts: { jobId: names.aggregateJobId(runId), ...aggregateJobOptions(spec) },
    children: jobs.map((j) => ({
      name: 'chunk',
      queueName: names.scoreQueue,
      data: j.data,
      opts: { jobId: j.id, ...chunkJobOptions(spec, j.attempts) },
    })),
  });
  return { chunks: jobs.map((j) => j.id), rowsReset, from: state };
}
