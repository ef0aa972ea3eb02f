/**
 * Dataset readers: CSV, TSV, JSONL and Parquet in, `IngestRow`s (PairRow or BadRow) out,
 * streamed in file order with constant memory.
 *
 * - scanDataset: one fast pass that validates the whole file (and finds bad
 *   quoting anywhere in it) before any work starts.
 * - readDataset: the rows, lazily.
 * - chunkRows: groups rows for chunk jobs.
 *
 * File-level problems (missing/empty/binary file, no data rows, unknown
 * columns, broken CSV quoting, unknown format) throw DatasetError, an
 * InputError whose message names the file and, where there is one, the line.
 * Row-level problems never throw: they become BadRows whose `error` ends with
 * `(line N)`. See csv.ts (quoting rules), jsonl.ts and validate.ts.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { IngestRow } from '../contracts.js';
import { isBadRow } from '../contracts.js';
import type { ColumnOptions, DatasetInfo } from './types.js';
import { datasetBatches, openDataset } from './dataset.js';

export type { ColumnOptions, DatasetFormat, DatasetInfo, ResolvedColumns } from './types.js';
export { DatasetError } from './errors.js';
export { COLUMN_NAMES, detectColumns, normalizeColumnName } from './columns.js';
export { DATASET_FORMATS } from './detect-format.js';
export { chunkRows } from './chunk.js';

/**
 * Streams the whole file once, fast, and fails with an InputError naming file, line and problem if it cannot be read at all.
 * With `sha256`, the bytes the reader streams are hashed on the way (so `submit` reads the file twice, not three
 * times); `sha256` is set only when every byte of the file went through the hash (not for Parquet, read by offset).
 */
export async function scanDataset(file: string, opts: ColumnOptions = {}, want: { sha256?: boolean } = {}): Promise<DatasetInfo> {
  const hash = want.sha256 ? createHash('sha256') : undefined;
  let hashed = 0;
  const tap = hash
    ? (bytes: Buffer) => {
        hash.update(bytes);
        hashed += bytes.length;
      }
    : undefined;
  const ds = await openDataset(file, opts, tap);
  let rows = 0;
  let badRows = 0;
  const labels = new Set<string>();
  for await (const batch of datasetBatches(ds)) {
    rows += batch.length;
    for (const row of batch) {
      if (isBadRow(row)) badRows++;
      if (row.gold !== undefined) labels.add(row.gold);
    }
  }
  const info: DatasetInfo = { file, format: ds.format, columns: ds.columns, rows, badRows, labels: [...labels].sort() };
  // A file that changed while it was read, or a reader that did not stream it, gives no hash.
  if (hash && hashed > 0 && hashed === (await fs.promises.stat(file)).size) info.sha256 = hash.digest('hex');
  return info;
}

/** Streams rows in file order as IngestRow (PairRow or BadRow), constant memory. */
export function readDataset(file: string, opts: ColumnOptions = {}): AsyncIterable<IngestRow> {
  return (async function* () {
    const ds = await openDataset(file, opts);
    for await (const batch of datasetBatches(ds)) yield* batch;
  })();
}
