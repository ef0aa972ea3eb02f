/**
 * Pair template ([CLS] A [SEP] B [SEP], type ids 0/1) and `longest_first` truncation.
 *
 * Truncation follows Hugging Face tokenizers (utils/truncation.rs, what Python's fast
 * tokenizers and therefore the training code use): with budget = maxLength − special tokens
 * and s/l the shorter/longer sequence,
 *   - if only the longer one must shrink, it keeps budget − s tokens;
 *   - otherwise the shorter keeps ⌊budget/2⌋ and the longer ⌈budget/2⌉;
 *   - when both have the same length, A counts as the shorter one.
 * Tokens are always removed from the end. (transformers.js 4.x instead cuts the whole
 * [CLS] A [SEP] B [SEP] sequence at maxLength, losing B and the final [SEP].)
 */
import type { Encoding } from '../contracts.js';
import { InputError } from '../errors.js';

export type TemplatePiece = { kind: 'special'; ids: Int32Array; typeId: number } | { kind: 'sequence'; seq: 'A' | 'B'; typeId: number };

export interface PairTemplate {
  pieces: readonly TemplatePiece[];
  /** Number of special-token ids the template adds. */
  addedCount: number;
}

export function makePairTemplate(pieces: TemplatePiece[]): PairTemplate {
  let addedCount = 0;
  for (const p of pieces) if (p.kind === 'special') addedCount += p.ids.length;
  return { pieces, addedCount };
}

/** BERT's [CLS] A [SEP] B [SEP] with type ids 0 0 0 1 1. */
export function bertPairTemplate(clsId: number, sepId: number): PairTemplate {
  return makePairTemplate([
    { kind: 'special', ids: Int32Array.of(clsId), typeId: 0 },
    { kind: 'sequence', seq: 'A', typeId: 0 },
    { kind: 'special', ids: Int32Array.of(sepId), typeId: 0 },
    { kind: 'sequence', seq: 'B', typeId: 1 },
    { kind: 'special', ids: Int32Array.of(sepId), typeId: 1 },
  ]);
}

/** Lengths [a, b] that A and B keep so that a + b ≤ budget (longest_first). */
export function longestFirstLengths(nA: number, nB: number, budget: number): [number, number] {
  if (nA + nB <= budget) return [nA, nB];
  const swap = nA > nB;
  let short = swap ? nB : nA;
  let long: number;
  long = short > budget ? short : Math.max(short, budget - short);
  if (short + long > budget) {
    short = Math.floor(budget / 2);
    long = short + (budget % 2);
  }
  return swap ? [long, short] : [short, long];
}

/** Builds ids and type ids of a pair from the token ids of A and B (first nA / nB entries). */
export function assemblePair(template: PairTemplate, a: Int32Array, nA: number, b: Int32Array, nB: number, maxLength: number): Encoding {
  const budget = maxLength - template.addedCount;
  if (!Number.isInteger(maxLength) || budget < 0) {
    throw new InputError(`maxLength must be an integer ≥ ${template.addedCount} (the pair's special tokens); got ${maxLength}`);
  }
  let keepA = nA;
  let keepB = nB;
  if (nA + nB > budget) [keepA, keepB] = longestFirstLengths(nA, nB, budget);
  const total = keepA + keepB + template.addedCount;
  const ids = new Int32Array(total);
  const typeIds = new Int32Array(total);
  let k = 0;
  for (const piece of template.pieces) {
    const start = k;
    if (piece.kind === 'special') {
      ids.set(piece.ids, k);
      k += piece.ids.length;
    } else if (piece.seq === 'A') {
      ids.set(a.subarray(0, keepA), k);
      k += keepA;
    } else {
      ids.set(b.subarray(0, keepB), k);
      k += keepB;
    }
    if (piece.typeId !== 0) typeIds.fill(piece.typeId, start, k);
  }
  return { ids, typeIds };
}
