/**
 * Streaming row writers (JSONL and CSV; Parquet in parquet.ts) with backpressure: rows are written as
 * they are produced, so output size never turns into memory. Files are whole or absent
 * (atomic-file.ts): rows go to a temp file beside --out, renamed by `close()`; `abort()` removes it.
 */
import path from 'node:path';
import { once } from 'node:events';
import { InputError, InterruptedError } from '../errors.js';
import { openAtomicStream } from './atomic-file.js';

export type OutputFormat = 'jsonl' | 'csv' | 'parquet';

export interface RowWriter<T> {
  write(row: T): Promise<void>;
  /** The rows of one chunk, in order: one write (and at most one wait for drain) instead of one per row. */
  writeMany(rows: readonly T[]): Promise<void>;
  /** Completes the output: flushes and renames the temp file to the final name. */
  close(): Promise<void>;
  /** Gives up: removes the temp file, so nothing appears under the final name. Safe after a failed write. */
  abort(): Promise<void>;
  /** The temp file being written (undefined for stdout), for messages. */
  readonly tempFile: string | undefined;
}

export function outputFormatFor(file: string, explicit?: string): OutputFormat {
  const f = (explicit ?? path.extname(file).slice(1)).toLowerCase();
  if (f === 'jsonl' || f === 'ndjson' || f === 'json') return 'jsonl';
  if (f === 'csv') return 'csv';
  if (f === 'parquet' || f === 'pq') return 'parquet';
  throw new InputError(`cannot tell the output format of ${file}: use a .jsonl, .csv or .parquet name (or --format jsonl|csv|parquet)`);
}

interface TextOutput {
  stream: NodeJS.WritableStream;
  close(): Promise<void>;
  abort(): Promise<void>;
  tempFile: string | undefined;
}

/** `-` writes to stdout (no temp file: a pipe cannot be taken back); anything else through a temp file. */
async function openOutput(file: string): Promise<TextOutput> {
  if (file === '-') return { stream: process.stdout, close: async () => undefined, abort: async () => undefined, tempFile: undefined };
  const a = await openAtomicStream(file);
  return { stream: a.stream, close: () => a.close(), abort: () => a.abort(), tempFile: a.tmp };
}

async function writeText(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

/** One line per row, formatted by `line` (no trailing newline). */
export async function createLineWriter<T>(file: string, line: (row: T) => string, header?: string): Promise<RowWriter<T>> {
  const out = await openOutput(file);
  try {
    if (header !== undefined) await writeText(out.stream, `${header}\n`);
  } catch (err) {
    await out.abort();
    throw err;
  }
  return {
    write: (row) => writeText(out.stream, `${line(row)}\n`),
    writeMany: (rows) => {
      if (rows.length === 0) return Promise.resolve();
      let text = '';
      for (const row of rows) text += `${line(row)}\n`;
      return writeText(out.stream, text);
    },
    close: () => out.close(),
    abort: () => out.abort(),
    tempFile: out.tempFile,
  };
}

export function createJsonlWriter<T>(file: string): Promise<RowWriter<T>> {
  return createLineWriter<T>(file, (row) => JSON.stringify(row));
}

/** RFC 4180 quoting: only when needed. */
export function csvField(v: unknown): string {
  if (v === undefined || v === null) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV writer with a fixed header; `toRecord` maps a row to values for those columns. */
export function createCsvWriter<T>(
  file: string,
  columns: readonly string[],
  toRecord: (row: T) => Record<string, unknown>,
): Promise<RowWriter<T>> {
  return createLineWriter<T>(
    file,
    (row) => {
      const rec = toRecord(row);
      return columns.map((c) => csvField(rec[c])).join(',');
    },
    columns.map(csvField).join(','),
  );
}

/**
 * Runs `fill` (which writes rows to `writer`) and completes the file; when
 * `fill` throws, the temp file is removed instead, so `out` is whole or absent,
 * and the error goes on. An interruption comes back saying what was removed.
 */
export async function fillWhole<T, R>(writer: RowWriter<T>, out: string, fill: () => Promise<R>): Promise<R> {
  let result: R;
  try {
    result = await fill();
  } catch (err) {
    await writer.abort();
    if (err instanceof InterruptedError) {
      const what =
        writer.tempFile !== undefined
          ? `removed the partial ${writer.tempFile}; ${out} was not written`
          : 'the rows written to stdout are incomplete';
      throw new InterruptedError(err.signal, `interrupted by ${err.signal}: ${what}`);
    }
    throw err;
  }
  await writer.close();
  return result;
}
