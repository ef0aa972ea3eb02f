/**
 * Format → reader. A new input format (Parquet is next) is one reader file
 * implementing OpenReader plus one entry here and in detect-format.ts.
 */
import type { DatasetFormat, OpenReader } from './types.js';
import { openCsv, openTsv } from './csv.js';
import { openJsonl } from './jsonl.js';

export const READERS: Readonly<Record<DatasetFormat, OpenReader>> = {
  csv: openCsv,
  tsv: openTsv,
  jsonl: openJsonl,
};
