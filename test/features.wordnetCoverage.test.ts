import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, type Featurizer } from '../src/features/index.js';

let f: Featurizer;
before(async () => {
  f = await createFeaturizer('wordnet');
});
function get(p: string, h: string): Record<string, number> {
  const v = f.compute(p, h);
  return Object.fromEntries(f.names.map((n, i) => [n, v[i]!]));
}

describe('features wordnet (synonym / hypernym / hyponym coverage)', () => {
  it('finds a premise synonym for a new hypothesis word', () => {
    const a = get('A man is driving a car', 'A man is driving an automobile');
    assert.equal(a.wn_synonym, 1);
  });

  it('hypernym: the hypothesis generalizes', () => {
    const a = get('A dog is running', 'An animal is running');
    assert.equal(a.wn_hypernym, 1);
    assert.equal(a.wn_hyponym, 0);
  });

  it('hyponym: the hypothesis specializes', () => {
    const a = get('An animal is running', 'A dog is running');
    assert.equal(a.wn_hyponym, 1);
    assert.equal(a.wn_hypernym, 0);
  });

  it('is a fraction over unaligned hypothesis content words', () => {
    // "animal" generalizes "dog"; "guitar" has no link.
    const a = get('A dog is running', 'An animal is playing a guitar');
    assert.ok(a.wn_hypernym! > 0 && a.wn_hypernym! < 1);
  });

  it('is zero when everything is aligned or text is empty', () => {
    assert.deepEqual(get('A dog runs', 'A dog runs'), { wn_synonym: 0, wn_hypernym: 0, wn_hyponym: 0 });
    assert.deepEqual(get('', 'A dog runs'), { wn_synonym: 0, wn_hypernym: 0, wn_hyponym: 0 });
  });
});
