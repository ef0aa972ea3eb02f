import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Lemmatizer } from '../src/features/analysis/lemmatize.js';
import { loadWordNet } from '../src/features/wordnet/wordnet.js';

let lem: Lemmatizer;
before(async () => {
  lem = new Lemmatizer((await loadWordNet({ relations: false })).lexicon);
});

describe('features Lemmatizer', () => {
  it('applies detachment rules checked against WordNet', () => {
    assert.equal(lem.lemma('running'), 'run');
    assert.equal(lem.lemma('dogs'), 'dog');
    assert.equal(lem.lemma('boxes'), 'box');
    assert.equal(lem.lemma('cries'), 'cry');
    assert.equal(lem.lemma('stopped'), 'stop');
    assert.equal(lem.lemma('bigger'), 'big');
    assert.equal(lem.lemma('firemen'), 'fireman');
    assert.equal(lem.lemma('slicing'), 'slice');
  });

  it('prefers the +e verb when English would have doubled the consonant', () => {
    assert.equal(lem.lemma('riding'), 'ride');
    assert.equal(lem.lemma('hoping'), 'hope');
    assert.equal(lem.lemma('hopping'), 'hop');
    assert.equal(lem.lemma('putting'), 'put');
  });

  it('uses irregular forms', () => {
    assert.equal(lem.lemma('children'), 'child');
    assert.equal(lem.lemma('mice'), 'mouse');
    assert.equal(lem.lemma('women'), 'woman');
    assert.equal(lem.lemma('was'), 'be');
    assert.equal(lem.lemma('is'), 'be');
    assert.equal(lem.lemma('ate'), 'eat');
    assert.equal(lem.lemma("n't"), 'not');
    assert.equal(lem.lemma('better'), 'good');
  });

  it('leaves function words, unknown words and numbers alone', () => {
    assert.equal(lem.lemma('as'), 'as');
    assert.equal(lem.lemma('us'), 'us');
    assert.equal(lem.lemma('xyzzyq'), 'xyzzyq');
    assert.equal(lem.lemma('42'), '42');
    assert.equal(lem.lemma('news'), 'news');
    assert.equal(lem.lemma('forest'), 'forest');
    assert.equal(lem.lemma('water'), 'water');
  });
});
