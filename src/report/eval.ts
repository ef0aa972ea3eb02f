/**
 * `pairscore eval`: metrics of a predictions file written by `score`
 * (JSONL `{label, probs, gold?, error?}` rows; CSV or Parquet with `label`,
 * `prob_<LABEL>…`, `gold`, `error` columns), streamed through the same
 * MetricsAccumulator `score` uses. Label order comes from the probabilities
 * (the model's or head's order); gold labels outside it are added as seen.
 */
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parse } from 'csv-parse';
import { InputError } from '../errors.js';
import { openParquetFile, parquetRowGroups } from '../ingest/parquet.js';
import { MetricsAccumulator, type Metrics, type MetricsRow } from './metrics.js';

function toRow(r: Record<string, unknown>): MetricsRow {
  const row: MetricsRow = {};
  const str = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : String(v));
  const label = str(r.label);
  const gold = str(r.gold);
  const error = str(r.error);
  if (label !== undefined) row.label = label;
  if (gold !== undefined) row.gold = gold;
  if (error !== undefined) row.error = error;
  return row;
}

export async function evaluatePredictions(file: string): Promise<Metrics> {
  if (!fs.existsSync(file)) throw new InputError(`${file}: file not found`);
  const ext = path.extname(file).toLowerCase();
  let acc: MetricsAccumulator | undefined;
  const pending: MetricsRow[] = [];
  const labelsFromColumns = (cols: readonly string[]) => cols.filter((c) => c.startsWith('prob_')).map((c) => c.slice(5));
  const started = performance.now();
  if (ext === '.parquet' || ext === '.pq') {
    const pf = await openParquetFile(file);
    if (!pf.columns.includes('label')) throw new InputError(`${file}: no "label" column — is this a file written by \`pairscore score\`?`);
    acc = new MetricsAccumulator(labelsFromColumns(pf.columns));
    const wanted = ['label', 'gold', 'error'].filter((c) => pf.columns.includes(c));
    for await (const rows of parquetRowGroups(pf, wanted)) for (const r of rows) acc.add(toRow(r));
  } else if (ext === '.csv') {
    const parser = fs.createReadStream(file).pipe(parse({ columns: true, bom: true, relax_column_count: true }));
    for await (const rec of parser as AsyncIterable<Record<string, string>>) {
      acc ??= new MetricsAccumulator(labelsFromColumns(Object.keys(rec)));
      acc.add(toRow(rec));
    }
  } else {
    const rl = readline.createInterface({ input: fs.createReadStream(file, 'utf8'), crlfDelay: Infinity });
    let line = 0;
    for await (const text of rl) {
      line++;
      if (text.trim() === '') continue;
      let r: Record<string, unknown>;
      try {
        r = JSON.parse(text) as Record<string, unknown>;
      } catch (cause) {
        throw new InputError(`${file}, line ${line}: not valid JSON`, { cause });
      }
      if (!acc && r.probs && typeof r.probs === 'object') acc = new MetricsAccumulator(Object.keys(r.probs));
      if (!acc && r.error === undefined) acc = new MetricsAccumulator([]);
      if (!acc) {
        // error rows before the first scored row: count them once the label order is known
        pending.push(toRow(r));
        continue;
      }
      for (const p of pending.splice(0)) acc.add(p);
      acc.add(toRow(r));
    }
  }
  acc ??= new MetricsAccumulator([]);
  for (const p of pending.splice(0)) acc.add(p);
  const m = acc.result((performance.now() - started) / 1000);
  if (m.rows === 0) throw new InputError(`${file}: no prediction rows`);
  return m;
}
