import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatRatio, median, perRoundRatios, spread, summarizeRatios } from '../scripts/bench/stats.js';

describe('bench stats', () => {
  it('median of odd and even counts, whatever the order', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([7]), 7);
  });

  it('median ignores one lucky round where the best round would not', () => {
    const ratios = perRoundRatios([50, 51, 90], [40, 40, 40]);
    assert.equal(median(ratios), 51 / 40);
    assert.equal(spread(ratios).max, 90 / 40);
  });

  it('spread is min and max', () => {
    assert.deepEqual(spread([1.2, 0.9, 1.5]), { min: 0.9, max: 1.5 });
  });

  it('per-round ratios pair round i with round i and refuse unequal rounds', () => {
    assert.deepEqual(perRoundRatios([10, 30], [5, 10]), [2, 3]);
    assert.throws(() => perRoundRatios([1, 2], [1]), /rounds differ/);
  });

  it('empty lists are an error, not NaN', () => {
    assert.throws(() => median([]), /empty/);
    assert.throws(() => spread([]), /empty/);
  });

  it('formats the median with its spread, and a single round without one', () => {
    assert.equal(formatRatio(summarizeRatios([1.4, 1.61, 1.52])), '1.52× (1.40–1.61×)');
    assert.equal(formatRatio(summarizeRatios([1.5])), '1.50×');
  });
});
