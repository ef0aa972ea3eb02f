/**
 * What an HTML report shows, gathered without holding the run in memory: the metrics (with
 * calibration bins), and the most confident errors — a bounded list kept while rows stream by.
 * Score rows carry no text, so the errors' premise and hypothesis are looked up in the input
 * dataset afterwards (one more streaming pass that keeps only those few rows).
 */
import type { ColumnOptions } from '../ingest/index.js';
import type { ScoreRow } from '../contracts.js';
import { readDataset } from '../ingest/index.js';
import type { Metrics } from './metrics.js';
import type { RunSection } from './run-report.js';

/** How many of the most confident errors a report lists. */
export const CONFIDENT_ERRORS = 25;

export interface ConfidentError {
  index: number;
  id: string;
  gold: string;
  predicted: string;
  /** Probability the model gave its (wrong) prediction. */
  probability: number;
  premise?: string;
  hypothesis?: string;
}

export interface ReportContext {
  /** Where the numbers come from (a file name, a run id). */
  source: string;
  model?: { name?: string; sha256?: string };
  /** The head file, or null for the model's own logits. */
  head?: string | null;
  features?: readonly string[];
  input?: string;
  /** false when pairs/s and seconds in the metrics are not the scoring run's (read from a predictions file). */
  timed?: boolean;
}

export interface ReportData {
  title: string;
  context: ReportContext;
  metrics: Metrics;
  errors: ConfidentError[];
  /** A distributed run: its workers and failed chunks (run-report.ts). */
  run?: RunSection;
}

/** Keeps the `limit` wrong predictions with the highest probability, highest first. */
export class ConfidentErrors {
  private readonly kept: ConfidentError[] = [];
  constructor(private readonly limit = CONFIDENT_ERRORS) {}

  add(row: ScoreRow): void {
    if (row.error !== undefined || row.gold === undefined || row.label === undefined || row.probs === undefined) return;
    if (row.gold.trim().toUpperCase() === row.label.trim().toUpperCase()) return;
    const probability = row.probs[row.label] ?? Math.max(...Object.values(row.probs));
    if (this.kept.length === this.limit && probability <= this.kept[this.kept.length - 1]!.probability) return;
    const at = this.kept.findIndex((e) => probability > e.probability);
    const entry: ConfidentError = { index: row.index, id: row.id, gold: row.gold, predicted: row.label, probability };
    if (at < 0) this.kept.push(entry);
    else this.kept.splice(at, 0, entry);
    if (this.kept.length > this.limit) this.kept.pop();
  }

  list(): ConfidentError[] {
    return [...this.kept];
  }
}

/** Fills in premise and hypothesis of `errors` from the dataset they were scored from (by row index). */
export async function attachTexts(errors: ConfidentError[], input: string, columns: ColumnOptions = {}): Promise<void> {
  const byIndex = new Map(errors.map((e) => [e.index, e]));
  if (byIndex.size === 0) return;
  let found = 0;
  for await (const row of readDataset(input, columns)) {
    const e = byIndex.get(row.index);
    if (e === undefined || !('premise' in row)) continue;
    e.premise = row.premise;
    e.hypothesis = row.hypothesis;
    if (++found === byIndex.size) break;
  }
}
