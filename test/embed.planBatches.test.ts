import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Encoding } from '../src/contracts.js';
import { groupByBudget, planBatches } from '../src/embed/batcher.js';

function enc(len: number, seed: number): Encoding {
  const ids = Int32Array.from({ length: len }, (_, t) => 1000 + seed * 10 + t);
  const typeIds = Int32Array.from({ length: len }, (_, t) => (t >= len / 2 ? 1 : 0));
  return { ids, typeIds };
}

describe('planBatches', () => {
  const lengths = [7, 3, 12, 3, 5, 9, 4, 30, 6, 3];
  const encodings = lengths.map((l, i) => enc(l, i));

  it('keeps every batch within the token budget (rows × longest)', () => {
    const plan = planBatches(encodings, { batchTokens: 16, padId: 0 });
    for (const b of plan.batches) {
      if (b.rows.length > 1) assert.ok(b.rows.length * b.seqLen <= 16, `batch ${b.rows} has ${b.rows.length}×${b.seqLen}`);
      assert.equal(b.seqLen, Math.max(...b.rows.map((i) => lengths[i]!)));
    }
    const all = plan.batches.flatMap((b) => b.rows).sort((a, b) => a - b);
    assert.deepEqual(
      all,
      lengths.map((_, i) => i),
    );
  });

  it('puts a row longer than the budget in a batch of its own', () => {
    const plan = planBatches(encodings, { batchTokens: 16, padId: 0 });
    const big = plan.batches.find((b) => b.rows.includes(7))!;
    assert.deepEqual(big.rows, [7]);
    assert.equal(big.seqLen, 30);
  });

  it('sorts stably by length and pads each batch to its own longest with padId', () => {
    const plan = planBatches(encodings, { batchTokens: 10_000, padId: 99 });
    assert.equal(plan.batches.length, 1);
    const b = plan.batches[0]!;
    assert.deepEqual(b.rows, [1, 3, 9, 6, 4, 8, 0, 5, 2, 7]);
    assert.equal(b.seqLen, 30);
    const row0 = b.ids.subarray(0, 30); // input row 1, length 3
    assert.deepEqual([...row0.subarray(0, 3)], [...encodings[1]!.ids]);
    assert.ok(row0.subarray(3).every((v) => v === 99));
    assert.ok(b.typeIds.subarray(3, 30).every((v) => v === 0));
    assert.deepEqual([...b.lengths], [3, 3, 3, 4, 5, 6, 7, 9, 12, 30]);
  });

  it('reports padding waste as padding tokens / real tokens', () => {
    const plan = planBatches([enc(2, 0), enc(4, 1)], { batchTokens: 100, padId: 0 });
    assert.equal(plan.realTokens, 6);
    assert.equal(plan.paddedTokens, 8);
    assert.equal(plan.paddingWaste, 2 / 6);
    assert.equal(planBatches([enc(4, 0), enc(4, 1)], { batchTokens: 100, padId: 0 }).paddingWaste, 0);
    assert.equal(planBatches([], { batchTokens: 100, padId: 0 }).paddingWaste, 0);
  });

  it('puts every input row in exactly one batch, so its vectors go back to its input position', () => {
    const plan = planBatches(encodings, { batchTokens: 12, padId: 0 });
    assert.ok(plan.batches.length > 3);
    const seen = plan.batches.flatMap((b) => b.rows).sort((a, b) => a - b);
    assert.deepEqual(
      seen,
      lengths.map((_, i) => i),
    );
  });

  it('groupByBudget rejects a non-positive budget', () => {
    assert.throws(() => groupByBudget([1, 2], 0), RangeError);
  });
});
