import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer, listFeatures, listOptInGroups } from '../src/features/index.js';
import { LEXICAL_BUCKETS } from '../src/features/defs/lexical.js';

describe('features lexical (hashed cross-sentence word pairs)', () => {
  it('is opt-in: not in "all", appended after every dense column when selected', async () => {
    const dense = listFeatures().map((f) => f.name);
    const all = await createFeaturizer('all');
    assert.deepEqual(all.names, dense);
    const both = await createFeaturizer('lexical, all');
    assert.equal(both.names.length, dense.length + LEXICAL_BUCKETS);
    assert.deepEqual(both.names.slice(0, dense.length), dense);
    assert.equal(both.names[dense.length], 'lex_0000');
    assert.equal(both.names.at(-1), `lex_${LEXICAL_BUCKETS - 1}`);
    assert.deepEqual(
      listOptInGroups().map((g) => g.group),
      ['lexical'],
    );
    // Single bucket columns can be selected too.
    assert.deepEqual((await createFeaturizer('lex_0007')).names, ['lex_0007']);
  });

  it('counts the edit: unaligned words on each side and their cross pairs', async () => {
    const f = await createFeaturizer('lexical');
    const same = f.compute('A man is playing a guitar', 'The man is playing a guitar');
    assert.equal(
      same.reduce((a, b) => a + b, 0),
      0,
      'articles and aligned words give nothing',
    );
    const edit = f.compute('A man is playing a guitar', 'A woman is playing a guitar');
    // p|man, h|woman and x|man|woman (buckets may coincide, counts add up).
    assert.equal(
      edit.reduce((a, b) => a + b, 0),
      3,
    );
    const neg = f.compute('A man is playing a guitar', 'A man is not playing a guitar');
    assert.equal(
      neg.reduce((a, b) => a + b, 0),
      1,
      'h|not',
    );
    // Deterministic and independent of earlier pairs.
    const again = (await createFeaturizer('lexical')).compute('A man is playing a guitar', 'A woman is playing a guitar');
    assert.deepEqual(Array.from(again), Array.from(edit));
  });
});
