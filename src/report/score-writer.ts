import type { ScoreRow } from '../contracts.js';
import { createCsvWriter, createJsonlWriter, outputFormatFor, type RowWriter } from './writers.js';

/** Writer for `score` rows: JSONL as is; CSV with one `prob_<label>` column per label. */
export function createScoreWriter(out: string, labels: readonly string[], format?: string): Promise<RowWriter<ScoreRow>> {
  if (outputFormatFor(out, format) !== 'csv') return createJsonlWriter<ScoreRow>(out);
  return createCsvWriter<ScoreRow>(
    out,
    ['index', 'id', 'label', ...labels.map((l) => `prob_${l}`), 'gold', 'error'],
    (r) => ({ ...r, ...Object.fromEntries(labels.map((l) => [`prob_${l}`, r.probs?.[l]])) }),
  );
}
