/**
 * Classification metrics accumulated row by row, so a run of any size is
 * summarised in constant memory. Labels outside the model's label set (e.g. a
 * gold label the model never predicts) get their own row/column in the confusion matrix.
 * Rows that carry probabilities also feed ECE, log-loss and Brier (calibration.ts).
 */
import { CalibrationAccumulator, type CalibrationMetrics } from './calibration.js';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Metrics extends CalibrationMetrics {
  rows: number;
  scored: number;
  errors: number;
  /** Rows with a gold label and a prediction; accuracy and F1 are over these. */
  evaluated: number;
  accuracy: number | null;
  macro_f1: number | null;
  per_class: Record<string, ClassMetrics>;
  confusion: { labels: string[]; matrix: number[][] };
  pairs_per_s: number;
  seconds: number;
}

export interface MetricsRow {
  label?: string;
  gold?: string;
  error?: string;
  /** The label → probability map of a score row; feeds the calibration metrics. */
  probs?: Readonly<Record<string, number>>;
}

/** Case-insensitive label match: SICK writes CONTRADICTION, MNLI contradiction. */
const norm = (s: string): string => s.trim().toUpperCase();

export class MetricsAccumulator {
  private readonly labels: string[];
  private readonly display = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  private rows = 0;
  private scored = 0;
  private errors = 0;
  private readonly calibration = new CalibrationAccumulator();

  /** `labels`: the model's label set, in its order. */
  constructor(labels: readonly string[]) {
    this.labels = labels.map(norm);
    labels.forEach((l) => this.display.set(norm(l), l));
  }

  add(row: MetricsRow): void {
    this.rows++;
    if (row.error !== undefined) {
      this.errors++;
      return;
    }
    this.scored++;
    if (row.gold === undefined || row.label === undefined) return;
    const g = norm(row.gold);
    const p = norm(row.label);
    for (const l of [g, p]) {
      if (!this.labels.includes(l)) {
        this.labels.push(l);
        this.display.set(l, l === g ? row.gold : row.label);
      }
    }
    const key = `${g}\u0000${p}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    if (row.probs !== undefined) {
      const probs = new Map<string, number>();
      for (const [l, v] of Object.entries(row.probs)) if (typeof v === 'number') probs.set(norm(l), v);
      if (probs.size > 0) this.calibration.add({ gold: g, label: p, probs });
    }
  }

  result(seconds: number): Metrics {
    const labels = this.labels;
    const matrix = labels.map((g) => labels.map((p) => this.counts.get(`${g}\u0000${p}`) ?? 0));
    const evaluated = matrix.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
    const correct = labels.reduce((s, _l, i) => s + matrix[i]![i]!, 0);
    const perClass: Record<string, ClassMetrics> = {};
    const f1s: number[] = [];
    labels.forEach((l, i) => {
      const tp = matrix[i]![i]!;
      const support = matrix[i]!.reduce((a, b) => a + b, 0);
      const predicted = matrix.reduce((s, row) => s + row[i]!, 0);
      const precision = predicted > 0 ? tp / predicted : 0;
      const recall = support > 0 ? tp / support : 0;
      const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
      perClass[this.display.get(l) ?? l] = { precision, recall, f1, support };
      // Macro-F1 over classes present in gold or predictions (sklearn's default on the union).
      if (support > 0 || predicted > 0) f1s.push(f1);
    });
    return {
      rows: this.rows,
      scored: this.scored,
      errors: this.errors,
      evaluated,
      accuracy: evaluated > 0 ? correct / evaluated : null,
      macro_f1: evaluated > 0 && f1s.length > 0 ? f1s.reduce((a, b) => a + b, 0) / f1s.length : null,
      per_class: perClass,
      confusion: { labels: labels.map((l) => this.display.get(l) ?? l), matrix },
      pairs_per_s: seconds > 0 ? this.scored / seconds : 0,
      seconds,
      ...this.calibration.result(),
    };
  }
}

/** Plain-text summary for the terminal. */
export function formatMetrics(m: Metrics): string {
  const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(2)}%`);
  const lines = [`rows ${m.rows}  scored ${m.scored}  errors ${m.errors}  ${m.pairs_per_s.toFixed(1)} pairs/s  ${m.seconds.toFixed(2)} s`];
  if (m.accuracy === null) return lines.concat('no gold labels: accuracy not computed').join('\n');
  lines.push(`accuracy ${pct(m.accuracy)}  macro-F1 ${pct(m.macro_f1)}  (over ${m.evaluated} labelled rows)`);
  // Older metrics files (before calibration) have no such fields: print nothing for them.
  if (m.ece !== undefined && m.ece !== null) {
    lines.push(
      `ECE ${m.ece.toFixed(4)}  log-loss ${m.log_loss!.toFixed(4)}  Brier ${m.brier!.toFixed(4)}  (over ${m.calibration.rows} rows with probabilities)`,
    );
  }
  const w = Math.max(8, ...m.confusion.labels.map((l) => l.length));
  lines.push(`${'class'.padEnd(w)}  precision  recall     f1  support`);
  for (const [l, c] of Object.entries(m.per_class)) {
    lines.push(
      `${l.padEnd(w)}  ${c.precision.toFixed(4).padStart(9)}  ${c.recall.toFixed(4).padStart(6)}  ${c.f1.toFixed(4)}  ${String(c.support).padStart(7)}`,
    );
  }
  lines.push(`confusion (rows gold, columns predicted): ${m.confusion.labels.join(', ')}`);
  for (let i = 0; i < m.confusion.labels.length; i++) {
    lines.push(`${m.confusion.labels[i]!.padEnd(w)}  ${m.confusion.matrix[i]!.map((v) => String(v).padStart(6)).join(' ')}`);
  }
  return lines.join('\n');
}
