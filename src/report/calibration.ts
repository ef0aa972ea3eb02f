/**
 * Probability-quality metrics accumulated row by row (constant memory, like MetricsAccumulator):
 *
 * - ECE (expected calibration error, Guo et al. 2017): rows are binned by their confidence (the
 *   probability of the predicted label) into CALIBRATION_BINS equal-width bins over [0, 1];
 *   ECE = Σ_b (n_b / N) · |accuracy_b − mean confidence_b|. 0 = perfectly calibrated.
 * - log-loss: mean of −ln p(gold), with p clipped to [LOG_LOSS_EPS, 1] (sklearn's clipping), so a
 *   gold label the model gave probability 0 (or never knew) costs −ln(1e-15) ≈ 34.5, not infinity.
 * - Brier score: multi-class, as Brier (1950) defined it: mean over rows of Σ_k (p_k − y_k)²,
 *   in [0, 2]; a gold label outside the probabilities adds 1 (its indicator, never predicted).
 *
 * The bins are kept in the metrics so a report can draw the reliability diagram and the
 * confidence histogram of correct vs wrong predictions without the rows (distributed runs).
 */
export const CALIBRATION_BINS = 10;
export const LOG_LOSS_EPS = 1e-15;

export interface CalibrationBin {
  /** The bin covers confidences in [lo, hi) (the last one [lo, 1]). */
  lo: number;
  hi: number;
  count: number;
  /** Rows in the bin whose prediction equals the gold label. */
  correct: number;
  /** Mean confidence of the rows in the bin (null when empty). */
  confidence: number | null;
}

export interface CalibrationMetrics {
  ece: number | null;
  log_loss: number | null;
  brier: number | null;
  /** Rows with a gold label, a prediction and probabilities: what the three numbers are over. */
  calibration: { rows: number; bins: CalibrationBin[] };
}

export interface CalibrationRow {
  /** Normalised (upper-case) gold and predicted labels. */
  gold: string;
  label: string;
  /** Probabilities keyed by normalised label. */
  probs: ReadonlyMap<string, number>;
}

export class CalibrationAccumulator {
  private readonly count = new Array<number>(CALIBRATION_BINS).fill(0);
  private readonly correct = new Array<number>(CALIBRATION_BINS).fill(0);
  private readonly confSum = new Array<number>(CALIBRATION_BINS).fill(0);
  private rows = 0;
  private logLossSum = 0;
  private brierSum = 0;

  add(row: CalibrationRow): void {
    let confidence = row.probs.get(row.label);
    // A row whose predicted label has no probability: its confidence is the largest one.
    if (confidence === undefined) confidence = Math.max(...row.probs.values());
    if (!Number.isFinite(confidence)) return;
    const bin = Math.min(CALIBRATION_BINS - 1, Math.max(0, Math.floor(confidence * CALIBRATION_BINS)));
    this.rows++;
    this.count[bin]!++;
    this.confSum[bin]! += confidence;
    if (row.gold === row.label) this.correct[bin]!++;
    const pGold = row.probs.get(row.gold) ?? 0;
    this.logLossSum += -Math.log(Math.min(1, Math.max(LOG_LOSS_EPS, pGold)));
    let brier = row.probs.has(row.gold) ? 0 : 1;
    for (const [l, p] of row.probs) brier += (p - (l === row.gold ? 1 : 0)) ** 2;
    this.brierSum += brier;
  }

  result(): CalibrationMetrics {
    const n = this.rows;
    const bins: CalibrationBin[] = this.count.map((count, b) => ({
      lo: b / CALIBRATION_BINS,
      hi: (b + 1) / CALIBRATION_BINS,
      count,
      correct: this.correct[b]!,
      confidence: count > 0 ? this.confSum[b]! / count : null,
    }));
    const ece = bins.reduce((s, b) => (b.count > 0 ? s + (b.count / n) * Math.abs(b.correct / b.count - b.confidence!) : s), 0);
    return {
      ece: n > 0 ? ece : null,
      log_loss: n > 0 ? this.logLossSum / n : null,
      brier: n > 0 ? this.brierSum / n : null,
      calibration: { rows: n, bins },
    };
  }
}
