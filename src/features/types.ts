/** Computes the selected hand-crafted features of a pair, in a stable order. */
export interface Featurizer {
  /** Column names, in the order `compute` fills its result. */
  readonly names: readonly string[];
  compute(premise: string, hypothesis: string): Float32Array;
}
