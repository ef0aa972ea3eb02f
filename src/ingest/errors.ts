/**
 * File-level ingest failures. A DatasetError is an InputError (the CLI exits
 * with code 2, a queue job fails without retry) that also carries where the
 * problem is, and always names the file — and the line when there is one — in
 * its message: `data.csv, line 7: unterminated quoted field ...`.
 */
import { InputError } from '../errors.js';

export class DatasetError extends InputError {
  readonly file: string;
  readonly line: number | undefined;
  /** The message without the location prefix. */
  readonly problem: string;

  constructor(file: string, problem: string, options: { line?: number; cause?: unknown } = {}) {
    const where = options.line === undefined ? file : `${file}, line ${options.line}`;
    super(`${where}: ${problem}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.file = file;
    this.line = options.line;
    this.problem = problem;
  }
}

/** `a number`, `null`, `an object`, `an array` … for "expected a string" messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'object':
      return 'an object';
    case 'undefined':
      return 'missing';
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    default:
      return `a ${typeof value}`;
  }
}
