/**
 * Names the cause of a Redis failure, so a chunk's final reason says what went wrong
 * ("Redis refused writes: OOM …") instead of what the transport saw last
 * ("EXECABORT Transaction discarded because of previous errors").
 *
 * Classified by the reply's error code (the first word Redis sends) or by the
 * messages ioredis uses for a lost connection: there is no other signal to go by.
 */
import { RetryableError, WritesRefusedError } from '../errors.js';

/** Reply codes of a Redis that is up but will not write: the whole deployment is affected. */
const REFUSING_WRITES = /^(OOM|READONLY|MISCONF|NOREPLICAS|NOT_ENOUGH_REPLICAS)\b/;
/** Reply codes of a Redis that will answer soon. */
const TRANSIENT = /^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN)\b/;
/** ioredis and Node messages for a connection that is gone or slow. */
const UNREACHABLE =
  /Connection is closed|Stream isn't writeable|Command timed out|max retries per request|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|EAI_AGAIN|connect ETIMEDOUT|Socket closed unexpectedly/i;

/** A transaction aborted by EXEC carries the real errors of its queued commands. */
function rootMessage(err: Error): string {
  const previous = (err as Error & { previousErrors?: unknown }).previousErrors;
  if (err.message.startsWith('EXECABORT') && Array.isArray(previous)) {
    const first = previous.find((e): e is Error => e instanceof Error);
    if (first) return first.message;
  }
  return err.message;
}

/** "OOM command not allowed … 'maxmemory'. script: 3b5…, on @user_script:1." → the part before " script:". */
function firstSentence(message: string): string {
  return message.replace(/\s+script: .*$/s, '').trim();
}

/**
 * A RetryableError naming the cause of a Redis failure, or undefined when `err`
 * is not one (it is then classified by its own class, see job-errors.ts).
 */
export function classifyRedisError(err: unknown): RetryableError | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err instanceof WritesRefusedError) return err;
  const message = rootMessage(err);
  if (REFUSING_WRITES.test(message)) return new WritesRefusedError(`Redis refused writes: ${firstSentence(message)}`, { cause: err });
  if (TRANSIENT.test(message)) return new RetryableError(`Redis is not ready: ${firstSentence(message)}`, { cause: err });
  if (UNREACHABLE.test(message) || err.name === 'MaxRetriesPerRequestError') {
    return new RetryableError(`Redis unreachable: ${message}`, { cause: err });
  }
  return undefined;
}

/** Whether `err` (or what it names) is Redis refusing writes. */
export function isWritesRefused(err: unknown): boolean {
  return classifyRedisError(err) instanceof WritesRefusedError;
}
