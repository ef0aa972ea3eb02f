/**
 * Error types decide what happens next, so every stage throws one of these and
 * callers branch on the class, never on message text.
 * - InputError: the data or the user's arguments are wrong. Retrying cannot help;
 *   the CLI exits with code 2 and a queue job fails without retry.
 * - ModelError: the model files or a head do not fit together (missing outputs,
 *   sha256 mismatch, wrong input size). Also final.
 * - RetryableError: infrastructure hiccups (Redis gone, worker thread died).
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

/** Exit code a CLI command should end with for an error thrown by a stage. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof InputError || err instanceof ModelError) return 2;
  return 1;
}
