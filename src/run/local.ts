/**
 * The local commands (`score`, `extract`, `tokenize`): dataset file in, row
 * file out, no Redis. They check the whole input file first (file-level errors
 * stop before any work, and the row count drives the progress bar), then
 * stream it through the pipeline. The row file is whole or absent: written to
 * a temp file, renamed at the end, removed on any failure or on `signal`.
 */
import path from 'node:path';
import { scanDataset, type ColumnOptions, type DatasetInfo } from '../ingest/index.js';
import { createExtractor, createScorer, tokenizeChunk, type Stages } from '../pipeline.js';
import { MetricsAccumulator, type Metrics } from '../report/metrics.js';
import { writeRunReport } from '../report/build-report.js';
import { ConfidentErrors } from '../report/report-data.js';
import { createProgress } from '../report/progress.js';
import { fillWhole, type RowWriter } from '../report/writers.js';
import { createExtractRowWriter, createScoreRowWriter, createTokenizeRowWriter, featuresMeta, writeJson } from '../report/row-writers.js';
import type { PairTokenizer } from '../tokenize/types.js';
import { driveDataset } from './drive.js';

export interface LocalRunOptions {
  input: string;
  columns: ColumnOptions;
  out: string;
  /** jsonl | csv | parquet; from the --out extension when omitted. */
  format?: string;
  chunkSize: number;
  /** Show the progress bar (on a TTY only). */
  progress: boolean;
  /** Stops the run between chunks; the partial output is removed and the signal's reason thrown. */
  signal?: AbortSignal;
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

export async function runScore(
  stages: Stages,
  opts: LocalRunOptions & { metricsFile?: string; report?: { out: string; head: string | null } },
): Promise<RunSummary & { metrics: Metrics }> {
  const dataset = await scanDataset(opts.input, opts.columns);
  const scorer = createScorer(stages);
  const labels = scorer.labels;
  const writer = await createScoreRowWriter(opts.out, labels, opts.format);
  const acc = new MetricsAccumulator(labels);
  const confident = opts.report ? new ConfidentErrors() : undefined;
  const summary = await runRows(
    dataset,
    opts,
    'score',
    (rows) => scorer.scoreChunk(rows),
    writer,
    (row) => {
      acc.add(row);
      confident?.add(row);
    },
  );
  const metrics = acc.result(summary.seconds);
  if (opts.metricsFile) await writeJson(opts.metricsFile, metrics);
  if (opts.report && confident) {
    const info = stages.embedder.info;
    await writeRunReport(opts.report.out, metrics, confident.list(), {
      source: opts.out,
      input: opts.input,
      columns: opts.columns,
      model: { name: path.basename(path.resolve(info.dir)), sha256: info.sha256 },
      head: opts.report.head,
      features: stages.plan.features,
    });
  }
  return { ...summary, metrics };
}

/** Runs an extract plan (stages.plan.task === 'extract') over the input into a feature file. */
export async function runExtract(stages: Stages, opts: LocalRunOptions): Promise<RunSummary> {
  const dataset = await scanDataset(opts.input, opts.columns);
  const extractor = createExtractor(stages);
  const info = stages.embedder.info;
  const meta = featuresMeta(stages.plan, { sha256: info.sha256, name: path.basename(path.resolve(info.dir)) }, path.basename(opts.input));
  const writer = await createExtractRowWriter(opts.out, meta, opts.format);
  return runRows(dataset, opts, 'extract', (rows) => extractor.extractChunk(rows), writer);
}

export async function runTokenize(tokenizer: PairTokenizer, maxLength: number | undefined, opts: LocalRunOptions): Promise<RunSummary> {
  const dataset = await scanDataset(opts.input, opts.columns);
  const writer = await createTokenizeRowWriter(opts.out, opts.format);
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
    rows = await fillWhole(writer, opts.out, () =>
      driveDataset({ ...opts, onProgress: (n) => progress.update(n) }, processChunk, async (chunk) => {
        for (const row of chunk) {
          if (row.error !== undefined) errors++;
          observe?.(row);
        }
        await writer.writeMany(chunk);
      }),
    );
  } finally {
    progress.finish();
  }
  return { dataset, rows, errors, seconds: (performance.now() - start) / 1000 };
}
