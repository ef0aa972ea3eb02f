import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { flopsPerPair, unpadded, type BertShape } from '../scripts/bench/flop-count.js';

/** 2 FLOPs per multiply-add of an [m, k] × [k, n] product. */
const mm = (m: number, k: number, n: number) => 2 * m * k * n;

/** Every matmul of a BERT forward pass written out one by one, with an explicit head split. */
function byHand(rows: number, T: number, s: BertShape, heads: number): number {
  const { layers, hidden: H, intermediate: I, labels } = s;
  const d = H / heads;
  const tokens = rows * T;
  const perLayer =
    4 * mm(tokens, H, H) + // Q, K, V, attention output
    mm(tokens, H, I) + // FFN up
    mm(tokens, I, H) + // FFN down
    rows * heads * (mm(T, d, T) + mm(T, T, d)); // Q·Kᵀ and probs·V per head
  return (layers * perLayer + mm(rows, H, H) + mm(rows, H, labels)) / rows;
}

describe('bench flopsPerPair', () => {
  const tiny: BertShape = { layers: 1, hidden: 2, intermediate: 8, labels: 3 };

  it('one row of 3 tokens, 1 layer, H = 2, I = 8, 3 labels: 380 FLOPs, as counted by hand', () => {
    // Per token: QKV+O 4·(2·2·2) = 32, FFN 2·(2·2·8) = 64 → ×3 tokens = 288;
    // attention: Q·Kᵀ [3×2]·[2×3] = 36, probs·V [3×3]·[3×2] = 36 → 72; pooler 2·2·2 = 8, classifier 2·2·3 = 12.
    assert.equal(flopsPerPair([{ rows: 1, seqLen: 3 }], tiny), 288 + 72 + 8 + 12);
    assert.equal(flopsPerPair([{ rows: 1, seqLen: 3 }], tiny), byHand(1, 3, tiny, 1));
  });

  it('agrees with the matmuls written out, whatever the head split, over several batches and layers', () => {
    const s: BertShape = { layers: 3, hidden: 12, intermediate: 48, labels: 2 };
    const batches = [
      { rows: 4, seqLen: 7 },
      { rows: 2, seqLen: 11 },
    ];
    const want = (4 * byHand(4, 7, s, 3) + 2 * byHand(2, 11, s, 4)) / 6;
    assert.equal(flopsPerPair(batches, s), want);
  });

  it('padding adds FLOPs: rows of 3 and 5 tokens padded together cost two 5-token rows', () => {
    const alone = flopsPerPair(unpadded([3, 5]), tiny);
    const padded = flopsPerPair([{ rows: 2, seqLen: 5 }], tiny);
    assert.ok(padded > alone, `padded ${padded} should exceed unpadded ${alone}`);
    assert.equal(padded, flopsPerPair([{ rows: 1, seqLen: 5 }], tiny));
    assert.equal(alone, (byHand(1, 3, tiny, 1) + byHand(1, 5, tiny, 1)) / 2);
  });

  it("BERT-base, one 23-token pair: ~3.93 GFLOP, so ~205 GFLOP/s allows ~52 pairs/s (DESIGN.md's arithmetic)", () => {
    const base: BertShape = { layers: 12, hidden: 768, intermediate: 3072, labels: 3 };
    const f = flopsPerPair([{ rows: 1, seqLen: 23 }], base);
    assert.equal(f, 12 * 23 * (24 * 768 * 768 + 4 * 23 * 768) + 2 * 768 * 768 + 2 * 768 * 3);
    assert.equal(Math.round(205e9 / f), 52);
  });

  it('refuses an empty list and impossible shapes instead of returning NaN', () => {
    assert.throws(() => flopsPerPair([], tiny), /at least one row/);
    assert.throws(() => flopsPerPair([{ rows: 0, seqLen: 3 }], tiny), /bad batch shape/);
    assert.throws(() => flopsPerPair([{ rows: 2, seqLen: 2.5 }], tiny), /bad batch shape/);
  });
});
