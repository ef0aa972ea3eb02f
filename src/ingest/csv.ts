/**
 * CSV and TSV, one reader with two dialects, streamed through csv-parse.
 *
 * CSV (RFC 4180): `"` quotes fields, `""` is a literal quote, quoted fields may
 * hold commas, tabs and newlines. `relax_quotes` is on, so a stray quote
 * inside an unquoted field (`He said "hi"`) is kept literally, as Python's csv
 * module and pandas do. An unterminated quoted field cannot be recovered from
 * (it swallows the rest of the file) and is a file-level DatasetError naming
 * the line where that record starts and csv-parse's reason.
 *
 * TSV: no quoting at all (IANA text/tab-separated-values, pandas QUOTE_NONE):
 * every `"` is part of the text, which is what SICK/SNLI-style files need.
 * A field cannot contain a tab or a newline.
 *
 * Both: UTF-8 BOM stripped, LF and CRLF line ends (mixed too), blank lines
 * skipped (they are not data rows and get no index), a record whose field
 * count differs from the header's becomes a BadRow. Line numbers are counted
 * here (csv-parse's own count drifts after a quoted CRLF).
 *
 * Flow control: the parser runs in flowing mode and every record passes the
 * 'data' handler in order (so line numbers are exact even when the parser
 * fails); the file stream is paused while more than HIGH_WATER records wait.
 */
import fs from 'node:fs';
import { CsvError, parse } from 'csv-parse';
import type { ByteTap, DatasetSource, OpenReader, RawRecord, ResolvedColumns } from './types.js';
import { DatasetError } from './errors.js';

/** Parsed records held before the file stream is paused. */
const HIGH_WATER = 1024;
const READ_CHUNK = 64 * 1024;

export const openCsv: OpenReader = (file, tap) => openDelimited(file, ',', tap);
export const openTsv: OpenReader = (file, tap) => openDelimited(file, '\t', tap);

function openDelimited(file: string, delimiter: ',' | '\t', tap?: ByteTap): Promise<DatasetSource> {
  const tsv = delimiter === '\t';
  const parser = parse({
    delimiter,
    quote: tsv ? null : '"',
    record_delimiter: ['\r\n', '\n'],
    relax_quotes: true,
    relax_column_count: true,
    bom: true,
  });
  const input = fs.createReadStream(file, { highWaterMark: READ_CHUNK });

  let header: string[] | undefined;
  let headerLine = 0;
  /** 1-based line where the next record starts. */
  let nextLine = 1;
  let queue: string[][] = [];
  let queueLines: number[] = [];
  let done = false;
  let failure: DatasetError | undefined;
  let closed = false;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  parser.on('data', (fields: string[]) => {
    const line = nextLine;
    nextLine += 1 + newlines(fields);
    if (fields.length === 1 && fields[0] === '') return; // blank line
    if (header === undefined) {
      header = fields;
      headerLine = line;
    } else {
      queue.push(fields);
      queueLines.push(line);
      if (queue.length >= HIGH_WATER && !input.isPaused()) input.pause();
    }
    notify();
  });
  parser.on('end', () => {
    done = true;
    notify();
  });
  parser.on('error', (err) => {
    if (!closed) failure = toDatasetError(file, err, nextLine);
    done = true;
    input.destroy();
    notify();
  });
  input.on('data', (chunk) => {
    tap?.(chunk as Buffer);
    if (!closed && !done) parser.write(chunk);
  });
  input.on('end', () => parser.end());
  input.on('error', (err) => parser.destroy(err));

  const close = (): void => {
    if (closed) return;
    closed = true;
    queue = [];
    queueLines = [];
    input.destroy();
    parser.destroy();
  };

  const waitForData = (): Promise<void> => new Promise((resolve) => (wake = resolve));

  async function* records(cols: ResolvedColumns): AsyncGenerator<RawRecord[]> {
    const cols0 = header!;
    const width = cols0.length;
    const ip = cols0.indexOf(cols.premise);
    const ih = cols0.indexOf(cols.hypothesis);
    const il = cols.label === undefined ? -1 : cols0.indexOf(cols.label);
    const ii = cols.id === undefined ? -1 : cols0.indexOf(cols.id);
    try {
      for (;;) {
        if (queue.length > 0) {
          const batch = queue;
          const lines = queueLines;
          queue = [];
          queueLines = [];
          if (input.isPaused() && !done) input.resume();
          const out: RawRecord[] = new Array(batch.length);
          for (let k = 0; k < batch.length; k++) {
            const fields = batch[k]!;
            const line = lines[k]!;
            let rec: RawRecord;
            if (fields.length !== width) {
              rec = { line, problem: `expected ${width} fields but found ${fields.length}` };
              if (ii !== -1 && ii < fields.length) rec.id = fields[ii];
            } else {
              rec = { line, premise: fields[ip], hypothesis: fields[ih] };
              if (il !== -1) rec.label = fields[il];
              if (ii !== -1) rec.id = fields[ii];
            }
            out[k] = rec;
          }
          yield out;
          continue;
        }
        if (failure) throw failure;
        if (done) return;
        await waitForData();
      }
    } finally {
      close();
    }
  }

  return new Promise<DatasetSource>((resolve, reject) => {
    const settle = (): void => {
      if (header !== undefined) {
        resolve({ columns: header, headerLine, records, close });
      } else if (failure) {
        close();
        reject(failure);
      } else if (done) {
        close();
        reject(new DatasetError(file, 'file is empty (no header line)'));
      } else {
        wake = settle;
      }
    };
    settle();
  });
}

function newlines(fields: string[]): number {
  let n = 0;
  for (const f of fields) {
    for (let i = f.indexOf('\n'); i !== -1; i = f.indexOf('\n', i + 1)) n++;
  }
  return n;
}

function toDatasetError(file: string, err: unknown, line: number): DatasetError {
  if (err instanceof DatasetError) return err;
  const reason = err instanceof Error ? err.message : String(err);
  if (!(err instanceof CsvError)) {
    // fs error while streaming (EIO, …)
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    return new DatasetError(file, `read failed (${code ?? reason})`, { cause: err });
  }
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    return new DatasetError(file, `unterminated quoted field in the record starting on this line (${reason})`, {
      line,
      cause: err,
    });
  }
  if (err.code === 'CSV_MAX_RECORD_SIZE') {
    return new DatasetError(file, `record too large — an unclosed quote or the wrong delimiter? (${reason})`, {
      line,
      cause: err,
    });
  }
  return new DatasetError(file, `cannot parse the record starting on this line (${reason})`, { line, cause: err });
}
