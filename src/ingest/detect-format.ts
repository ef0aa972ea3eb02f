/**
 * Which reader a file goes to: an explicit `--format` wins, else the file
 * extension; `.txt` (e.g. SNLI's distribution) is sniffed from its first line:
 * `{` → JSONL, a tab → TSV, otherwise CSV. `.parquet`/`.pq` go to the Parquet
 * reader; a file of another name that starts with Parquet's `PAR1` magic is
 * refused with a hint (see preflight.ts).
 */
import path from 'node:path';
import type { DatasetFormat } from './types.js';
import { DatasetError } from './errors.js';

export const DATASET_FORMATS: readonly DatasetFormat[] = ['csv', 'tsv', 'jsonl', 'parquet'];

const BY_EXTENSION: ReadonlyMap<string, DatasetFormat | 'sniff'> = new Map<string, DatasetFormat | 'sniff'>([
  ['.csv', 'csv'],
  ['.tsv', 'tsv'],
  ['.tab', 'tsv'],
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.txt', 'sniff'],
  ['.parquet', 'parquet'],
  ['.pq', 'parquet'],
]);

const SUPPORTED = 'supported: .csv, .tsv/.tab, .jsonl/.ndjson, .parquet/.pq, .txt (sniffed), or pass --format csv|tsv|jsonl|parquet';

/** Format from the extension alone; `'sniff'` when the content must decide. Throws for unknown/unsupported. */
export function formatFromName(file: string, explicit?: string): DatasetFormat | 'sniff' {
  if (explicit !== undefined) {
    const f = explicit.toLowerCase();
    if ((DATASET_FORMATS as readonly string[]).includes(f)) return f as DatasetFormat;
    throw new DatasetError(file, `unknown format "${explicit}" (expected one of ${DATASET_FORMATS.join(', ')})`);
  }
  const ext = path.extname(file).toLowerCase();
  const known = BY_EXTENSION.get(ext);
  if (known) return known;
  if (ext === '.json') {
    throw new DatasetError(file, `a .json file is not read (one JSON array); use JSON Lines (.jsonl, one object per line) — ${SUPPORTED}`);
  }
  throw new DatasetError(
    file,
    ext
      ? `cannot tell the format from the extension "${ext}" (${SUPPORTED})`
      : `cannot tell the format without a file extension (${SUPPORTED})`,
  );
}

/** Format of a `.txt` file from its first non-blank line. */
export function sniffFormat(head: Buffer): DatasetFormat {
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const firstLine = text.split('\n').find((l) => l.trim() !== '') ?? '';
  if (firstLine.trimStart().startsWith('{')) return 'jsonl';
  return firstLine.includes('\t') ? 'tsv' : 'csv';
}
