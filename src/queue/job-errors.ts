/**
 * What BullMQ should do with an error, decided by its class in one place for
 * chunk and aggregate jobs alike (see errors.ts for the classes).
 */
import { UnrecoverableError } from 'bullmq';
import { ZodError } from 'zod';
import { HostError, InputError, ModelError, RetryableError } from '../errors.js';
import { classifyRedisError } from './redis-faults.js';

/**
 * Maps an error to what BullMQ should do with it, class by class:
 * - InputError (bad data), ModelError (the run does not fit its model; the plan
 *   was checked at submit), ZodError (a payload or spec that does not parse) and
 *   SyntaxError (stored JSON that does not parse): final, UnrecoverableError —
 *   retrying gives the same answer;
 * - HostError (this host's model, device or build): retried so another host can
 *   take the job, the reason naming this host;
 * - Redis errors: retried, the reason naming the cause (redis-faults.ts): "Redis refused
 *   writes: OOM …" for an aborted transaction or script, "Redis unreachable: …";
 * - RetryableError and anything unknown (ONNX Runtime, a dead thread): retried.
 * Retry delays depend on the cause too (retry-policy.ts).
 */
export function toJobError(err: unknown, host: string): Error {
  if (err instanceof UnrecoverableError) return err;
  if (err instanceof InputError || err instanceof ModelError) return new UnrecoverableError(err.message);
  if (err instanceof ZodError) {
    return new UnrecoverableError(`invalid data: ${err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  if (err instanceof SyntaxError) return new UnrecoverableError(`corrupt data: ${err.message}`);
  if (err instanceof HostError) return new HostError(`on ${host}: ${err.message}`, { cause: err });
  if (err instanceof RetryableError) return err;
  const redis = classifyRedisError(err);
  if (redis) return redis;
  return err instanceof Error ? err : new Error(String(err));
}
