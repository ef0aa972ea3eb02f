/**
 * JSON Lines: one JSON object per line (SNLI/MNLI `.jsonl`, Hugging Face
 * exports). Lines are split here (LF or CRLF, BOM stripped) in chunk-sized
 * batches to keep per-line overhead low; blank lines are skipped and get no
 * index. Columns are the keys of the first object.
 *
 * The first non-blank line decides whether this is JSONL at all: if it is not
 * valid JSON, or not an object, the file is rejected (DatasetError). After
 * that, a line that is not valid JSON or not an object is a BadRow.
 */
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import type { ByteTap, OpenReader, RawRecord, ResolvedColumns } from './types.js';
import { DatasetError, describeValue } from './errors.js';

/** A single line longer than this is treated as a broken file, not buffered forever. */
export const MAX_LINE_CHARS = 64 * 1024 * 1024;

interface Line {
  text: string;
  line: number;
}

export const openJsonl: OpenReader = async (file, tap) => {
  const input = fs.createReadStream(file, { highWaterMark: 64 * 1024 });
  const batches = lineBatches(file, decoded(input, tap))[Symbol.asyncIterator]();
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    input.destroy();
    batches.return?.(undefined).catch(() => undefined);
  };

  // Find the first record; it must be a JSON object.
  let pending: Line[] = [];
  let first: Line | undefined;
  try {
    while (first === undefined) {
      const b = await batches.next();
      if (b.done) break;
      const k = b.value.findIndex((l) => !isBlank(l.text));
      if (k !== -1) {
        first = b.value[k];
        pending = b.value.slice(k + 1);
      }
    }
  } catch (err) {
    close();
    throw err;
  }
  if (first === undefined) {
    close();
    throw new DatasetError(file, 'file is empty (no JSON records)');
  }
  let firstValue: unknown;
  try {
    firstValue = JSON.parse(first.text);
  } catch (err) {
    close();
    throw new DatasetError(
      file,
      `not JSON Lines: the first record is not valid JSON (${(err as Error).message}); expected one JSON object per line`,
      { line: first.line, cause: err },
    );
  }
  if (!isObject(firstValue)) {
    close();
    throw new DatasetError(file, `not JSON Lines: the first record is ${describeValue(firstValue)}, expected one JSON object per line`, {
      line: first.line,
    });
  }
  const firstLine = first;
  const firstObject = firstValue;

  async function* records(cols: ResolvedColumns): AsyncGenerator<RawRecord[]> {
    const project = (obj: Record<string, unknown>, line: number): RawRecord => {
      const rec: RawRecord = { line, premise: obj[cols.premise], hypothesis: obj[cols.hypothesis] };
      if (cols.label !== undefined) rec.label = obj[cols.label];
      if (cols.id !== undefined) rec.id = obj[cols.id];
      return rec;
    };
    const convert = (lines: Line[], out: RawRecord[]): RawRecord[] => {
      for (const l of lines) {
        if (isBlank(l.text)) continue;
        let value: unknown;
        try {
          value = JSON.parse(l.text);
        } catch (err) {
          out.push({ line: l.line, problem: `not valid JSON (${(err as Error).message})` });
          continue;
        }
        if (isObject(value)) out.push(project(value, l.line));
        else out.push({ line: l.line, problem: `not a JSON object (found ${describeValue(value)})` });
      }
      return out;
    };
    try {
      let out = convert(pending, [project(firstObject, firstLine.line)]);
      pending = [];
      for (;;) {
        if (out.length > 0) yield out;
        const b = await batches.next();
        if (b.done) return;
        out = convert(b.value, []);
      }
    } finally {
      close();
    }
  }

  return { columns: Object.keys(firstObject), headerLine: firstLine.line, records, close };
};

/** The stream's bytes, shown to `tap`, as UTF-8 text (a StringDecoder, as `encoding: 'utf8'` would use). */
async function* decoded(input: AsyncIterable<Buffer>, tap: ByteTap | undefined): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const bytes of input) {
    tap?.(bytes);
    yield decoder.write(bytes);
  }
  const rest = decoder.end();
  if (rest) yield rest;
}

/** Lines of a UTF-8 text stream, batched per chunk, with 1-based line numbers. */
async function* lineBatches(file: string, input: AsyncIterable<string | Buffer>): AsyncGenerator<Line[]> {
  let rest = '';
  let lineNo = 0;
  let start = true;
  try {
    for await (const chunk of input) {
      let text = rest + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
      if (start) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        start = false;
      }
      const out: Line[] = [];
      let from = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
        const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        out.push({ text: text.slice(from, end), line: ++lineNo });
        from = nl + 1;
      }
      rest = text.slice(from);
      if (rest.length > MAX_LINE_CHARS) {
        throw new DatasetError(file, `line longer than ${MAX_LINE_CHARS} characters; is this really JSON Lines?`, {
          line: lineNo + 1,
        });
      }
      if (out.length > 0) yield out;
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    throw new DatasetError(file, `read failed (${code ?? String(err)})`, { cause: err });
  }
  if (rest.length > 0) {
    const text = rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest;
    yield [{ text, line: ++lineNo }];
  }
}

function isBlank(text: string): boolean {
  return text.length === 0 || !/\S/.test(text);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
