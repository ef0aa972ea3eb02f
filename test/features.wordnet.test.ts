import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadWordNet } from '../src/features/wordnet/wordnet.js';

describe('features loadWordNet', () => {
  it('loads index and data files once and reasonably fast', async () => {
    const t = performance.now();
    const wn = await loadWordNet();
    const ms = performance.now() - t;
    const [nouns, verbs, adjs, advs] = wn.lexicon.sizes();
    assert.ok(nouns! > 100_000 && verbs! > 10_000 && adjs! > 20_000 && advs! > 4_000);
    assert.ok(wn.relations !== undefined && wn.relations.size > 110_000);
    // Generous bound for loaded CI machines; the bench reports the real figure (~1 s).
    assert.ok(ms < 15_000, `load took ${ms} ms`);
    assert.equal(await loadWordNet(), wn, 'memoised');
  });

  it('answers antonyms: lexical, adjective clusters, also-see', async () => {
    const wn = await loadWordNet();
    for (const [a, b] of [
      ['man', 'woman'],
      ['boy', 'girl'],
      ['happy', 'sad'],
      ['sad', 'happy'],
      ['old', 'young'],
      ['big', 'small'],
      ['open', 'close'],
      ['asleep', 'awake'],
    ] as const) {
      assert.ok(wn.isAntonym(a, b), `${a}/${b}`);
    }
    for (const [a, b] of [
      ['man', 'dog'],
      ['happy', 'glad'],
      ['happy', 'happy'],
      ['guitar', 'piano'],
    ] as const) {
      assert.ok(!wn.isAntonym(a, b), `${a}/${b}`);
    }
  });

  it('answers synonyms and hypernyms', async () => {
    const wn = await loadWordNet();
    assert.ok(wn.isSynonym('happy', 'glad'));
    assert.ok(wn.isSynonym('car', 'automobile'));
    assert.ok(!wn.isSynonym('car', 'dog'));
    assert.ok(wn.isHypernym('animal', 'dog'));
    assert.ok(wn.isHypernym('person', 'man'));
    assert.ok(!wn.isHypernym('dog', 'animal'));
  });

  it('index-only loading supports synonyms but not relations', async () => {
    const wn = await loadWordNet({ relations: false });
    assert.equal(wn.relations, undefined);
    assert.ok(wn.isSynonym('car', 'automobile'));
    assert.ok(!wn.isAntonym('man', 'woman'));
  });
});
