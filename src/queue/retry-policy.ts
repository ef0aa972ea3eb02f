/**
 * Retry delays by cause, as a BullMQ custom backoff strategy (Worker
 * `settings.backoffStrategy`; chunk jobs carry `backoff: { type: 'custom' }`).
 *
 * - Infrastructure faults (Redis unreachable or refusing writes, timeouts, ONNX
 *   Runtime run errors, anything unknown): exponential from `baseMs`, doubling per
 *   attempt up to `maxMs`, with "equal jitter" — each delay is uniform in [d/2, d] —
 *   so a fault that lasts minutes does not use up a chunk's attempts in seconds, and
 *   the chunks of a whole run that failed together do not come back together.
 *   Defaults (config.ts): 8 attempts, 5 s base, 5 min cap: 7 delays of nominal
 *   5+10+20+40+80+160+300 s = 615 s, so a chunk keeps trying for 5–10 minutes.
 * - Host problems (HostError: this host's model, device or build): short delays
 *   (1 s doubling, at most 30 s), so another host takes the chunk soon.
 * Bad data and plan mismatches never get here: they are UnrecoverableError (job-errors.ts).
 */
import { HostError } from '../errors.js';

export interface RetryPolicy {
  /** Attempts per chunk job (set on the job at submit). */
  attempts: number;
  /** First delay of an infrastructure fault, ms. */
  baseMs: number;
  /** Largest single delay, ms. */
  maxMs: number;
}

/** Mirrors config.ts's default for library callers that pass no `attempts`. */
export const DEFAULT_RETRY_ATTEMPTS = 8;

export const HOST_RETRY = { baseMs: 1000, maxMs: 30000 } as const;

/** Delay before the retry that follows failure number `attemptsMade` (1 = the first failure). */
export function retryDelay(
  policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>,
  attemptsMade: number,
  err: unknown,
  random: () => number = Math.random,
): number {
  const { baseMs, maxMs } = err instanceof HostError || (err as Error | undefined)?.name === 'HostError' ? HOST_RETRY : policy;
  const nominal = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attemptsMade - 1, 40)));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}

/** The function BullMQ calls for `backoff: { type: 'custom' }` jobs. */
export function backoffStrategy(
  policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>,
): (attemptsMade: number, type?: string, err?: Error) => number {
  return (attemptsMade, _type, err) => retryDelay(policy, attemptsMade, err);
}

/** Chunk job options that select this policy. */
export function chunkRetryOptions(attempts: number): { attempts: number; backoff: { type: 'custom' } } {
  return { attempts, backoff: { type: 'custom' } };
}
