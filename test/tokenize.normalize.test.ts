/** The BERT pieces on their own, with a toy vocabulary (no ../shared needed). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BertNormalizer, WordPiece, bertPreTokenize } from '../src/tokenize/index.js';

const uncased = new BertNormalizer({ cleanText: true, handleChineseChars: true, stripAccents: null, lowercase: true });

test('BertNormalizer cleans, spaces CJK, lowercases and strips accents', () => {
  assert.equal(uncased.normalize('Café NAÏVE Ångström'), 'cafe naive angstrom');
  assert.equal(uncased.normalize('a\u0000b\u0001c\ufffdd\u200be\u00adf'), 'abcdef');
  assert.equal(uncased.normalize('tab\there\nand\u00a0nbsp'), 'tab here and nbsp');
  assert.equal(uncased.normalize('我爱x'), ' 我  爱 x');
  assert.equal(uncased.normalize('a\u{20000}b'), 'a \u{20000} b');
  const cased = new BertNormalizer({ cleanText: true, handleChineseChars: false, stripAccents: null, lowercase: false });
  assert.equal(cased.normalize('Café 我'), 'Café 我');
  const stripOnly = new BertNormalizer({ cleanText: false, handleChineseChars: false, stripAccents: true, lowercase: false });
  assert.equal(stripOnly.normalize('Café'), 'Cafe');
});

test('bertPreTokenize splits on whitespace and isolates every punctuation character', () => {
  assert.deepEqual(bertPreTokenize("  hello,world!! it's  $5 "), ['hello', ',', 'world', '!', '!', 'it', "'", 's', '$', '5']);
  assert.deepEqual(bertPreTokenize('«quoted»—yes…'), ['«', 'quoted', '»', '—', 'yes', '…']);
  assert.deepEqual(bertPreTokenize('© € 🍕x'), ['©', '€', '🍕x']);
  assert.deepEqual(bertPreTokenize(''), []);
  assert.deepEqual(bertPreTokenize(' \t\n '), []);
});

test('WordPiece is greedy longest-match-first with ## pieces, [UNK] for uncoverable or too long words', () => {
  const vocab = new Map(['[UNK]', 'un', 'unaff', '##aff', '##able', '##ord', '##a', 'a', '🍕'].map((t, i) => [t, i] as const));
  const wp = new WordPiece(vocab, { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 10 });
  assert.deepEqual(wp.tokenizeWord('unaffordable'), ['[UNK]']); // 12 chars > 10
  const wide = new WordPiece(vocab, { unkToken: '[UNK]', continuingSubwordPrefix: '##', maxInputCharsPerWord: 100 });
  assert.deepEqual(wide.tokenizeWord('unaffordable'), ['unaff', '##ord', '##able']);
  assert.deepEqual(wide.tokenizeWord('unaffx'), ['[UNK]']); // "x" cannot be covered: the whole word is [UNK]
  assert.deepEqual(wide.tokenizeWord('unaffaffable'), ['unaff', '##aff', '##able']);
  assert.deepEqual(wide.tokenizeWord('unaaa'), ['un', '##a', '##a', '##a']);
  assert.deepEqual(wide.tokenizeWord('🍕'), ['🍕']);
  assert.deepEqual(Array.from(wide.encodeWord('unaffaffable')), [2, 3, 4]);
  assert.deepEqual(Array.from(wide.encodeWord('unaffaffable')), [2, 3, 4]); // cached
});
