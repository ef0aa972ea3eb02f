import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { benchFeatures, readPairsTsv } from '../scripts/bench/features.js';

describe('features benchFeatures', () => {
  it('times cold runs on the pairs the warm-up did not see and reports their median', async () => {
    const pairs: Array<[string, string]> = Array.from({ length: 200 }, (_, i) => [
      `A man is playing ${i % 3} guitars`,
      i % 2 ? "A man isn't playing a guitar" : 'A woman is playing a piano',
    ]);
    const r = await benchFeatures(pairs, { rounds: 2 });
    assert.equal(r.pairs, 100, 'the warm-up takes the first half; only the second half is timed');
    assert.equal(r.runs.length, 2);
    assert.ok(r.runs.every((x) => x > 0 && Number.isFinite(x)));
    assert.ok(r.pairsPerSec >= Math.min(...r.runs) && r.pairsPerSec <= Math.max(...r.runs));
    assert.ok(r.loadMs >= 0);
  });

  it('refuses fewer than two pairs (nothing left to time cold)', async () => {
    await assert.rejects(benchFeatures([['a', 'b']]), /at least two pairs/);
  });

  it('readPairsTsv returns undefined for a missing file', () => {
    assert.equal(readPairsTsv('/nonexistent/pairs.tsv'), undefined);
  });
});
