/**
 * Format → reader. A new input format is one reader file
 * implementing OpenReader plus one entry here and in detect-format.ts.
 */
import type { DatasetFormat, OpenReader } from './types.js';
import { openCsv, openTsv } from './csv.js';
import { openJsonl } from './jsonl.js';
import { openParquet } from './parquet.js';

export const READERS: Readonly<Record<DatasetFormat, OpenReader>> = {
  csv: openCsv,
  tsv: openTsv,
  jsonl: openJsonl,
  parquet: openParquet,
};
