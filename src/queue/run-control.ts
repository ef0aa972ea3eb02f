/**
 * Control of one run after `submit`: `pause` and `resume` (`retry` is in retry-run.ts).
 *
 * Pause is a run state, not a BullMQ queue pause (that would stop every run). A
 * worker that takes a chunk of a paused run parks it: records it in the run's
 * `parked` hash, moves it to the delayed set for PARK_MS without using an attempt
 * (chunk-processor.ts) and takes the next job, so other runs keep flowing and active
 * chunks of the paused run finish (their rows stay). Rows are keyed by index, so no
 * path here can write a row twice.
 *
 * `resume` sets the state back and promotes the chunks in the `parked` hash, and only
 * those: a chunk of the run waiting out a retry delay after a fault keeps waiting. A
 * chunk parked on a worker's stale view of the state (at most STATE_REFRESH_MS old)
 * after `resume` swept is no gap either: the worker reads the state again right after
 * parking and promotes the chunk itself when the run is no longer paused. Either the
 * sweep sees the chunk delayed, or that read sees the state `resume` set. So PARK_MS is
 * a long safety net (a `resume` killed before its sweep; running `resume` again sweeps),
 * and a long pause costs one park per chunk, not one a minute.
 */
import { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunState } from '../contracts.js';
import { InputError } from '../errors.js';
import type { Queues } from './bull.js';
import type { RunStore } from './run-store.js';

/** How long a parked chunk waits before a worker looks at it again, if nothing promotes it sooner. */
export const PARK_MS = 15 * 60000;

export interface RunControlDeps {
  redis: Redis;
  store: RunStore;
  queues: Queues;
}

/**
 * What the `parked` hash holds for a chunk: the attempts it had made, and until when it is
 * parked. A chunk that failed after being parked has made more attempts: its delay is a
 * retry's, which `resume` must leave alone. The time keeps each park's mark distinct.
 */
export function parkMark(attemptsMade: number, until: number): string {
  return `${attemptsMade}:${until}`;
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

/** Promotes the run's parked chunks (not those in a retry delay); returns how many. */
async function promoteParked(deps: RunControlDeps, runId: string): Promise<number> {
  const parked = await deps.store.parkedOf(runId);
  let promoted = 0;
  for (const [id, mark] of Object.entries(parked)) {
    const job = await Job.fromId(deps.queues.score, id);
    // Attempts made since the park: the chunk failed and waits out a retry delay, not the pause.
    if (!job || mark.split(':')[0] !== String(job.attemptsMade)) continue;
    // Taken, removed or promoted since the read: BullMQ refuses, nothing to do.
    if (
      await job.promote().then(
        () => true,
        () => false,
      )
    )
      promoted++;
  }
  await deps.store.forgetParked(runId, parked);
  return promoted;
}

/**
 * Resumes a paused run and promotes its parked chunks; returns how many. On a queued or
 * running run that still has parked chunks (a `resume` killed before its sweep) it promotes
 * them (`already`). InputError when the run is not paused and has none.
 */
export async function resumeRun(deps: RunControlDeps, runId: string): Promise<{ promoted: number; already?: boolean }> {
  const meta = await deps.store.require(runId);
  const to: RunState = meta.startedAt !== undefined ? 'running' : 'queued';
  if (await deps.store.setStateIf(runId, to, ['paused'])) return { promoted: await promoteParked(deps, runId) };
  const now = (await deps.store.require(runId)).state;
  if (IN_FLIGHT.includes(now)) {
    const promoted = await promoteParked(deps, runId);
    if (promoted > 0) return { promoted, already: true };
  }
  throw new InputError(`run '${runId}' is ${now}, not paused`);
}
