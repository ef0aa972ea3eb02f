/**
 * BullMQ options of a run's jobs, in one place: `submit` adds them, `retry`
 * (run-control.ts) adds failed chunks again with the same ones.
 */
import type { RunSpec } from '../contracts.js';
import { chunkRetryOptions } from './retry-policy.js';
import { bullPriority } from './priority.js';

/** A chunk job's options besides its id and parent. */
export function chunkJobOptions(spec: Pick<RunSpec, 'keepSeconds' | 'priority'>, attempts: number) {
  return {
    // A chunk that fails for good is recorded on the parent, which still runs.
    ignoreDependencyOnFailure: true,
    // Delays by cause, computed by the worker (retry-policy.ts): minutes for infrastructure faults.
    ...chunkRetryOptions(attempts),
    priority: bullPriority(spec.priority),
    removeOnComplete: true,
    removeOnFail: { age: spec.keepSeconds },
  };
}

/** The aggregate (flow parent) job's options besides its id. */
export function aggregateJobOptions(spec: Pick<RunSpec, 'keepSeconds'>) {
  return { attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: true, removeOnFail: { age: spec.keepSeconds } };
}
