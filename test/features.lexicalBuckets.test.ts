/**
 * The `lexical` group's bucket ids are fixed (README "The `lexical` feature
 * group": saved heads keep their meaning): golden bucket ids for three pairs.
 * A change of the hash, the bucket count or the word analysis moves them and
 * fails here — such a change needs a new head format, not a silent shift.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFeaturizer } from '../src/features/index.js';
import { LEXICAL_BUCKETS } from '../src/features/defs/lexical.js';

const GOLDEN: Array<[string, string, string[]]> = [
  ['A man is playing a guitar', 'A woman is playing a guitar', ['lex_0228', 'lex_0765', 'lex_0859']],
  ['A man is playing a guitar', 'A man is not playing a guitar', ['lex_0089']],
  [
    'The dog is running in the park',
    'The cat is sleeping on the sofa',
    [
      'lex_0017',
      'lex_0028',
      'lex_0132',
      'lex_0160',
      'lex_0174',
      'lex_0205',
      'lex_0233',
      'lex_0236',
      'lex_0332',
      'lex_0337',
      'lex_0370',
      'lex_0380',
      'lex_0461',
      'lex_0486',
      'lex_0512',
      'lex_0528',
      'lex_0548',
      'lex_0647',
      'lex_0656',
      'lex_0826',
      'lex_0862',
      'lex_0878',
      'lex_0923',
      'lex_0955',
    ],
  ],
];

test('lexical bucket ids are fixed: 1,024 buckets, golden ids for known pairs', async () => {
  assert.equal(LEXICAL_BUCKETS, 1024);
  const f = await createFeaturizer('lexical');
  for (const [premise, hypothesis, ids] of GOLDEN) {
    const v = f.compute(premise, hypothesis);
    const hit = f.names.filter((_, i) => v[i] !== 0);
    assert.deepEqual(hit, ids, `${premise} / ${hypothesis}`);
    assert.ok(hit.every((name) => v[f.names.indexOf(name)] === 1));
  }
});
