import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, type Featurizer } from '../src/features/index.js';

let f: Featurizer;
before(async () => {
  f = await createFeaturizer('modal');
});
function get(p: string, h: string): Record<string, number> {
  const v = f.compute(p, h);
  return Object.fromEntries(f.names.map((n, i) => [n, v[i]!]));
}

describe('features modal', () => {
  it('flags a modal on one side', () => {
    assert.deepEqual(get('A man might be playing', 'A man is playing'), { modal_mismatch: 1, modal_one_sided: 1 });
  });

  it('counts different modals on both sides', () => {
    assert.deepEqual(get('A man can swim', 'A man must swim'), { modal_mismatch: 2, modal_one_sided: 0 });
    assert.deepEqual(get('A man will swim', "A man'll swim"), { modal_mismatch: 0, modal_one_sided: 0 });
  });

  it("won't and can't keep their modal", () => {
    assert.deepEqual(get("He won't go", 'He will go'), { modal_mismatch: 0, modal_one_sided: 0 });
    assert.deepEqual(get("He can't go", 'He goes'), { modal_mismatch: 1, modal_one_sided: 1 });
  });

  it('a noun "can" after a determiner is no modal', () => {
    assert.deepEqual(get('A man is opening a can', 'A man is opening a tin'), { modal_mismatch: 0, modal_one_sided: 0 });
  });
});
