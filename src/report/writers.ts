/**
 * Streaming row writers (JSONL and CSV; Parquet in parquet.ts) with backpressure: rows are written as
 * they are produced, so output size never turns into memory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { InputError } from '../errors.js';

export type OutputFormat = 'jsonl' | 'csv' | 'parquet';

export interface RowWriter<T> {
  write(row: T): Promise<void>;
  close(): Promise<void>;
}

export function outputFormatFor(file: string, explicit?: string): OutputFormat {
  const f = (explicit ?? path.extname(file).slice(1)).toLowerCase();
  if (f === 'jsonl' || f === 'ndjson' || f === 'json') return 'jsonl';
  if (f === 'csv') return 'csv';
  if (f === 'parquet' || f === 'pq') return 'parquet';
  throw new InputError(`cannot tell the output format of ${file}: use a .jsonl, .csv or .parquet name (or --format jsonl|csv|parquet)`);
}

/** `-` writes to stdout. */
export async function openOutput(file: string): Promise<NodeJS.WritableStream & { close?: () => void }> {
  if (file === '-') return process.stdout;
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const stream = fs.createWriteStream(file);
  await once(stream, 'open');
  return stream;
}

async function writeText(stream: NodeJS.WritableStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, 'drain');
}

async function finish(stream: NodeJS.WritableStream): Promise<void> {
  if (stream === process.stdout) return;
  const done = once(stream, 'finish');
  stream.end();
  await done;
}

/** One line per row, formatted by `line` (no trailing newline). */
export async function createLineWriter<T>(file: string, line: (row: T) => string, header?: string): Promise<RowWriter<T>> {
  const stream = await openOutput(file);
  if (header !== undefined) await writeText(stream, `${header}\n`);
  return {
    write: (row) => writeText(stream, `${line(row)}\n`),
    close: () => finish(stream),
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
