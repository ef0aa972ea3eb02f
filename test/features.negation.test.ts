import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, type Featurizer } from '../src/features/index.js';

let f: Featurizer;
before(async () => {
  f = await createFeaturizer('negation');
});
function get(p: string, h: string): Record<string, number> {
  const v = f.compute(p, h);
  return Object.fromEntries(f.names.map((n, i) => [n, v[i]!]));
}

describe('features negation', () => {
  it('has its four columns', () => {
    assert.deepEqual(f.names, ['neg_premise', 'neg_hypothesis', 'neg_mismatch', 'neg_one_sided']);
  });

  it('flags an inserted "not"', () => {
    assert.deepEqual(get('A man is playing a guitar', 'A man is not playing a guitar'), {
      neg_premise: 0,
      neg_hypothesis: 1,
      neg_mismatch: 1,
      neg_one_sided: 1,
    });
  });

  it("counts n't from isn't and every listed cue", () => {
    assert.equal(get("The cat isn't sleeping", 'x').neg_premise, 1);
    assert.equal(get('Nobody is here and nothing is never without none, neither nor nowhere', '').neg_premise, 8);
  });

  it('is symmetric and zero when both sides agree', () => {
    assert.deepEqual(get('There is no dog', 'No dog is there'), {
      neg_premise: 1,
      neg_hypothesis: 1,
      neg_mismatch: 0,
      neg_one_sided: 0,
    });
    const a = get('The man is not sleeping', 'The man is sleeping');
    assert.equal(a.neg_mismatch, 1);
    assert.equal(a.neg_one_sided, 1);
  });

  it('counts cue differences', () => {
    const a = get('No man is not happy', 'A man is happy');
    assert.equal(a.neg_mismatch, 2);
    assert.equal(get('No man is not happy', 'A man is not happy').neg_one_sided, 0);
  });
});
