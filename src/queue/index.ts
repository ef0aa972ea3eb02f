/**
 * Distributed mode on BullMQ + Redis, as a typed library API; the CLI
 * commands `submit`, `worker`, `status`, `results`, `cancel`, `pause`, `resume` and `retry` are thin
 * calls into these.
 */
import type { ResultRow } from '../contracts.js';
import { RunClient, type RunStatus } from './client.js';
import type { QueueTarget } from './producer.js';

export { submitRun, newRunId, type SubmitOptions, type SubmitResult, type QueueTarget } from './producer.js';
export { startWorker, type WorkerOptions, type WorkerHandle } from './worker.js';
export { RunClient, isFinal, type RunStatus, type WorkerSeen } from './client.js';
export type { RunResult } from './run-store.js';
export type { RetryResult } from './retry-run.js';
export { redactUrl, type RedisSettings } from './redis.js';

/** Waits until the run ends, through Redis outages, up to `timeoutMs`; `onStatus` sees every poll (for progress bars). */
export async function waitForRun(
  target: QueueTarget,
  runId: string,
  opts: { intervalMs?: number; timeoutMs?: number; onStatus?: (s: RunStatus) => void; signal?: AbortSignal } = {},
): Promise<RunStatus> {
  const client = await RunClient.open(target, { waitThroughOutages: true });
  try {
    return await client.wait(runId, opts);
  } finally {
    await client.close();
  }
}

export async function getRunStatus(target: QueueTarget, runId: string): Promise<RunStatus> {
  const client = await RunClient.open(target);
  try {
    return await client.status(runId);
  } finally {
    await client.close();
  }
}

/** Every input row once, in input order: ScoreRows of a score run, ExtractRows of an extract run. */
export async function* readResults(target: QueueTarget, runId: string, opts: { partial?: boolean } = {}): AsyncGenerator<ResultRow> {
  const client = await RunClient.open(target);
  try {
    yield* client.results(runId, opts);
  } finally {
    await client.close();
  }
}

export async function cancelRun(target: QueueTarget, runId: string): Promise<{ removed: boolean; state: string }> {
  const client = await RunClient.open(target);
  try {
    return await client.cancel(runId);
  } finally {
    await client.close();
  }
}
