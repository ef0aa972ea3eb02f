import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { benchFeatures, readPairsTsv } from '../scripts/bench/features.js';

describe('features benchFeatures', () => {
  it('times a small run and reports its numbers', async () => {
    const pairs: Array<[string, string]> = Array.from({ length: 200 }, (_, i) => [
      `A man is playing ${i % 3} guitars`,
      i % 2 ? "A man isn't playing a guitar" : 'A woman is playing a piano',
    ]);
    const r = await benchFeatures(pairs);
    assert.equal(r.pairs, 200);
    assert.ok(r.pairsPerSec > 0 && Number.isFinite(r.pairsPerSec));
    assert.ok(r.loadMs >= 0);
  });

  it('readPairsTsv returns undefined for a missing file', () => {
    assert.equal(readPairsTsv('/nonexistent/pairs.tsv'), undefined);
  });
});
