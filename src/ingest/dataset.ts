/**
 * Opening a dataset, the same way for every format:
 * stat (missing / directory / empty) → extension check (unknown formats) →
 * first 64 KiB of text formats checked for binary content → format reader opens the file and
 * reads the header → columns resolved. Any failure is a DatasetError thrown
 * before the first row, and the file is closed again.
 */
import type { IngestRow } from '../contracts.js';
import type { ByteTap, ColumnOptions, DatasetFormat, DatasetSource, ResolvedColumns } from './types.js';
import { checkText, readHead, statDataset } from './preflight.js';
import { formatFromName, sniffFormat } from './detect-format.js';
import { detectColumns } from './columns.js';
import { READERS } from './readers.js';
import { toIngestRow } from './validate.js';
import { DatasetError } from './errors.js';

export interface OpenedDataset {
  file: string;
  format: DatasetFormat;
  columns: ResolvedColumns;
  source: DatasetSource;
}

/** `tap` sees every byte a streaming reader reads (not the 64 KiB head check, which reads apart). */
export async function openDataset(file: string, opts: ColumnOptions = {}, tap?: ByteTap): Promise<OpenedDataset> {
  const size = await statDataset(file);
  const byName = formatFromName(file, opts.format);
  let format: DatasetFormat;
  if (byName === 'parquet') {
    format = 'parquet';
  } else {
    const head = await readHead(file);
    checkText(file, head, size > head.length);
    format = byName === 'sniff' ? sniffFormat(head) : byName;
  }
  const source = await READERS[format](file, tap);
  try {
    const columns = detectColumns(source.columns, opts, { file, line: source.headerLine });
    return { file, format, columns, source };
  } catch (err) {
    source.close();
    throw err;
  }
}

/** Rows of an opened dataset in batches; throws "no data rows" at the end if there were none. */
export async function* datasetBatches(ds: OpenedDataset): AsyncGenerator<IngestRow[], void, undefined> {
  let index = 0;
  try {
    for await (const recs of ds.source.records(ds.columns)) {
      const rows: IngestRow[] = new Array(recs.length);
      for (let k = 0; k < recs.length; k++) rows[k] = toIngestRow(recs[k]!, index++, ds.columns);
      yield rows;
    }
  } finally {
    ds.source.close();
  }
  if (index === 0) {
    throw new DatasetError(ds.file, 'no data rows (the file has a header but nothing after it)', {
      line: ds.source.headerLine,
    });
  }
}
