import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, type Featurizer } from '../src/features/index.js';

let f: Featurizer;
before(async () => {
  f = await createFeaturizer('antonym');
});
function get(p: string, h: string): Record<string, number> {
  const v = f.compute(p, h);
  return Object.fromEntries(f.names.map((n, i) => [n, v[i]!]));
}

describe('features antonym', () => {
  it('counts a WordNet antonym substitution', () => {
    assert.deepEqual(get('The boy is happy', 'The boy is sad'), { antonym_pairs: 1, antonym_nouns: 0, antonym_negated: 0 });
    assert.equal(get('The door is open', 'The door is closed').antonym_pairs, 1);
    assert.equal(get('An old man is walking', 'A young man is walking').antonym_pairs, 1);
  });

  it('keeps noun-only antonyms (a different participant) apart', () => {
    assert.deepEqual(get('A man is sleeping', 'A woman is sleeping'), { antonym_pairs: 0, antonym_nouns: 1, antonym_negated: 0 });
    assert.equal(get('A boy is sleeping', 'A girl is sleeping').antonym_nouns, 1);
    assert.equal(get('A man is sitting', 'A man is standing').antonym_pairs, 1);
  });

  it('does not count a pair where one side is negated', () => {
    assert.deepEqual(get('The boy is not sad', 'The boy is happy'), { antonym_pairs: 0, antonym_nouns: 0, antonym_negated: 1 });
    assert.deepEqual(get('The boy is happy', "The boy isn't sad"), { antonym_pairs: 0, antonym_nouns: 0, antonym_negated: 1 });
  });

  it('ignores words that occur on both sides (no substitution)', () => {
    assert.equal(get('A man and a woman are dancing', 'A woman and a man are dancing').antonym_nouns, 0);
    assert.equal(get('A happy and a sad boy', 'A sad and a happy boy').antonym_pairs, 0);
  });

  it('is zero for unrelated words and empty text', () => {
    assert.deepEqual(get('A dog runs', 'A cat runs'), { antonym_pairs: 0, antonym_nouns: 0, antonym_negated: 0 });
    assert.deepEqual(get('', ''), { antonym_pairs: 0, antonym_nouns: 0, antonym_negated: 0 });
  });

  it('a scope ends at clause punctuation', () => {
    assert.equal(get('The boy is not tall, he is happy', 'The boy is sad').antonym_pairs, 1);
  });
});
