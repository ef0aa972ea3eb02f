import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, type Featurizer } from '../src/features/index.js';

let f: Featurizer;
before(async () => {
  f = await createFeaturizer('length');
});
function get(p: string, h: string): Record<string, number> {
  const v = f.compute(p, h);
  return Object.fromEntries(f.names.map((n, i) => [n, v[i]!]));
}

describe('features length', () => {
  it('difference and ratio in words', () => {
    assert.deepEqual(get('A man is playing a guitar', 'A man plays'), { len_diff: 3, len_ratio: 0.5 });
    assert.deepEqual(get('A man plays', 'A man is playing a guitar'), { len_diff: 3, len_ratio: 2 });
  });

  it("counts n't as a word", () => {
    assert.equal(get("He isn't", 'He is').len_diff, 1);
  });

  it('is zero (never NaN) when the premise is empty', () => {
    assert.deepEqual(get('', 'A dog'), { len_diff: 2, len_ratio: 0 });
    assert.deepEqual(get('', ''), { len_diff: 0, len_ratio: 0 });
  });
});
