/**
 * Error types decide what happens next, so every stage throws one of these and
 * callers branch on the class, never on message text.
 * - InputError: the data or the user's arguments are wrong. Retrying cannot help;
 *   the CLI exits with code 2 and a queue job fails without retry.
 * - ModelError: the model files or a head do not fit together (missing outputs,
 *   sha256 mismatch, wrong input size). Also final.
 * - RetryableError: infrastructure hiccups (Redis gone, worker thread died, an
 *   ONNX Runtime run failing); HostError: a problem of one worker host.
 * - RunFailedError: a run ended without a result for every row (failed chunks, lost
 *   rows, cancelled, failed aggregate); the CLI exits 1.
 * - TimeoutError: a waiting command gave up (`--timeout`); exit 1.
 * - InterruptedError: SIGINT/SIGTERM stopped a command; exit 128 + signal (130 for Ctrl-C).
 *
 * Exit codes, for every command: 0 done; 1 a run that did not give every row, a
 * timeout, or an unexpected failure; 2 bad input, bad flags or a model/head that
 * does not fit; 130 interrupted (143 on SIGTERM).
 */
export class PairscoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InputError extends PairscoreError {}
export class ModelError extends PairscoreError {}
export class RetryableError extends PairscoreError {}
/**
 * A problem of one host, not of the run (its model missing or different, its
 * device failing, a build that cannot run the plan): retried, so another
 * host can take the job, a bounded number of times.
 */
export class HostError extends RetryableError {}
/**
 * Redis refused a write (OOM above maxmemory, READONLY replica, MISCONF): an outage of the
 * whole deployment, not of one job, so a worker that sees it pauses taking jobs (queue/write-guard.ts).
 */
export class WritesRefusedError extends RetryableError {}
export class RunFailedError extends PairscoreError {}
export class TimeoutError extends PairscoreError {}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export class InterruptedError extends PairscoreError {
  constructor(
    readonly signal: NodeJS.Signals,
    message = `interrupted by ${signal}`,
  ) {
    super(message);
  }
}

/** Exit code a CLI command should end with for an error thrown by a stage. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof InputError || err instanceof ModelError) return 2;
  if (err instanceof InterruptedError) return 128 + (SIGNAL_NUMBERS[err.signal] ?? 2);
  return 1;
}

/** Lists at most `n` names, then how many more: keeps messages about 1,000-column groups short. */
export function fewNames(names: readonly string[], n = 5): string {
  return names.length <= n ? names.join(', ') : `${names.slice(0, n).join(', ')} and ${names.length - n} more`;
}
