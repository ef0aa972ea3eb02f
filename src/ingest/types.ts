/**
 * Types shared by the dataset readers. The public ones are re-exported from
 * `./index.ts`; `RawRecord` and `DatasetSource` are the narrow interface every
 * format reader (csv.ts, jsonl.ts, parquet.ts) implements.
 */

/** Input formats pairscore reads. Adding one = a reader file + an entry in readers.ts. */
export type DatasetFormat = 'csv' | 'tsv' | 'jsonl' | 'parquet';

/** User overrides (`--premise-col` etc.); every field optional. */
export interface ColumnOptions {
  premiseCol?: string;
  hypothesisCol?: string;
  labelCol?: string;
  idCol?: string;
  format?: DatasetFormat;
}

/** Column names as spelled in the file. */
export interface ResolvedColumns {
  premise: string;
  hypothesis: string;
  label?: string;
  id?: string;
}

export interface DatasetInfo {
  file: string;
  format: DatasetFormat;
  columns: ResolvedColumns;
  /** Data rows in the file (header excluded), bad rows included. */
  rows: number;
  /** How many of `rows` are BadRows. */
  badRows: number;
  /** Distinct gold labels seen, sorted. */
  labels: string[];
  /** sha256 (hex) of the file, when asked for and computed while scanning (see scanDataset). */
  sha256?: string;
}

/**
 * One data record as a reader saw it, projected onto the resolved columns.
 * Values are unvalidated: strings from CSV/TSV, any JSON value from JSONL
 * (`undefined` = field absent). `problem` is set when the reader itself could
 * not make sense of the record (wrong field count, invalid JSON, not an object).
 */
export interface RawRecord {
  /** 1-based physical line where the record starts (Parquet: 1-based row number). */
  line: number;
  premise?: unknown;
  hypothesis?: unknown;
  label?: unknown;
  id?: unknown;
  problem?: string;
}

/** An opened dataset file: its column names, then its records in file order. */
export interface DatasetSource {
  /** Column names in file order (CSV/TSV header, or the keys of the first JSONL object). */
  readonly columns: readonly string[];
  /** Line the column names were taken from (for error messages); undefined for Parquet (no lines). */
  readonly headerLine: number | undefined;
  /**
   * Records after the header, projected onto `cols`, in file order, in batches
   * (whatever one read of the file produced; never empty). Call at most once.
   */
  records(cols: ResolvedColumns): AsyncIterable<RawRecord[]>;
  /** Releases the file; safe to call more than once and after the records end. */
  close(): void;
}

/** Sees every byte a streaming reader reads, in order (scanDataset hashes the file with it). */
export type ByteTap = (bytes: Buffer) => void;

/**
 * Opens one format. Throws DatasetError for file-level problems found while opening.
 * A reader that streams the file passes each chunk it reads to `tap`; one that reads
 * by offset (Parquet) ignores it.
 */
export type OpenReader = (file: string, tap?: ByteTap) => Promise<DatasetSource>;
