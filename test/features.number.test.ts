import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, type Featurizer } from '../src/features/index.js';

let f: Featurizer;
before(async () => {
  f = await createFeaturizer('number');
});
function get(p: string, h: string): Record<string, number> {
  const v = f.compute(p, h);
  return Object.fromEntries(f.names.map((n, i) => [n, v[i]!]));
}

describe('features number', () => {
  it('flags different number words', () => {
    assert.deepEqual(get('Three dogs run', 'Two dogs run'), { num_hyp_unmatched: 1, num_prem_unmatched: 1, num_mismatch: 1 });
  });

  it('matches digits against number words', () => {
    assert.deepEqual(get('3 dogs run', 'Three dogs run'), { num_hyp_unmatched: 0, num_prem_unmatched: 0, num_mismatch: 0 });
    assert.equal(get('A dozen eggs', '12 eggs').num_mismatch, 0);
    assert.equal(get('Dozens of eggs', 'A dozen eggs').num_mismatch, 0);
  });

  it('counts one-sided numbers without the both-sides flag', () => {
    assert.deepEqual(get('Some dogs run', 'Five dogs run'), { num_hyp_unmatched: 1, num_prem_unmatched: 0, num_mismatch: 0 });
    assert.deepEqual(get('Five dogs run', 'Dogs run'), { num_hyp_unmatched: 0, num_prem_unmatched: 1, num_mismatch: 0 });
  });

  it('an article matches "one", pronoun "one" is no number', () => {
    assert.equal(get('A dog runs', 'One dog runs').num_hyp_unmatched, 0);
    assert.equal(get('No one is running', 'Nobody runs').num_prem_unmatched, 0);
  });

  it('reads decimals and thousands separators', () => {
    assert.equal(get('It costs 3.50', 'It costs 3.5').num_mismatch, 0);
    assert.equal(get('1,000 people', '1000 people').num_mismatch, 0);
    assert.equal(get('1,000 people', '100 people').num_mismatch, 1);
  });
});
