/**
 * What one feature file exports: a group of one or a few closely related columns computed
 * together from the shared pair analysis (analysis/context.ts).
 */
import type { PairContext } from './analysis/context.js';

export interface FeatureColumn {
  /** Column name: lowercase snake_case, unique across the registry. */
  readonly name: string;
  /** One line: what the value is and its range. */
  readonly description: string;
}

export interface FeatureGroup {
  /** Group name (selecting it selects all its columns); unique, never equal to another group's column. */
  readonly group: string;
  readonly columns: readonly FeatureColumn[];
  /** Needs WordNet relations (hypernyms, antonyms), i.e. data.* parsed, not only index.*. */
  readonly needsRelations?: boolean;
  /**
   * Writes exactly `columns.length` finite values, in column order, to out[at..]. Must be
   * deterministic, never NaN/Infinity (0 when undefined, e.g. empty text), and allocate little.
   */
  compute(ctx: PairContext, out: Float64Array, at: number): void;
}

/** a / b, or 0 when b is 0 (features never produce NaN). */
export function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}
