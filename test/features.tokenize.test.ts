import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../src/features/analysis/tokenize.js';

describe('features tokenize', () => {
  it('lowercases and drops punctuation', () => {
    assert.deepEqual(tokenize('A Man, is playing!'), ['a', 'man', 'is', 'playing']);
  });

  it("splits n't off as a negation cue and restores the host", () => {
    assert.deepEqual(tokenize("isn't"), ['is', "n't"]);
    assert.deepEqual(tokenize("can't"), ['can', "n't"]);
    assert.deepEqual(tokenize("won't"), ['will', "n't"]);
    assert.deepEqual(tokenize("don't"), ['do', "n't"]);
    assert.deepEqual(tokenize('cannot'), ['can', 'not']);
    assert.deepEqual(tokenize('The cat isn\u2019t asleep'), ['the', 'cat', 'is', "n't", 'asleep']);
  });

  it('splits clitics and keeps inner hyphens and numbers', () => {
    assert.deepEqual(tokenize("It's the man's T-shirt"), ['it', "'s", 'the', 'man', "'s", 't-shirt']);
    assert.deepEqual(tokenize('3.5 kg, 1,000 people'), ['3.5', 'kg', '1,000', 'people']);
  });

  it('handles empty and punctuation-only text', () => {
    assert.deepEqual(tokenize(''), []);
    assert.deepEqual(tokenize(' .,;! '), []);
  });

  it('keeps non-ASCII letters', () => {
    assert.deepEqual(tokenize('Café naïve'), ['café', 'naïve']);
  });
});
