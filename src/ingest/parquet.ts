/**
 * Parquet input (hyparquet, pure JS). The footer is read first: the top-level
 * schema fields are the columns (detected like a CSV header), and then rows are
 * read one row group at a time, only the columns needed, so memory is one row
 * group of those columns, never the file.
 *
 * Values: BYTE_ARRAY/UTF8 come as strings; INT64 values (bigint) are turned into
 * numbers so a numeric id or label column behaves as it does in JSONL. Parquet
 * has no lines: the `line` of a record (used in row error messages) is its
 * 1-based row number. Pages may be uncompressed or compressed with Snappy (pandas/pyarrow's
 * and pairscore's default), ZSTD (Polars' default), GZIP, Brotli, LZ4 or LZ4_RAW, through
 * hyparquet-compressors (pure JS, with a small wasm Snappy); LZO, which no current writer
 * produces, is a file-level DatasetError.
 */
import type { AsyncBuffer, FileMetaData } from 'hyparquet';

/** Loaded on the first Parquet file: most runs read CSV/TSV/JSONL and need not carry it. */
const hyparquet = () => import('hyparquet');
const compressors = async () => (await import('hyparquet-compressors')).compressors;
import type { OpenReader, RawRecord, ResolvedColumns } from './types.js';
import { DatasetError } from './errors.js';

export interface ParquetFile {
  file: string;
  buffer: AsyncBuffer;
  metadata: FileMetaData;
  /** Top-level column names, in schema order. */
  columns: string[];
  rows: number;
  /** Footer key-value metadata. */
  keyValues: Record<string, string>;
}

/** Reads the footer; throws DatasetError when the file is not Parquet. */
export async function openParquetFile(file: string): Promise<ParquetFile> {
  const { asyncBufferFromFile, parquetMetadataAsync } = await hyparquet();
  let buffer: AsyncBuffer;
  let metadata: FileMetaData;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (err) {
    throw new DatasetError(file, `not a readable Parquet file (${(err as Error).message})`, { cause: err });
  }
  const columns: string[] = [];
  // schema[0] is the root; walk its direct children, skipping each child's subtree.
  const schema = metadata.schema;
  let i = 1;
  const skip = (at: number): number => {
    let next = at + 1;
    for (let c = 0; c < (schema[at]!.num_children ?? 0); c++) next = skip(next);
    return next;
  };
  while (i < schema.length) {
    columns.push(schema[i]!.name);
    i = skip(i);
  }
  const keyValues: Record<string, string> = {};
  for (const kv of metadata.key_value_metadata ?? []) if (kv.value !== undefined) keyValues[kv.key] = kv.value;
  return { file, buffer, metadata, columns, rows: Number(metadata.num_rows), keyValues };
}

/**
 * Rows of `columns`, one row group at a time, as objects. Values as hyparquet
 * decodes them, with bigint turned into number.
 */
export async function* parquetRowGroups(pf: ParquetFile, columns: readonly string[]): AsyncGenerator<Array<Record<string, unknown>>> {
  const { parquetReadObjects } = await hyparquet();
  const codecs = await compressors();
  let start = 0;
  for (const group of pf.metadata.row_groups) {
    const n = Number(group.num_rows);
    if (n === 0) continue;
    let rows: Array<Record<string, unknown>>;
    try {
      rows = (await parquetReadObjects({
        file: pf.buffer,
        metadata: pf.metadata,
        columns: [...columns],
        rowStart: start,
        rowEnd: start + n,
        compressors: codecs,
      })) as Array<Record<string, unknown>>;
    } catch (err) {
      const msg = (err as Error).message;
      const hint = /compress|codec/i.test(msg)
        ? ' — pairscore reads uncompressed, Snappy, ZSTD, GZIP, Brotli, LZ4 and LZ4_RAW Parquet; re-save the file with compression="snappy"'
        : '';
      throw new DatasetError(pf.file, `cannot read rows ${start}–${start + n - 1} (${msg})${hint}`, { cause: err });
    }
    for (const row of rows) for (const k of Object.keys(row)) if (typeof row[k] === 'bigint') row[k] = Number(row[k]);
    yield rows;
    start += n;
  }
}

export const openParquet: OpenReader = async (file) => {
  const pf = await openParquetFile(file);
  let closed = false;
  return {
    columns: pf.columns,
    headerLine: undefined,
    records(cols: ResolvedColumns): AsyncIterable<RawRecord[]> {
      const wanted = [cols.premise, cols.hypothesis, ...(cols.label ? [cols.label] : []), ...(cols.id ? [cols.id] : [])];
      return (async function* () {
        let rowNo = 0;
        for await (const rows of parquetRowGroups(pf, wanted)) {
          if (closed) return;
          const out: RawRecord[] = new Array(rows.length);
          for (let k = 0; k < rows.length; k++) {
            const r = rows[k]!;
            // Every column exists in every row: a missing value is a null.
            const rec: RawRecord = { line: ++rowNo, premise: r[cols.premise] ?? null, hypothesis: r[cols.hypothesis] ?? null };
            if (cols.label !== undefined) rec.label = r[cols.label];
            if (cols.id !== undefined) rec.id = r[cols.id];
            out[k] = rec;
          }
          yield out;
        }
      })();
    },
    close() {
      closed = true;
    },
  };
};
