/**
 * Writers for the rows of `score`, `extract` and `tokenize`, in JSONL, CSV or
 * Parquet, chosen by the --out extension (or --format). Local commands and
 * `results` of a distributed run use the same ones, so a file looks the same
 * whichever way it was produced.
 */
import type { ExtractRow, RunPlan, ScoreRow, TokenizeRow } from '../contracts.js';
import { InputError } from '../errors.js';
import { FEATURES_META_FORMAT, PARQUET_META_KEY, metaPathFor, type FeaturesMeta } from '../classify/features-file.js';
import { createCsvWriter, createJsonlWriter, createLineWriter, outputFormatFor, type RowWriter } from './writers.js';

/**
 * Vectors arrive as Float32Array; JSON gets them as lists, each value exactly as a number[] would print.
 * Converted up front, not by a JSON.stringify replacer: a replacer is called for every value and
 * made extract ~30% slower end to end.
 */
function extractJsonLine(r: ExtractRow<Float32Array | number[]>): string {
  if (!(r.embedding instanceof Float32Array) && !(r.logits instanceof Float32Array)) return JSON.stringify(r);
  // Assigning existing keys keeps their place, so the line's key order is the row's.
  const plain: ExtractRow = { ...r } as ExtractRow;
  if (r.embedding) plain.embedding = Array.from(r.embedding);
  if (r.logits) plain.logits = Array.from(r.logits);
  return JSON.stringify(plain);
}
import type { ParquetColumn } from './parquet.js';
import { writeFileAtomic } from './atomic-file.js';

interface RowLayout<T> {
  /** JSONL line of a row; default JSON.stringify. */
  jsonLine?: (row: T) => string;
  csvColumns: () => string[];
  csvRecord: (row: T) => Record<string, unknown>;
  parquetColumns: () => ParquetColumn[];
  parquetRecord: (row: T) => Record<string, unknown>;
  parquetMetadata?: Record<string, string>;
}

async function writerFor<T>(out: string, format: string | undefined, layout: RowLayout<T>): Promise<RowWriter<T>> {
  const f = outputFormatFor(out, format);
  if (f === 'parquet') {
    if (out === '-') throw new InputError('Parquet cannot be written to stdout; give --out a file name');
    // hyparquet-writer loads only when Parquet is written.
    const { createParquetWriter } = await import('./parquet.js');
    return createParquetWriter<T>(
      out,
      layout.parquetColumns(),
      layout.parquetRecord,
      layout.parquetMetadata ? { metadata: layout.parquetMetadata } : {},
    );
  }
  if (f === 'csv') return createCsvWriter<T>(out, layout.csvColumns(), layout.csvRecord);
  return layout.jsonLine ? createLineWriter<T>(out, layout.jsonLine) : createJsonlWriter<T>(out);
}

/** Score rows: JSONL as is; CSV and Parquet with one `prob_<label>` column per label. */
export function createScoreRowWriter(out: string, labels: readonly string[], format?: string): Promise<RowWriter<ScoreRow>> {
  const flat = (r: ScoreRow) => ({ ...r, ...Object.fromEntries(labels.map((l) => [`prob_${l}`, r.probs?.[l]])) });
  return writerFor<ScoreRow>(out, format, {
    csvColumns: () => ['index', 'id', 'label', ...labels.map((l) => `prob_${l}`), 'gold', 'error'],
    csvRecord: flat,
    parquetColumns: () => [
      { name: 'index', kind: 'int32' },
      { name: 'id', kind: 'string' },
      { name: 'label', kind: 'string' },
      ...labels.map((l): ParquetColumn => ({ name: `prob_${l}`, kind: 'float' })),
      { name: 'gold', kind: 'string' },
      { name: 'error', kind: 'string' },
    ],
    parquetRecord: flat,
  });
}

/** The feature-file header of an extract plan: which model, embedding, features and logits the rows hold. */
export function featuresMeta(plan: RunPlan, model: { sha256: string; name: string }, source: string): FeaturesMeta {
  const x = plan.extract;
  return {
    format: FEATURES_META_FORMAT,
    version: 1,
    model: { sha256: model.sha256, name: model.name },
    embedding: x?.embedding ?? null,
    embedding_dim: x?.embeddingDim ?? 0,
    features: [...plan.features],
    logits: (x?.logitsDim ?? 0) > 0,
    logits_dim: x?.logitsDim ?? 0,
    model_labels: [...(x?.modelLabels ?? [])],
    source,
  };
}

/**
 * Extract rows (a feature file for `train`). The header goes into the Parquet
 * footer and, on close, into the `<out>.meta.json` sidecar for every format.
 */
export async function createExtractRowWriter(
  out: string,
  meta: FeaturesMeta,
  format?: string,
): Promise<RowWriter<ExtractRow<Float32Array | number[]>>> {
  const names = meta.features;
  const embDim = meta.embedding_dim;
  const logitsDim = meta.logits_dim;
  const inner = await writerFor<ExtractRow<Float32Array | number[]>>(out, format, {
    jsonLine: extractJsonLine,
    csvColumns: () => [
      'index',
      'id',
      'gold',
      'error',
      ...names,
      ...Array.from({ length: embDim }, (_, i) => `emb_${i}`),
      ...Array.from({ length: logitsDim }, (_, i) => `logit_${i}`),
    ],
    csvRecord: (r) => ({
      index: r.index,
      id: r.id,
      gold: r.gold,
      error: r.error,
      ...r.features,
      ...Object.fromEntries(Array.from(r.embedding ?? [], (v, i) => [`emb_${i}`, v])),
      ...Object.fromEntries(Array.from(r.logits ?? [], (v, i) => [`logit_${i}`, v])),
    }),
    parquetColumns: () => [
      { name: 'index', kind: 'int32' },
      { name: 'id', kind: 'string' },
      { name: 'gold', kind: 'string' },
      { name: 'error', kind: 'string' },
      ...(embDim > 0 ? [{ name: 'embedding', kind: 'floats', width: embDim } as const] : []),
      ...names.map((n): ParquetColumn => ({ name: n, kind: 'float' })),
      ...(logitsDim > 0 ? [{ name: 'logits', kind: 'floats', width: logitsDim } as const] : []),
    ],
    parquetRecord: (r) => ({
      index: r.index,
      id: r.id,
      gold: r.gold,
      error: r.error,
      embedding: r.embedding,
      ...r.features,
      logits: r.logits,
    }),
    parquetMetadata: { [PARQUET_META_KEY]: JSON.stringify(meta) },
  });
  return {
    write: (row) => inner.write(row),
    writeMany: (rows) => inner.writeMany(rows),
    async close() {
      await inner.close();
      // The sidecar says which model made the vectors: `train` records its sha256 in the head.
      if (out !== '-') await writeJson(metaPathFor(out), meta);
    },
    abort: () => inner.abort(),
    tempFile: inner.tempFile,
  };
}

export function createTokenizeRowWriter(out: string, format?: string): Promise<RowWriter<TokenizeRow>> {
  return writerFor<TokenizeRow>(out, format, {
    csvColumns: () => ['index', 'id', 'input_ids', 'token_type_ids', 'error'],
    csvRecord: (r) => ({ ...r }),
    parquetColumns: () => [
      { name: 'index', kind: 'int32' },
      { name: 'id', kind: 'string' },
      { name: 'input_ids', kind: 'ints', width: 32 },
      { name: 'token_type_ids', kind: 'ints', width: 32 },
      { name: 'error', kind: 'string' },
    ],
    parquetRecord: (r) => ({ ...r }),
  });
}

/** Pretty JSON, written whole or not at all (metrics, sidecars). */
export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
