/**
 * Drives a dataset through a chunk function and into a row sink, in input
 * order. Two chunks are in flight at once so that reading, tokenizing and
 * featurizing chunk k+1 on this thread overlaps inference of chunk k on the
 * embedder's worker threads. An aborted `signal` stops it between chunks (the
 * signal's reason is thrown: an InterruptedError from the CLI).
 */
import { chunkRows, readDataset, type ColumnOptions } from '../ingest/index.js';
import type { IngestRow } from '../contracts.js';

export interface DriveOptions {
  input: string;
  columns: ColumnOptions;
  chunkSize: number;
  onProgress?: (rowsDone: number) => void;
  signal?: AbortSignal;
}

export async function driveDataset<T>(
  opts: DriveOptions,
  processChunk: (rows: IngestRow[]) => Promise<T[]>,
  /** Receives each chunk's rows, in order, once (not once per row: no promise tick per row). */
  sink: (rows: T[]) => Promise<void>,
): Promise<number> {
  const inFlight: Array<Promise<T[]>> = [];
  let done = 0;
  const drainOne = async () => {
    const rows = await inFlight.shift()!;
    opts.signal?.throwIfAborted();
    await sink(rows);
    done += rows.length;
    opts.onProgress?.(done);
  };
  try {
    opts.signal?.throwIfAborted();
    for await (const chunk of chunkRows(readDataset(opts.input, opts.columns), opts.chunkSize)) {
      opts.signal?.throwIfAborted();
      const p = processChunk(chunk);
      p.catch(() => undefined); // awaited in order by drainOne
      inFlight.push(p);
      if (inFlight.length >= 2) await drainOne();
    }
    while (inFlight.length > 0) await drainOne();
  } finally {
    // On failure, let the other chunk settle so no rejection goes unhandled.
    await Promise.allSettled(inFlight);
  }
  return done;
}
