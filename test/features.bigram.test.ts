import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, type Featurizer } from '../src/features/index.js';

let f: Featurizer;
before(async () => {
  f = await createFeaturizer('bigram_cov');
});
const get = (p: string, h: string): number => f.compute(p, h)[0]!;

describe('features bigram', () => {
  it('is 1 when every hypothesis bigram is in the premise (articles skipped)', () => {
    assert.equal(get('A man is playing a guitar', 'The man is playing the guitar'), 1);
    assert.equal(get('A man is playing a guitar on stage', 'A man is playing'), 1);
  });

  it('drops when roles swap although the words stay', () => {
    // hypothesis bigrams: man-be, be-chase, chase-dog; premise has be-chase only
    assert.ok(Math.abs(get('A dog is chasing a man', 'A man is chasing a dog') - 1 / 3) < 1e-6);
  });

  it('compares lemmas', () => {
    assert.equal(get('The dogs are running', 'A dog is running'), 1);
  });

  it('is zero with fewer than two words', () => {
    assert.equal(get('A dog runs', 'Dog'), 0);
    assert.equal(get('', ''), 0);
  });
});
