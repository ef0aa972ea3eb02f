/**
 * TEST ONLY. Makes the first `failures` attempts of every aggregate job throw a
 * retryable error before they read anything, as a Redis hiccup during
 * aggregation would, so tests can prove that an aggregate that fails once is
 * retried and the run still completes (test/queue.createAggregateProcessor.redis.test.ts).
 * Active only when PAIRSCORE_TEST_AGGREGATE_FAILURES (config.ts) or the worker
 * option `testAggregateFailures` is set; never set it in production.
 */
import { RetryableError } from '../errors.js';

export function failAggregateIfAsked(attemptsMade: number, failures: number | undefined): void {
  if (!failures || attemptsMade >= failures) return;
  throw new RetryableError(
    `TEST ONLY: aggregate attempt ${attemptsMade + 1} of ${failures} made to fail (PAIRSCORE_TEST_AGGREGATE_FAILURES)`,
  );
}
