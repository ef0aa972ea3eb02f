/**
 * Statistics every bench gate reads: rounds are interleaved (ours, peer, ours, peer, …), so
 * round i of ours and round i of the peer ran under the same machine load, and their ratio is
 * the figure. The gate reads the median of the per-round ratios — not the best round, which
 * on a shared machine rewards luck — and the spread (min–max) is printed beside it.
 */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new Error('median of an empty list');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export interface Spread {
  min: number;
  max: number;
}

export function spread(xs: readonly number[]): Spread {
  if (xs.length === 0) throw new Error('spread of an empty list');
  return { min: Math.min(...xs), max: Math.max(...xs) };
}

/** ours[i] / peer[i] for each round both measured; the lists must be the same length. */
export function perRoundRatios(ours: readonly number[], peer: readonly number[]): number[] {
  if (ours.length !== peer.length) throw new Error(`rounds differ: ${ours.length} vs ${peer.length}`);
  return ours.map((x, i) => x / peer[i]!);
}

export interface RatioSummary {
  median: number;
  min: number;
  max: number;
  rounds: number;
}

export function summarizeRatios(ratios: readonly number[]): RatioSummary {
  return { median: median(ratios), ...spread(ratios), rounds: ratios.length };
}

/** "1.52× (1.40–1.61×)"; a single round has no spread to show. */
export function formatRatio(r: RatioSummary): string {
  const m = `${r.median.toFixed(2)}×`;
  return r.rounds > 1 ? `${m} (${r.min.toFixed(2)}–${r.max.toFixed(2)}×)` : m;
}
