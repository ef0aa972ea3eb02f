import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { InputError } from '../src/errors.js';
import { DEFAULT_EXTRACT_FEATURES, createFeaturizer, listFeatureGroups, listFeatures, selectFeatureNames } from '../src/features/index.js';
import { SHARED_MISSING, sharedPath } from './helpers/shared.js';

/** The registry order is part of the contract (saved MLP heads depend on it): append only. */
const EXPECTED_COLUMNS = [
  'neg_premise',
  'neg_hypothesis',
  'neg_mismatch',
  'neg_one_sided',
  'antonym_pairs',
  'antonym_nouns',
  'antonym_negated',
  'wn_synonym',
  'wn_hypernym',
  'wn_hyponym',
  'num_hyp_unmatched',
  'num_prem_unmatched',
  'num_mismatch',
  'jaccard_token',
  'jaccard_lemma',
  'cov_hyp_token',
  'cov_hyp_lemma',
  'cov_prem_lemma',
  'len_diff',
  'len_ratio',
  'modal_mismatch',
  'modal_one_sided',
  'quant_all_no',
  'quant_some_no',
  'quant_all_some',
  'bigram_cov',
  'unaligned_hyp',
  'unaligned_prem',
  'subj_mismatch',
  'verb_mismatch',
];

const PAIRS: Array<[string, string]> = [
  ['A man is playing a guitar', 'A man is not playing a guitar'],
  ['The boy is happy', 'The boy is sad'],
  ['Three dogs run', 'Two dogs run'],
  ['All the children are playing outside', 'No child is playing'],
  ['A cat might be sleeping on the couch', "The cat isn't sleeping"],
  ['A woman is slicing an onion', 'Someone is cutting a vegetable'],
  ['', ''],
  ['', 'A dog'],
  ['   ', '?!'],
];

describe('features listFeatures', () => {
  it('lists every column in stable registry order, with descriptions', () => {
    const cols = listFeatures();
    assert.deepEqual(
      cols.map((c) => c.name),
      EXPECTED_COLUMNS,
    );
    for (const c of cols) assert.ok(c.description.length > 10, c.name);
    assert.equal(new Set(cols.map((c) => c.name)).size, cols.length);
  });

  it('group names never collide with column names', () => {
    const columns = new Set(EXPECTED_COLUMNS);
    const groups = listFeatureGroups();
    assert.deepEqual(
      groups.flatMap((g) => g.columns),
      EXPECTED_COLUMNS,
    );
    for (const g of groups) if (g.columns.length > 1) assert.ok(!columns.has(g.group), g.group);
  });
});

