/**
 * Streaming Parquet row writer on hyparquet-writer.
 *
 * hyparquet-writer's `ParquetWriter` is incremental: each `write({ columnData })`
 * call encodes one or more row groups and then calls the byte writer's `flush()`,
 * awaiting it when it returns a promise; `finish()` writes the footer. So rows are
 * buffered here only until a row group is full (ROW_GROUP_BYTES of values, at most
 * MAX_GROUP_ROWS rows), encoded, and handed to a byte writer whose `flush()`
 * appends the encoded bytes to the file and empties its buffer. Memory is one row
 * group plus the footer metadata (a few hundred bytes per column chunk), whatever
 * the number of rows.
 *
 * Column kinds map to Parquet types as Arrow/pandas write them: `int32` → INT32,
 * `string` → BYTE_ARRAY UTF8, `float` → FLOAT, `floats`/`ints` → a standard
 * three-level LIST of FLOAT / INT32. Every column is OPTIONAL (error rows have no
 * vector or features). Key-value metadata (e.g. the extract sidecar) goes in the footer.
 *
 * The file is written under a temp name and renamed after the footer (atomic-file.ts):
 * a Parquet file without its footer is unreadable, so it must never carry the final name.
 */
import fs from 'node:fs';
import { ByteWriter, ParquetWriter, type SchemaElement } from 'hyparquet-writer';
import { createAtomicFile } from './atomic-file.js';
import type { RowWriter } from './writers.js';

export type ParquetColumnKind = 'int32' | 'string' | 'float' | 'double' | 'floats' | 'ints';

export interface ParquetColumn {
  name: string;
  kind: ParquetColumnKind;
  /** Values per row, for the row-group size estimate (lists). */
  width?: number;
}

/** Target bytes of values per row group (before encoding). */
export const ROW_GROUP_BYTES = 16 * 1024 * 1024;
export const MAX_GROUP_ROWS = 10_000;

/** Rows per row group for these columns. */
export function rowGroupRows(columns: readonly ParquetColumn[]): number {
  const bytes = columns.reduce(
    (s, c) => s + (c.kind === 'floats' || c.kind === 'ints' ? 4 * (c.width ?? 16) : c.kind === 'string' ? 16 : 8),
    0,
  );
  return Math.max(256, Math.min(MAX_GROUP_ROWS, Math.floor(ROW_GROUP_BYTES / Math.max(1, bytes))));
}

function schemaFor(columns: readonly ParquetColumn[]): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: 'root', num_children: columns.length }];
  for (const c of columns) {
    switch (c.kind) {
      case 'int32':
        schema.push({ name: c.name, type: 'INT32', repetition_type: 'OPTIONAL' });
        break;
      case 'string':
        schema.push({ name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' });
        break;
      case 'float':
        schema.push({ name: c.name, type: 'FLOAT', repetition_type: 'OPTIONAL' });
        break;
      case 'double':
        schema.push({ name: c.name, type: 'DOUBLE', repetition_type: 'OPTIONAL' });
        break;
      case 'floats':
      case 'ints':
        schema.push(
          { name: c.name, repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
          { name: 'element', type: c.kind === 'floats' ? 'FLOAT' : 'INT32', repetition_type: 'REQUIRED' },
        );
        break;
    }
  }
  return schema;
}

/** A ByteWriter whose flush() appends what it holds to a file and starts over. */
class FileByteWriter extends ByteWriter {
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly fh: fs.promises.FileHandle) {
    super(1 << 20);
  }

  flush(): Promise<void> {
    if (this.index === 0) return this.chain;
    const bytes = new Uint8Array(this.buffer.slice(0, this.index));
    this.index = 0;
    this.chain = this.chain.then(async () => {
      await this.fh.write(bytes);
    });
    return this.chain;
  }

  override finish(): Promise<void> {
    return this.flush().then(() => this.fh.close());
  }

  /** Resolves when every queued write has ended (never rejects). */
  settled(): Promise<void> {
    return this.chain.then(
      () => undefined,
      () => undefined,
    );
  }
}

export interface ParquetWriterOptions {
  /** Footer key-value metadata. */
  metadata?: Record<string, string>;
  /** Rows per row group (default: from the column widths). */
  rowGroupRows?: number;
}

/**
 * Rows → Parquet file. `toRecord` maps a row to one value per column name
 * (undefined/null → null; lists as number arrays or typed arrays).
 */
export async function createParquetWriter<T>(
  file: string,
  columns: readonly ParquetColumn[],
  toRecord: (row: T) => Record<string, unknown>,
  opts: ParquetWriterOptions = {},
): Promise<RowWriter<T>> {
  const target = await createAtomicFile(file);
  let fh: fs.promises.FileHandle;
  try {
    fh = await fs.promises.open(target.tmp, 'w');
  } catch (err) {
    await target.abort();
    throw err;
  }
  const writer = new FileByteWriter(fh);
  const kv = Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value }));
  const pq = new ParquetWriter({
    writer,
    schema: schemaFor(columns),
    createdBy: 'pairscore',
    ...(kv.length > 0 ? { kvMetadata: kv } : {}),
  });
  const groupRows = opts.rowGroupRows ?? rowGroupRows(columns);
  let buffers: unknown[][] = columns.map(() => []);
  let buffered = 0;

  const flushGroup = async (): Promise<void> => {
    if (buffered === 0) return;
    const columnData = columns.map((c, k) => ({
      name: c.name,
      data: buffers[k]!,
      // Lists of floats compress poorly with dictionaries and their min/max are noise.
      ...(c.kind === 'floats' || c.kind === 'ints' ? { statistics: false } : {}),
    }));
    buffers = columns.map(() => []);
    buffered = 0;
    await pq.write({ columnData, rowGroupSize: groupRows });
  };

  /** Buffers one row; true when the row group is full. */
  const push = (row: T): boolean => {
    const rec = toRecord(row);
    for (let k = 0; k < columns.length; k++) {
      const c = columns[k]!;
      const v = rec[c.name];
      buffers[k]!.push(
        v === undefined || v === null ? null : c.kind === 'floats' || c.kind === 'ints' ? Array.from(v as ArrayLike<number>) : v,
      );
    }
    return ++buffered >= groupRows;
  };
  return {
    async write(row) {
      if (push(row)) await flushGroup();
    },
    async writeMany(rows) {
      for (const row of rows) if (push(row)) await flushGroup();
    },
    async close() {
      try {
        await flushGroup();
        await pq.finish(); // footer; FileByteWriter.finish closes the handle
      } catch (err) {
        await fh.close().catch(() => undefined);
        await target.abort();
        throw err;
      }
      await target.commit();
    },
    async abort() {
      // A flush may be in progress: let it settle before closing under it.
      await writer.settled();
      await fh.close().catch(() => undefined);
      await target.abort();
    },
    tempFile: target.tmp,
  };
}
