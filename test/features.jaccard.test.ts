import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, type Featurizer } from '../src/features/index.js';

let f: Featurizer;
before(async () => {
  f = await createFeaturizer('jaccard');
});
function get(p: string, h: string): Record<string, number> {
  const v = f.compute(p, h);
  return Object.fromEntries(f.names.map((n, i) => [n, v[i]!]));
}

describe('features jaccard', () => {
  it('is 1 for identical sentences, 0 for disjoint ones and empty text', () => {
    assert.deepEqual(get('A dog runs', 'a dog runs.'), { jaccard_token: 1, jaccard_lemma: 1 });
    assert.deepEqual(get('A dog runs', 'The cat sleeps'), { jaccard_token: 0, jaccard_lemma: 0 });
    assert.deepEqual(get('', ''), { jaccard_token: 0, jaccard_lemma: 0 });
  });

  it('token Jaccard counts all distinct words', () => {
    // {a, dog, runs} vs {the, dog, runs}: 2 / 4
    assert.equal(get('A dog runs', 'The dog runs').jaccard_token, 0.5);
    // duplicates do not count twice: {a, dog, and, cat} vs {a, dog}
    assert.equal(get('A dog and a cat', 'A dog').jaccard_token, 0.5);
  });

  it('lemma Jaccard uses content lemmas only', () => {
    // {dog, run} vs {dog, run}
    assert.equal(get('The dogs are running', 'A dog runs').jaccard_lemma, 1);
    // {child, play} vs {child, sleep}: 1 / 3
    assert.ok(Math.abs(get('The children are playing', 'A child is sleeping').jaccard_lemma! - 1 / 3) < 1e-6);
  });
});
