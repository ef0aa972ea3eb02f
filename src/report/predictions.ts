/**
 * Reads a predictions file written by `score` or `results`: JSONL `{index, id, label, probs,
 * gold?, error?}` rows, or CSV/Parquet with `label`, `prob_<LABEL>…`, `gold`, `error` columns.
 * Streamed, so `eval` and `report` work on files of any size. The label order is the order of
 * the probabilities (the model's or the head's); it is known once the first scored row is read.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parse } from 'csv-parse';
import type { ScoreRow } from '../contracts.js';
import { InputError } from '../errors.js';
import { openParquetFile, parquetRowGroups } from '../ingest/parquet.js';

export interface PredictionsFile {
  /** Label order of the probabilities; [] until a scored row is read (always known for CSV/Parquet). */
  labels(): string[];
  rows(): AsyncIterable<ScoreRow>;
}

const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));

/** A flat record (CSV, Parquet: prob_<label> columns) or a JSONL object, as a ScoreRow. */
function toScoreRow(r: Record<string, unknown>, fallbackIndex: number, probCols: readonly string[]): ScoreRow {
  const index = Number(r.index);
  const row: ScoreRow = { index: Number.isInteger(index) ? index : fallbackIndex, id: str(r.id) ?? String(fallbackIndex) };
  const label = str(r.label);
  const gold = str(r.gold);
  const error = str(r.error);
  if (label !== undefined) row.label = label;
  if (gold !== undefined) row.gold = gold;
  if (error !== undefined) row.error = error;
  if (r.probs && typeof r.probs === 'object') {
    row.probs = r.probs as Record<string, number>;
  } else if (probCols.length > 0 && error === undefined) {
    const probs: Record<string, number> = {};
    for (const c of probCols) {
      const v = Number(r[c]);
      if (str(r[c]) !== undefined && Number.isFinite(v)) probs[c.slice(5)] = v;
    }
    if (Object.keys(probs).length > 0) row.probs = probs;
  }
  return row;
}

export async function openPredictions(file: string): Promise<PredictionsFile> {
  if (!fs.existsSync(file)) throw new InputError(`${file}: file not found`);
  const ext = path.extname(file).toLowerCase();
  const probColumns = (cols: readonly string[]) => cols.filter((c) => c.startsWith('prob_'));
  if (ext === '.parquet' || ext === '.pq') {
    const pf = await openParquetFile(file);
    if (!pf.columns.includes('label')) throw new InputError(`${file}: no "label" column — is this a file written by \`pairscore score\`?`);
    const probCols = probColumns(pf.columns);
    const wanted = ['index', 'id', 'label', 'gold', 'error', ...probCols].filter((c) => pf.columns.includes(c));
    return {
      labels: () => probCols.map((c) => c.slice(5)),
      async *rows() {
        let n = 0;
        for await (const rows of parquetRowGroups(pf, wanted)) for (const r of rows) yield toScoreRow(r, n++, probCols);
      },
    };
  }
  if (ext === '.csv') {
    let labels: string[] = [];
    return {
      labels: () => labels,
      async *rows() {
        const parser = fs.createReadStream(file).pipe(parse({ columns: true, bom: true, relax_column_count: true }));
        let n = 0;
        let probCols: string[] | undefined;
        for await (const rec of parser as AsyncIterable<Record<string, string>>) {
          if (probCols === undefined) {
            probCols = probColumns(Object.keys(rec));
            labels = probCols.map((c) => c.slice(5));
          }
          yield toScoreRow(rec, n++, probCols);
        }
      },
    };
  }
  let labels: string[] = [];
  return {
    labels: () => labels,
    async *rows() {
      const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
      let line = 0;
      let n = 0;
      for await (const text of rl) {
        line++;
        if (text.trim() === '') continue;
        let r: Record<string, unknown>;
        try {
          r = JSON.parse(text) as Record<string, unknown>;
        } catch (cause) {
          throw new InputError(`${file}, line ${line}: not valid JSON`, { cause });
        }
        if (labels.length === 0 && r.probs && typeof r.probs === 'object') labels = Object.keys(r.probs);
        yield toScoreRow(r, n++, []);
      }
    },
  };
}
