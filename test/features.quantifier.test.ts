import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, type Featurizer } from '../src/features/index.js';

let f: Featurizer;
before(async () => {
  f = await createFeaturizer('quantifier');
});
function get(p: string, h: string): Record<string, number> {
  const v = f.compute(p, h);
  return Object.fromEntries(f.names.map((n, i) => [n, v[i]!]));
}

describe('features quantifier', () => {
  it('all vs no', () => {
    assert.deepEqual(get('All dogs bark', 'No dog barks'), { quant_all_no: 1, quant_some_no: 0, quant_all_some: 0 });
    assert.equal(get('Nobody is dancing', 'Everybody is dancing').quant_all_no, 1);
  });

  it('some vs no, including "a few"', () => {
    assert.deepEqual(get('Some children play', 'No child plays'), { quant_all_no: 0, quant_some_no: 1, quant_all_some: 0 });
    assert.equal(get('A few children play', 'None of the children play').quant_some_no, 1);
  });

  it('all vs some', () => {
    assert.equal(get('Every man sings', 'Some men sing').quant_all_some, 1);
  });

  it('no conflict when the classes agree or are missing', () => {
    assert.deepEqual(get('All dogs bark', 'Every dog barks'), { quant_all_no: 0, quant_some_no: 0, quant_all_some: 0 });
    assert.deepEqual(get('A dog barks', 'The dog barks'), { quant_all_no: 0, quant_some_no: 0, quant_all_some: 0 });
    assert.equal(get('They hug each other', 'Nobody hugs').quant_all_no, 0);
  });
});
