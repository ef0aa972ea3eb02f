/**
 * `pairscore report` inputs → ReportData → one HTML file. An input is told by its content, not
 * only its name: a `.json` is a metrics file (what `score --metrics` or a finished run stores);
 * `.jsonl`/`.csv`/`.parquet` are predictions (`score --out`, `results --out`), which give the
 * most confident errors too. The HTML is written whole or not at all (atomic-file.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { ColumnOptions } from '../ingest/index.js';
import type { QueueTarget } from '../queue/index.js';
import { writeFileAtomic } from './atomic-file.js';
import { evaluatePredictions } from './eval.js';
import { renderReport } from './html/page.js';
import { renderHeadReport } from './html/head-page.js';
import { HEAD_FORMAT, headSchema } from '../classify/head-format.js';
import type { Metrics } from './metrics.js';
import { attachTexts, ConfidentErrors, type ConfidentError, type ReportContext, type ReportData } from './report-data.js';

export interface PredictionsReportOptions {
  /** The dataset the predictions were scored from: gives the errors' sentences. */
  input?: string;
  columns?: ColumnOptions;
  /** Facts the predictions file does not hold (model, head, features). */
  context?: Omit<ReportContext, 'source'>;
  /** The run's metrics JSON: its pairs/s and seconds are shown (a predictions file has no timing). */
  metricsFile?: string;
}

export async function reportFromPredictions(file: string, opts: PredictionsReportOptions = {}): Promise<ReportData> {
  const errors = new ConfidentErrors();
  const metrics = await evaluatePredictions(file, (row) => errors.add(row));
  const list = errors.list();
  if (opts.input !== undefined) await attachTexts(list, opts.input, opts.columns);
  let timed = false;
  if (opts.metricsFile !== undefined) {
    const run = reportFromMetricsFile(opts.metricsFile).metrics;
    metrics.pairs_per_s = run.pairs_per_s;
    metrics.seconds = run.seconds;
    timed = true;
  }
  return {
    title: `Predictions: ${path.basename(file)}`,
    context: { source: file, timed, ...opts.context, ...(opts.input !== undefined ? { input: opts.input } : {}) },
    metrics,
    errors: list,
  };
}

function isMetrics(v: unknown): v is Metrics {
  const m = v as Partial<Metrics> | null;
  return (
    typeof m === 'object' && m !== null && typeof m.rows === 'number' && typeof m.confusion === 'object' && typeof m.per_class === 'object'
  );
}

/** A metrics JSON file; older files without calibration fields still give the summary and confusion charts. */
export function reportFromMetricsFile(file: string): ReportData {
  let v: unknown;
  try {
    v = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new InputError(`${file}: not a readable JSON file`, { cause });
  }
  if (!isMetrics(v))
    throw new InputError(
      `${file}: not a metrics file (written by \`score --metrics\`); give a predictions file (.jsonl, .csv, .parquet) or a metrics JSON`,
    );
  const metrics: Metrics = { ...v };
  metrics.ece ??= null;
  metrics.log_loss ??= null;
  metrics.brier ??= null;
  metrics.calibration ??= { rows: 0, bins: [] };
  return { title: `Metrics: ${path.basename(file)}`, context: { source: file }, metrics, errors: [] };
}

export async function reportFromFile(file: string, opts: PredictionsReportOptions = {}): Promise<ReportData> {
  if (!fs.existsSync(file)) throw new InputError(`${file}: file not found`);
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return reportFromMetricsFile(file);
  if (['.jsonl', '.ndjson', '.csv', '.parquet', '.pq'].includes(ext)) return reportFromPredictions(file, opts);
  throw new InputError(`${file}: cannot tell what this is; give predictions (.jsonl, .csv, .parquet) or a metrics .json`);
}

export async function writeReport(out: string, data: ReportData): Promise<void> {
  await writeFileAtomic(out, renderReport(data));
}

/**
 * The HTML for any report input: a head file (its training view), a metrics JSON, or a
 * predictions file. A `.json` is told apart by content (`format: "pairscore-mlp"` is a head).
 */
export async function buildReportHtml(file: string, opts: PredictionsReportOptions = {}): Promise<string> {
  if (path.extname(file).toLowerCase() === '.json' && fs.existsSync(file)) {
    let v: unknown;
    try {
      v = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (cause) {
      throw new InputError(`${file}: not a readable JSON file`, { cause });
    }
    if ((v as { format?: unknown } | null)?.format === HEAD_FORMAT) {
      const parsed = headSchema.safeParse(v);
      if (!parsed.success) throw new InputError(`${file}: not a valid head file: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      return renderHeadReport(parsed.data, file);
    }
  }
  return renderReport(await reportFromFile(file, opts));
}

/**
 * The report of a run that just ended (`score --report`): its metrics and errors were gathered
 * while the rows streamed by; the errors' sentences come from one more pass over the input.
 */
export async function writeRunReport(
  out: string,
  metrics: Metrics,
  errors: ConfidentError[],
  ctx: Omit<ReportContext, 'source' | 'input'> & { source: string; input: string; columns?: ColumnOptions },
): Promise<void> {
  const { columns, ...context } = ctx;
  await attachTexts(errors, ctx.input, columns);
  await writeReport(out, { title: `Scores of ${path.basename(ctx.input)}`, context, metrics, errors });
}

/** `submit --wait --report` and `report RUN --redis`: the report of a distributed run. */
export async function writeRemoteReport(
  out: string,
  target: QueueTarget,
  runId: string,
  opts: { input?: string; columns?: ColumnOptions } = {},
): Promise<void> {
  const { reportFromRun } = await import('./run-report.js');
  await writeReport(out, await reportFromRun(target, runId, opts));
}
