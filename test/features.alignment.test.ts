import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, type Featurizer } from '../src/features/index.js';

let f: Featurizer;
before(async () => {
  f = await createFeaturizer('alignment');
});
function get(p: string, h: string): Record<string, number> {
  const v = f.compute(p, h);
  return Object.fromEntries(f.names.map((n, i) => [n, v[i]!]));
}

describe('features alignment', () => {
  it('counts unaligned content words on each side', () => {
    const a = get('A man is playing a guitar', 'A man is playing a piano loudly');
    assert.equal(a.unaligned_hyp, 2);
    assert.equal(a.unaligned_prem, 1);
  });

  it('subject mismatch unless WordNet-related', () => {
    assert.equal(get('A man is sleeping', 'A woman is sleeping').subj_mismatch, 1);
    assert.equal(get('A man is sleeping', 'A person is sleeping').subj_mismatch, 0);
    assert.equal(get('Three dogs run', 'Two dogs run').subj_mismatch, 0);
  });

  it('verb mismatch on the main -ing verb', () => {
    assert.equal(get('A man is cooking', 'A man is swimming').verb_mismatch, 1);
    assert.equal(get('A man is cooking food', 'The man cooks').verb_mismatch, 0);
  });

  it('is zero on empty text', () => {
    assert.deepEqual(get('', ''), { unaligned_hyp: 0, unaligned_prem: 0, subj_mismatch: 0, verb_mismatch: 0 });
  });
});
