/**
 * The local commands (`score`, `extract`, `tokenize`): dataset file in, row
 * file out, no Redis. They check the whole input file first (file-level errors
 * stop before any work, and the row count drives the progress bar), then
 * stream it through the pipeline.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExtractRow, ScoreRow, TokenizeRow } from '../contracts.js';
import { scanDataset, type ColumnOptions, type DatasetInfo } from '../ingest/index.js';
import { createExtractor, createScorer, tokenizeChunk, type ExtractOptions, type Stages } from '../pipeline.js';
import { MetricsAccumulator, type Metrics } from '../report/metrics.js';
import { createProgress } from '../report/progress.js';
import { createCsvWriter, createJsonlWriter, outputFormatFor, type RowWriter } from '../report/writers.js';
import { createParquetWriter, type ParquetColumn } from '../report/parquet.js';
import { FEATURES_META_FORMAT, PARQUET_META_KEY, metaPathFor, type FeaturesMeta } from '../classify/features-file.js';
import type { PairTokenizer } from '../tokenize/types.js';
import { driveDataset } from './drive.js';
import { InputError } from '../errors.js';

export interface LocalRunOptions {
  input: string;
  columns: ColumnOptions;
  out: string;
  /** jsonl | csv; from the --out extension when omitted. */
  format?: string;
  chunkSize: number;
  /** Show the progress bar (on a TTY only). */
  progress: boolean;
}

export interface RunSummary {
  dataset: DatasetInfo;
  rows: number;
  errors: number;
  seconds: number;
}

function progressFor(opts: LocalRunOptions, label: string, total: number) {
  return opts.progress ? createProgress(label, total) : { update: () => undefined, finish: () => undefined };
}

interface ParquetSpec<T> {
  columns: () => ParquetColumn[];
  toRecord: (row: T) => Record<string, unknown>;
  metadata?: Record<string, string>;
}

async function writerFor<T>(
  opts: LocalRunOptions,
  columns: () => string[],
  toRecord: (row: T) => Record<string, unknown>,
  parquet: ParquetSpec<T>,
): Promise<RowWriter<T>> {
  const format = outputFormatFor(opts.out, opts.format);
  if (format === 'parquet') {
    if (opts.out === '-') throw new InputError('Parquet cannot be written to stdout; give --out a file name');
    return createParquetWriter<T>(opts.out, parquet.columns(), parquet.toRecord, parquet.metadata ? { metadata: parquet.metadata } : {});
  }
  return format === 'csv' ? createCsvWriter<T>(opts.out, columns(), toRecord) : createJsonlWriter<T>(opts.out);
}

export async function runScore(
  stages: Stages,
  opts: LocalRunOptions & { metricsFile?: string },
): Promise<RunSummary & { metrics: Metrics }> {
  const dataset = await scanDataset(opts.input, opts.columns);
  const scorer = createScorer(stages);
  const labels = scorer.labels;
  const writer = await writerFor<ScoreRow>(
    opts,
    () => ['index', 'id', 'label', ...labels.map((l) => `prob_${l}`), 'gold', 'error'],
    (r) => ({ ...r, ...Object.fromEntries(labels.map((l) => [`prob_${l}`, r.probs?.[l]])) }),
    {
      columns: () => [
        { name: 'index', kind: 'int32' }, { name: 'id', kind: 'string' }, { name: 'label', kind: 'string' },
        ...labels.map((l): ParquetColumn => ({ name: `prob_${l}`, kind: 'float' })),
        { name: 'gold', kind: 'string' }, { name: 'error', kind: 'string' },
      ],
      toRecord: (r) => ({ ...r, ...Object.fromEntries(labels.map((l) => [`prob_${l}`, r.probs?.[l]])) }),
    },
  );
  const acc = new MetricsAccumulator(labels);
  const summary = await runRows(dataset, opts, 'score', (rows) => scorer.scoreChunk(rows), writer, (row) => acc.add(row));
  const metrics = acc.result(summary.seconds);
  if (opts.metricsFile) await writeJson(opts.metricsFile, metrics);
  return { ...summary, metrics };
}

