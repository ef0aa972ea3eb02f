import { test } from 'node:test';
import assert from 'node:assert/strict';
import { longestFirstLengths } from '../src/tokenize/index.js';

test('longestFirstLengths matches the Hugging Face tokenizers table (budget 7, lengths 0/2/4/8)', () => {
  // [lenA, lenB, keptA, keptB] — the cases of tokenizers' truncate_encodings_longest_first test.
  const cases: Array<[number, number, number, number]> = [
    [0, 0, 0, 0],
    [0, 2, 0, 2],
    [0, 4, 0, 4],
    [0, 8, 0, 7],
    [2, 0, 2, 0],
    [2, 2, 2, 2],
    [2, 4, 2, 4],
    [2, 8, 2, 5],
    [4, 0, 4, 0],
    [4, 2, 4, 2],
    [4, 4, 3, 4],
    [4, 8, 3, 4],
    [8, 0, 7, 0],
    [8, 2, 5, 2],
    [8, 4, 4, 3],
    [8, 8, 3, 4],
  ];
  for (const [a, b, ka, kb] of cases) assert.deepEqual(longestFirstLengths(a, b, 7), [ka, kb], `${a}+${b}`);
});

test('longestFirstLengths keeps everything that fits and never exceeds the budget', () => {
  for (let budget = 0; budget <= 12; budget++) {
    for (let a = 0; a <= 15; a++) {
      for (let b = 0; b <= 15; b++) {
        const [ka, kb] = longestFirstLengths(a, b, budget);
        assert.ok(ka <= a && kb <= b && ka >= 0 && kb >= 0);
        if (a + b <= budget) assert.deepEqual([ka, kb], [a, b]);
        else assert.equal(ka + kb, budget);
      }
    }
  }
});
