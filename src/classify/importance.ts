/**
 * What a trained head relies on: permutation importance of each input group (Breiman 2001; the
 * scikit-learn `permutation_importance` recipe). For one group at a time — the embedding, the
 * logits, each hand-crafted feature group — the group's columns are shuffled across the
 * validation rows (one seeded permutation per group, applied to all its columns so the group
 * stays internally consistent) and the drop in accuracy and macro-F1 is recorded. A drop near 0
 * means the head decides without that group; a large one means it leans on it.
 * Deterministic (seeded Rng), so the head file stays byte-identical for the same inputs and seed.
 */
import { listFeatureGroups, listOptInGroups } from '../features/index.js';
import type { HeadFile } from './head-format.js';
import { Mlp } from './mlp.js';
import { scorePredictions } from './evaluate.js';
import { Rng } from './rng.js';
import type { Matrix } from './train-types.js';

export interface InputGroupSpan {
  group: string;
  /** Column indexes in the head's input layout ([embedding | features | logits]). */
  columns: number[];
}

export interface GroupImportance {
  group: string;
  columns: number;
  accuracy_drop: number;
  macro_f1_drop: number;
}

export interface PermutationImportance {
  rows: number;
  seed: number;
  base_accuracy: number;
  base_macro_f1: number;
  groups: GroupImportance[];
}

const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);
const round = (v: number) => Number(v.toFixed(6));

/** The head's inputs as groups: embedding, each feature group (registry order of first column), logits. */
export function headInputGroups(head: Pick<HeadFile, 'inputs'>): InputGroupSpan[] {
  const i = head.inputs;
  const groups: InputGroupSpan[] = [];
  let o = 0;
  if (i.embedding) {
    groups.push({ group: `embedding (${i.embedding})`, columns: range(0, i.embedding_dim) });
    o = i.embedding_dim;
  }
  const groupOf = new Map<string, string>();
  for (const g of [...listFeatureGroups(), ...listOptInGroups()]) for (const c of g.columns) groupOf.set(c, g.group);
  const byGroup = new Map<string, number[]>();
  i.features.forEach((f, k) => {
    // A column this build does not know (a head from another version) is its own group.
    const g = `features: ${groupOf.get(f) ?? f}`;
    if (!byGroup.has(g)) byGroup.set(g, []);
    byGroup.get(g)!.push(o + k);
  });
  for (const [group, columns] of byGroup) groups.push({ group, columns });
  o += i.features.length;
  if (i.logits) groups.push({ group: 'logits', columns: range(o, o + i.logits_dim) });
  return groups;
}

function predictAll(mlp: Mlp, x: Float32Array, n: number, d: number, permuted?: { perm: Int32Array; columns: number[] }): Int32Array {
  const row = new Float32Array(d);
  const pred = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    row.set(x.subarray(r * d, (r + 1) * d));
    if (permuted) {
      const src = permuted.perm[r]! * d;
      for (const c of permuted.columns) row[c] = x[src + c]!;
    }
    const p = mlp.predict(row);
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    pred[r] = best;
  }
  return pred;
}

/** Permutation importance of each input group of `head` on validation rows `val` (raw, unstandardized). */
export function permutationImportance(head: HeadFile, val: Matrix, seed: number): PermutationImportance {
  const mlp = new Mlp(head);
  const k = head.labels.length;
  const base = scorePredictions(predictAll(mlp, val.x, val.n, val.d), val.y, k);
  const groups = headInputGroups(head).map((g, gi): GroupImportance => {
    const rng = new Rng((seed + 0x51ed * (gi + 1)) >>> 0);
    const perm = Int32Array.from({ length: val.n }, (_, r) => r);
    rng.shuffle(perm);
    const s = scorePredictions(predictAll(mlp, val.x, val.n, val.d, { perm, columns: g.columns }), val.y, k);
    return {
      group: g.group,
      columns: g.columns.length,
      accuracy_drop: round(base.accuracy - s.accuracy),
      macro_f1_drop: round(base.macroF1 - s.macroF1),
    };
  });
  return { rows: val.n, seed, base_accuracy: round(base.accuracy), base_macro_f1: round(base.macroF1), groups };
}