describe('features createFeaturizer', () => {
  it('"all" selects every column in registry order', async () => {
    const f = await createFeaturizer('all');
    assert.deepEqual(f.names, EXPECTED_COLUMNS);
    assert.equal(f.compute('A dog', 'A cat').length, EXPECTED_COLUMNS.length);
  });

  it('"none" selects nothing and computes empty vectors', async () => {
    const f = await createFeaturizer('none');
    assert.deepEqual(f.names, []);
    assert.equal(f.compute('A dog', 'A cat').length, 0);
  });

  it('a comma list of columns and groups comes out in registry order', async () => {
    const f = await createFeaturizer(' len_ratio , negation,bigram_cov,NEG_MISMATCH ');
    assert.deepEqual(f.names, ['neg_premise', 'neg_hypothesis', 'neg_mismatch', 'neg_one_sided', 'len_ratio', 'bigram_cov']);
  });

  it('selected columns equal the same columns of "all"', async () => {
    const all = await createFeaturizer('all');
    const some = await createFeaturizer('antonym_pairs,num_mismatch,jaccard_lemma,verb_mismatch');
    for (const [p, h] of PAIRS) {
      const va = all.compute(p, h);
      const vs = some.compute(p, h);
      some.names.forEach((n, i) => assert.equal(vs[i], va[all.names.indexOf(n)], `${n} on ${p} / ${h}`));
    }
  });

  it('unknown names are an InputError listing the valid names', async () => {
    await assert.rejects(createFeaturizer('negation,bogus'), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, /"bogus"/);
      assert.match(err.message, /neg_mismatch/);
      assert.match(err.message, /antonym/);
      return true;
    });
    await assert.rejects(createFeaturizer(''), InputError);
    await assert.rejects(createFeaturizer(' , '), InputError);
  });

  it('never yields NaN or Infinity, including empty strings', async () => {
    const f = await createFeaturizer('all');
    for (const [p, h] of PAIRS) {
      for (const v of f.compute(p, h)) assert.ok(Number.isFinite(v), `${p} / ${h}`);
    }
    assert.ok(f.compute('', '').every((v) => v === 0));
  });

  it('is deterministic and independent of earlier pairs (reused buffers)', async () => {
    const f = await createFeaturizer('all');
    const first = PAIRS.map(([p, h]) => Array.from(f.compute(p, h)));
    const fresh = await createFeaturizer('all');
    const reversed = [...PAIRS]
      .reverse()
      .map(([p, h]) => Array.from(fresh.compute(p, h)))
      .reverse();
    assert.deepEqual(reversed, first);
    // A long sentence grows buffers; short ones afterwards are unaffected.
    f.compute('word '.repeat(500), 'not '.repeat(300));
    assert.deepEqual(
      PAIRS.map(([p, h]) => Array.from(f.compute(p, h))),
      first,
    );
  });

  it('values on SICK are finite, bounded, and ratios stay in [0, 1]', async (t) => {
    const file = sharedPath('data', 'sick', 'SICK_trial.tsv');
    if (file === undefined) {
      t.skip(SHARED_MISSING);
      return;
    }
    const f = await createFeaturizer('all');
    const unit = new Set([
      'wn_synonym',
      'wn_hypernym',
      'wn_hyponym',
      'jaccard_token',
      'jaccard_lemma',
      'cov_hyp_token',
      'cov_hyp_lemma',
      'cov_prem_lemma',
      'bigram_cov',
      'neg_one_sided',
      'num_mismatch',
      'modal_one_sided',
      'quant_all_no',
      'quant_some_no',
      'quant_all_some',
      'subj_mismatch',
      'verb_mismatch',
    ]);
    const lines = fs
      .readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .slice(1)
      .filter((l) => l.length > 0);
    assert.ok(lines.length > 400);
    const nonZero = new Set<string>();
    for (const line of lines) {
      const [, a, b] = line.split('\t');
      const v = f.compute(a!, b!);
      f.names.forEach((n, i) => {
        const x = v[i]!;
        assert.ok(Number.isFinite(x) && x >= 0 && x < 100, `${n}=${x}`);
        if (unit.has(n)) assert.ok(x <= 1, `${n}=${x}`);
        if (x !== 0) nonZero.add(n);
      });
    }
    // SICK exercises most features (no modal/quantifier-heavy data, so those may stay 0).
    for (const n of ['neg_mismatch', 'antonym_pairs', 'wn_synonym', 'wn_hypernym', 'jaccard_lemma', 'bigram_cov', 'subj_mismatch']) {
      assert.ok(nonZero.has(n), n);
    }
  });

  it('the default extract selection (DEFAULT_EXTRACT_FEATURES) is every dense column plus the lexical group, and selectFeatureNames names exactly the featurizer columns', async () => {
    const f = await createFeaturizer(DEFAULT_EXTRACT_FEATURES);
    assert.deepEqual(f.names.slice(0, EXPECTED_COLUMNS.length), EXPECTED_COLUMNS);
    assert.equal(f.names.length, EXPECTED_COLUMNS.length + 1024);
    assert.equal(f.names.at(-1), 'lex_1023');
    // The distributed producer plans columns with selectFeatureNames; workers compute with createFeaturizer.
    assert.deepEqual(selectFeatureNames(DEFAULT_EXTRACT_FEATURES), [...f.names]);
  });
});
