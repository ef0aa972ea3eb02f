import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, type Featurizer } from '../src/features/index.js';

let f: Featurizer;
before(async () => {
  f = await createFeaturizer('coverage');
});
function get(p: string, h: string): Record<string, number> {
  const v = f.compute(p, h);
  return Object.fromEntries(f.names.map((n, i) => [n, v[i]!]));
}

describe('features coverage', () => {
  it('a hypothesis that drops material is fully covered', () => {
    const a = get('A man is playing a guitar on the stage', 'A man is playing a guitar');
    assert.equal(a.cov_hyp_token, 1);
    assert.equal(a.cov_hyp_lemma, 1);
    // premise content {man, play, guitar, stage}: 3 / 4 in the hypothesis
    assert.equal(a.cov_prem_lemma, 0.75);
  });

  it('lemma coverage sees through inflection, token coverage does not', () => {
    const a = get('The dogs are running', 'A dog runs');
    assert.equal(a.cov_hyp_lemma, 1);
    assert.ok(Math.abs(a.cov_hyp_token! - 0) < 1e-6);
  });

  it('is a fraction of the hypothesis', () => {
    // hypothesis tokens the, cat, runs: only "runs" is in the premise
    assert.ok(Math.abs(get('A dog runs', 'The cat runs').cov_hyp_token! - 1 / 3) < 1e-6);
  });

  it('is zero on empty text', () => {
    assert.deepEqual(get('', ''), { cov_hyp_token: 0, cov_hyp_lemma: 0, cov_prem_lemma: 0 });
    assert.deepEqual(get('A dog', ''), { cov_hyp_token: 0, cov_hyp_lemma: 0, cov_prem_lemma: 0 });
  });
});
