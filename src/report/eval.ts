/**
 * `pairscore eval`: metrics of a predictions file written by `score` (predictions.ts reads it),
 * streamed through the same MetricsAccumulator `score` uses. Label order comes from the
 * probabilities (the model's or head's order); gold labels outside it are added as seen.
 */
import type { ScoreRow } from '../contracts.js';
import { InputError } from '../errors.js';
import { MetricsAccumulator, type Metrics, type MetricsRow } from './metrics.js';
import { openPredictions } from './predictions.js';

/**
 * Streams every row of `file` into metrics; `observe` sees each row too (the report keeps the
 * most confident errors that way, in the same pass).
 */
export async function evaluatePredictions(file: string, observe?: (row: ScoreRow) => void): Promise<Metrics> {
  const preds = await openPredictions(file);
  let acc: MetricsAccumulator | undefined;
  const pending: MetricsRow[] = [];
  const started = performance.now();
  for await (const row of preds.rows()) {
    observe?.(row);
    if (!acc && preds.labels().length > 0) acc = new MetricsAccumulator(preds.labels());
    if (!acc && row.error === undefined) acc = new MetricsAccumulator([]);
    if (!acc) {
      // error rows before the first scored row: count them once the label order is known
      pending.push(row);
      continue;
    }
    for (const p of pending.splice(0)) acc.add(p);
    acc.add(row);
  }
  acc ??= new MetricsAccumulator(preds.labels());
  for (const p of pending.splice(0)) acc.add(p);
  const m = acc.result((performance.now() - started) / 1000);
  if (m.rows === 0) throw new InputError(`${file}: no prediction rows`);
  return m;
}