export async function runExtract(stages: Stages, extract: ExtractOptions, opts: LocalRunOptions): Promise<RunSummary> {
  const dataset = await scanDataset(opts.input, opts.columns);
  const extractor = createExtractor(stages, extract);
  const names = stages.featurizer.names;
  const info = stages.embedder.info;
  const embDim = extract.embedding === 'logits' ? info.numLabels : extract.embedding ? info.hiddenSize : 0;
  const logitsDim = extract.logits && info.available.includes('logits') ? info.numLabels : 0;
  const meta: FeaturesMeta = {
    format: FEATURES_META_FORMAT,
    version: 1,
    model: { sha256: info.sha256, name: path.basename(path.resolve(info.dir)) },
    embedding: extract.embedding,
    embedding_dim: embDim,
    features: [...names],
    logits: logitsDim > 0,
    logits_dim: logitsDim,
    model_labels: [...info.id2label],
    source: path.basename(opts.input),
  };
  const writer = await writerFor<ExtractRow>(
    opts,
    () => [
      'index', 'id', 'gold', 'error', ...names,
      ...Array.from({ length: embDim }, (_, i) => `emb_${i}`),
      ...Array.from({ length: logitsDim }, (_, i) => `logit_${i}`),
    ],
    (r) => ({
      index: r.index, id: r.id, gold: r.gold, error: r.error, ...r.features,
      ...Object.fromEntries((r.embedding ?? []).map((v, i) => [`emb_${i}`, v])),
      ...Object.fromEntries((r.logits ?? []).map((v, i) => [`logit_${i}`, v])),
    }),
    {
      columns: () => [
        { name: 'index', kind: 'int32' }, { name: 'id', kind: 'string' }, { name: 'gold', kind: 'string' }, { name: 'error', kind: 'string' },
        ...(embDim > 0 ? [{ name: 'embedding', kind: 'floats', width: embDim } as const] : []),
        ...names.map((n): ParquetColumn => ({ name: n, kind: 'float' })),
        ...(logitsDim > 0 ? [{ name: 'logits', kind: 'floats', width: logitsDim } as const] : []),
      ],
      toRecord: (r) => ({ index: r.index, id: r.id, gold: r.gold, error: r.error, embedding: r.embedding, ...r.features, logits: r.logits }),
      metadata: { [PARQUET_META_KEY]: JSON.stringify(meta) },
    },
  );
  const summary = await runRows(dataset, opts, 'extract', (rows) => extractor.extractChunk(rows), writer);
  // The sidecar says which model made the vectors: `train` records its sha256 in the head.
  if (opts.out !== '-') await writeJson(metaPathFor(opts.out), meta);
  return summary;
}

export async function runTokenize(tokenizer: PairTokenizer, maxLength: number | undefined, opts: LocalRunOptions): Promise<RunSummary> {
  const dataset = await scanDataset(opts.input, opts.columns);
  const writer = await writerFor<TokenizeRow>(opts, () => ['index', 'id', 'input_ids', 'token_type_ids', 'error'], (r) => ({ ...r }), {
    columns: () => [
      { name: 'index', kind: 'int32' }, { name: 'id', kind: 'string' },
      { name: 'input_ids', kind: 'ints', width: 32 }, { name: 'token_type_ids', kind: 'ints', width: 32 }, { name: 'error', kind: 'string' },
    ],
    toRecord: (r) => ({ ...r }),
  });
  return runRows(dataset, opts, 'tokenize', async (rows) => tokenizeChunk(rows, tokenizer, maxLength), writer);
}

async function runRows<T extends { error?: string }>(
  dataset: DatasetInfo,
  opts: LocalRunOptions,
  label: string,
  processChunk: Parameters<typeof driveDataset<T>>[1],
  writer: RowWriter<T>,
  observe?: (row: T) => void,
): Promise<RunSummary> {
  const progress = progressFor(opts, label, dataset.rows);
  const start = performance.now();
  let errors = 0;
  let rows = 0;
  try {
    rows = await driveDataset({ ...opts, onProgress: (n) => progress.update(n) }, processChunk, async (row) => {
      if (row.error !== undefined) errors++;
      observe?.(row);
      await writer.write(row);
    });
  } finally {
    progress.finish();
    await writer.close();
  }
  return { dataset, rows, errors, seconds: (performance.now() - start) / 1000 };
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await fs.writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}
