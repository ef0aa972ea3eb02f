import { InputError } from '../errors.js';

/**
 * Groups a stream into arrays of `size` items (the last one may be shorter;
 * never empty). Pulls lazily: at most one chunk is held at a time.
 */
export async function* chunkRows<T>(rows: AsyncIterable<T>, size: number): AsyncGenerator<T[], void, undefined> {
  if (!Number.isInteger(size) || size < 1) {
    throw new InputError(`chunk size must be a positive integer, got ${String(size)}`);
  }
  let chunk: T[] = [];
  for await (const row of rows) {
    chunk.push(row);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
