/**
 * encodePair against the references: PyTorch-side golden ids, and transformers.js
 * (AutoTokenizer, local files) on every SICK pair and on hard strings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { InputError } from '../src/errors.js';
import { loadTokenizer, type PairTokenizer } from '../src/tokenize/index.js';
import { SHARED_MISSING, sharedPath } from './helpers/shared.js';
import { hfLongestFirst } from './helpers/hf-truncation.js';

const modelsDir = sharedPath('models');
const sickDir = sharedPath('data', 'sick');
const skip = modelsDir === undefined || sickDir === undefined ? SHARED_MISSING : false;
const tinyDir = modelsDir && path.join(modelsDir, 'bert-tiny-random');

let loaded: Promise<{ ours: PairTokenizer; peer: PreTrainedTokenizer }> | undefined;
function tokenizers(): Promise<{ ours: PairTokenizer; peer: PreTrainedTokenizer }> {
  loaded ??= (async () => ({
    ours: await loadTokenizer(tinyDir!),
    peer: await AutoTokenizer.from_pretrained(tinyDir!, { local_files_only: true }),
  }))();
  return loaded;
}

function readSick(file: string): Array<[string, string]> {
  const lines = fs.readFileSync(file, 'utf8').split('\n').slice(1);
  return lines
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const cols = l.split('\t');
      return [cols[1]!, cols[2]!];
    });
}

function peerPair(peer: PreTrainedTokenizer, a: string, b: string): { ids: number[]; typeIds: number[] } {
  const out = peer(a, { text_pair: b, return_tensor: false, return_token_type_ids: true });
  return { ids: out.input_ids as number[], typeIds: out.token_type_ids as number[] };
}

function assertSame(ours: PairTokenizer, peer: PreTrainedTokenizer, a: string, b: string): void {
  const got = ours.encodePair(a, b);
  // transformers.js reads text_pair "" as "no pair" (see the empty-second-text test).
  const want = peerPair(peer, a, b === '' ? ' ' : b);
  const label = `pair ${JSON.stringify(a)} / ${JSON.stringify(b)}`;
  assert.deepEqual(Array.from(got.ids), want.ids, `${label}: ids`);
  assert.deepEqual(Array.from(got.typeIds), want.typeIds, `${label}: type ids`);
}

test('ids and type ids equal golden.json of every shared model', { skip }, async () => {
  for (const name of fs.readdirSync(modelsDir!)) {
    const goldenFile = path.join(modelsDir!, name, 'golden.json');
    if (!fs.existsSync(goldenFile)) continue;
    const golden = JSON.parse(fs.readFileSync(goldenFile, 'utf8')) as {
      pairs: Array<{ premise: string; hypothesis: string; input_ids: number[]; token_type_ids: number[] }>;
    };
    const tok = await loadTokenizer(path.join(modelsDir!, name));
    assert.ok(golden.pairs.length > 0);
    for (const p of golden.pairs) {
      const e = tok.encodePair(p.premise, p.hypothesis);
      assert.ok(e.ids instanceof Int32Array && e.typeIds instanceof Int32Array);
      assert.deepEqual(Array.from(e.ids), p.input_ids, `${name}: ${p.premise}`);
      assert.deepEqual(Array.from(e.typeIds), p.token_type_ids, `${name}: ${p.premise}`);
    }
  }
});

test('equals transformers.js on every pair of SICK_train and SICK_trial', { skip }, async () => {
  const { ours, peer } = await tokenizers();
  let n = 0;
  for (const file of ['SICK_train.tsv', 'SICK_trial.tsv']) {
    for (const [a, b] of readSick(path.join(sickDir!, file))) {
      assertSame(ours, peer, a, b);
      n++;
    }
  }
  assert.equal(n, 4439 + 495);
});

const HARD: Array<[string, string]> = [
  ['café naïve Ångström', 'CAFÉ résumé Øre façade'],
  ['e\u0301 combining acute, Ǆ digraph, ß, İstanbul, ΣΊΣΥΦΟΣ', 'ﬁ ligature, ＡＢＣ１２３ fullwidth, ™'],
  ['我爱北京天安门', '日本語のテキストとカタカナ'],
  ['mixed中文and English字', '한국어 텍스트 and ไทย'],
  ['I love pizza 🍕!', '👍🏽 ok 👨‍👩‍👧 family'],
  ['a\u0000b\u0001c\u007fd\ufffde', 'tab\there\nnewline\r\nend \u000bvt\u000cff \u0085nel'],
  ['zero\u200bwidth\u200cnon\u200djoin\ufeffbom', 'co\u00adop soft hyphen \u2060word joiner'],
  ['a'.repeat(200), 'short'],
  ['x'.repeat(99) + 'y', 'x'.repeat(100) + 'y'],
  ['', 'hypothesis only'],
  ['   \t\n ', 'whitespace-only premise'],
  ['premise', '  \u00a0\u3000 '],
  ['', ' '],
  [
    'Hello, world!!! (really?) -- yes... $100 @home #tag 50% a+b=c <tag> ~tilde `tick` ^caret |pipe',
    'it\'s {braces} [brackets] back\\slash "quotes" semi;colon',
  ],
  ['“quoted” ‘single’ — em–dash … ¿qué? ¡sí! «guillemets»', '、。「」・ §¶ ©® €£¥ ‰ † ‡'],
  ['a [MASK] b [SEP] c', '[CLS][UNK] [cls] lower [PAD]x'],
  ['नमस्ते दुनिया', 'مرحبا بالعالم Привет мир'],
  ['lone \ud800 surrogate', 'another \udc00 one'],
  ['unaffordable antidisestablishmentarianism', 'hyper-parameter tuning, state-of-the-art'],
  ['\u2028line sep\u2029para sep', 'nbsp\u00a0here thin\u2009space'],
];

test('equals transformers.js on hard strings (accents, CJK, emoji, controls, long words, punctuation)', { skip }, async () => {
  const { ours, peer } = await tokenizers();
  for (const [a, b] of HARD) {
    assertSame(ours, peer, a, b);
    assertSame(ours, peer, b, a);
  }
});

test('a word longer than 100 characters is one [UNK]; 100 characters are tokenized', { skip }, async () => {
  const { ours } = await tokenizers();
  assert.deepEqual(Array.from(ours.encodePair('a'.repeat(101), 'b').ids), [101, 100, 102, 1038, 102]);
  assert.ok(ours.encodePair('a'.repeat(100), 'b').ids.length > 5);
});

test('an empty second text still gives [CLS] A [SEP] [SEP] (as Hugging Face tokenizers)', { skip }, async () => {
  // transformers.js treats text_pair "" as "no pair" and drops the second [SEP]; the model
  // was trained with Python tokenizers, which keeps it — so compare with a whitespace-only B.
  const { ours, peer } = await tokenizers();
  const got = ours.encodePair('A man is eating', '');
  assert.deepEqual(Array.from(got.ids), peerPair(peer, 'A man is eating', ' ').ids);
  assert.deepEqual(Array.from(got.ids).slice(-2), [102, 102]);
  assert.deepEqual(Array.from(ours.encodePair('', '').ids), [101, 102, 102]);
  assert.deepEqual(Array.from(ours.encodePair('', '').typeIds), [0, 0, 1]);
});

test('supplementary-plane CJK ideographs are split off like BMP ones (Hugging Face tokenizers rule)', { skip }, async () => {
  // transformers.js checks UTF-16 units, so it keeps "a𠀀b" as one word; HF tokenizers
  // (what the model was trained with) checks code points and splits it.
  const { ours, peer } = await tokenizers();
  assert.deepEqual(Array.from(ours.encodePair('a\u{20000}b', 'x').ids), peerPair(peer, 'a \u{20000} b', 'x').ids);
});

function expectedTruncated(peer: PreTrainedTokenizer, a: string, b: string, maxLength: number): { ids: number[]; typeIds: number[] } {
  const idsA = peer.encode(a, { add_special_tokens: false });
  const idsB = peer.encode(b, { add_special_tokens: false });
  const [la, lb] = hfLongestFirst(idsA.length, idsB.length, maxLength - 3);
  return {
    ids: [101, ...idsA.slice(0, la), 102, ...idsB.slice(0, lb), 102],
    typeIds: [...new Array<number>(la + 2).fill(0), ...new Array<number>(lb + 1).fill(1)],
  };
}

test('truncation: literal ids of Hugging Face longest_first (checked in, not computed here)', { skip }, async () => {
  // Made once (2026-11-30) with transformers.js 4.x AutoTokenizer on models/bert-tiny-random's
  // tokenizer.json: `encode(text, { add_special_tokens: false })` of each side, cut to the lengths of
  // tokenizers' truncation.rs LongestFirst, joined as [CLS] A [SEP] B [SEP]. transformers.js'
  // own `truncation: true, max_length` was not used: for a pair it cuts the joined sequence at
  // max_length (`'a b c d e f g', 'h i', 8` gives [101,1037,…,1043] with no B and no [SEP]),
  // which is not what the model was trained with. Comments: tokens of A+B → kept.
  const cases: Array<[string, string, number, number[]]> = [
    ['A man is playing a guitar on the stage tonight', 'Nobody is playing an instrument', 5, [101, 1037, 102, 6343, 102]], // 10+5 → 1+1
    ['A man is playing a guitar on the stage tonight', 'Nobody is playing an instrument', 8, [101, 1037, 2158, 2003, 102, 6343, 2003, 102]], // 10+5 → 3+2
    [
      'A man is playing a guitar on the stage tonight',
      'Nobody is playing an instrument',
      12,
      [101, 1037, 2158, 2003, 2652, 1037, 102, 6343, 2003, 2652, 2019, 102],
    ], // 10+5 → 5+4
    [
      'A man is playing a guitar on the stage tonight',
      'Nobody is playing an instrument',
      16,
      [101, 1037, 2158, 2003, 2652, 1037, 2858, 2006, 1996, 102, 6343, 2003, 2652, 2019, 6602, 102],
    ], // 10+5 → 8+5
    [
      'The woman is not slicing an onion',
      'A woman is cutting vegetables with a very sharp knife in the kitchen',
      5,
      [101, 1996, 102, 1037, 102],
    ], // 7+13 → 1+1
    [
      'The woman is not slicing an onion',
      'A woman is cutting vegetables with a very sharp knife in the kitchen',
      8,
      [101, 1996, 2450, 102, 1037, 2450, 2003, 102],
    ], // 7+13 → 2+3
    [
      'The woman is not slicing an onion',
      'A woman is cutting vegetables with a very sharp knife in the kitchen',
      12,
      [101, 1996, 2450, 2003, 2025, 102, 1037, 2450, 2003, 6276, 11546, 102],
    ], // 7+13 → 4+5
    [
      'The woman is not slicing an onion',
      'A woman is cutting vegetables with a very sharp knife in the kitchen',
      16,
      [101, 1996, 2450, 2003, 2025, 26514, 2019, 102, 1037, 2450, 2003, 6276, 11546, 2007, 1037, 102],
    ], // 7+13 → 6+7
    ['Two dogs are running', 'Two dogs are running', 5, [101, 2048, 102, 2048, 102]], // 4+4 → 1+1
    ['Two dogs are running', 'Two dogs are running', 8, [101, 2048, 6077, 102, 2048, 6077, 2024, 102]], // 4+4 → 2+3
    ['Two dogs are running', 'Two dogs are running', 12, [101, 2048, 6077, 2024, 2770, 102, 2048, 6077, 2024, 2770, 102]], // 4+4 → 4+4
    ['Two dogs are running', 'Two dogs are running', 16, [101, 2048, 6077, 2024, 2770, 102, 2048, 6077, 2024, 2770, 102]], // 4+4 → 4+4
    ["Unbelievably, the quarterback's touchdown wasn't counted", 'A referee reviewed it', 5, [101, 4895, 102, 1037, 102]], // 15+4 → 1+1
    ["Unbelievably, the quarterback's touchdown wasn't counted", 'A referee reviewed it', 8, [101, 4895, 8671, 2666, 102, 1037, 5330, 102]], // 15+4 → 3+2
    [
      "Unbelievably, the quarterback's touchdown wasn't counted",
      'A referee reviewed it',
      12,
      [101, 4895, 8671, 2666, 3567, 6321, 102, 1037, 5330, 8182, 2009, 102],
    ], // 15+4 → 5+4
    [
      "Unbelievably, the quarterback's touchdown wasn't counted",
      'A referee reviewed it',
      16,
      [101, 4895, 8671, 2666, 3567, 6321, 1010, 1996, 9074, 1005, 102, 1037, 5330, 8182, 2009, 102],
    ], // 15+4 → 9+4
  ];
  const { ours } = await tokenizers();
  for (const [a, b, maxLength, ids] of cases) {
    const got = ours.encodePair(a, b, maxLength);
    assert.deepEqual(Array.from(got.ids), ids, `maxLength ${maxLength}: ${a} / ${b}`);
    const sep = ids.indexOf(102);
    assert.deepEqual(
      Array.from(got.typeIds),
      ids.map((_, i) => (i <= sep ? 0 : 1)),
      `type ids, maxLength ${maxLength}: ${a} / ${b}`,
    );
  }
});

test('truncation: longest_first on transformers.js token ids, for small maxLength', { skip }, async () => {
  // transformers.js 4.x cannot be the reference here: with truncation it cuts the joined
  // [CLS] A [SEP] B [SEP] at max_length (dropping B and the last [SEP]). The expected ids
  // are its untruncated per-sequence ids, cut with Hugging Face's longest_first lengths
  // (hfLongestFirst above, independent of src/tokenize).
  const { ours, peer } = await tokenizers();
  const pairs = readSick(path.join(sickDir!, 'SICK_trial.tsv')).slice(0, 60);
  pairs.push(['one two three four five six seven', 'eight nine'], ['a b c d', 'e f g h'], ['a', 'b c d e f g h i j k l m n']);
  pairs.push(...HARD.slice(0, 8));
  for (const maxLength of [3, 4, 5, 8, 12, 20]) {
    for (const [a, b] of pairs) {
      const got = ours.encodePair(a, b, maxLength);
      const want = expectedTruncated(peer, a, b, maxLength);
      assert.ok(got.ids.length <= maxLength);
      assert.deepEqual(Array.from(got.ids), want.ids, `maxLength ${maxLength}: ${a} / ${b}`);
      assert.deepEqual(Array.from(got.typeIds), want.typeIds, `maxLength ${maxLength}: ${a} / ${b}`);
    }
  }
});

test('truncation: known cases and the default maxLength of 512', { skip }, async () => {
  const { ours } = await tokenizers();
  // A = 7 tokens, B = 2 tokens, budget 5: only A shrinks.
  assert.deepEqual(Array.from(ours.encodePair('a b c d e f g', 'h i', 8).ids), [101, 1037, 1038, 1039, 102, 1044, 1045, 102]);
  // equal lengths, odd budget: A keeps ⌊5/2⌋, B keeps ⌈5/2⌉.
  assert.deepEqual(Array.from(ours.encodePair('a b c d', 'e f g h', 8).ids), [101, 1037, 1038, 102, 1041, 1042, 1043, 102]);
  // A longer than B, both over half: the longer keeps the larger half.
  assert.deepEqual(Array.from(ours.encodePair('a b c d e f', 'g h i j', 8).ids), [101, 1037, 1038, 1039, 102, 1043, 1044, 102]);
  const long = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
  const e = ours.encodePair(long, long);
  assert.equal(ours.maxLength, 512);
  assert.equal(e.ids.length, 512);
  assert.equal(e.ids[511], 102);
  assert.throws(() => ours.encodePair('a', 'b', 2), InputError);
});

test('repeated calls give equal, independent results (no shared buffers leak out)', { skip }, async () => {
  const { ours } = await tokenizers();
  const first = ours.encodePair('A man is playing a guitar', 'A woman is slicing an onion');
  const copy = Array.from(first.ids);
  ours.encodePair('Something completely different and much longer than before', 'x');
  assert.deepEqual(Array.from(first.ids), copy);
  assert.deepEqual(ours.encodePair('A man is playing a guitar', 'A woman is slicing an onion'), first);
});

test('equals transformers.js on 5,000 seeded random strings over many character classes', { skip }, async () => {
  const { ours, peer } = await tokenizers();
  const pool = [
    ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789      .,;:!?\'"()[]{}<>-_+=*&^%$#@~`|\\/\t\n\r',
    'é',
    'Å',
    'ñ',
    'ü',
    'ß',
    'İ',
    'Σ',
    'ς',
    '中',
    '文',
    '日',
    'ア',
    '한',
    '🍕',
    '👍',
    '🏽',
    '\u200d',
    '\u200b',
    '\u00ad',
    '\u0000',
    '\u0001',
    '\u007f',
    '\u0085',
    '\u00a0',
    '\u3000',
    '\u2028',
    '“',
    '”',
    '—',
    '…',
    '¿',
    '§',
    '©',
    '€',
    '\u0301',
    '\u0308',
    'ﬁ',
    'Ａ',
    '\ufeff',
    '\ufffd',
    '[CLS]',
    '[SEP]',
    '[MASK]',
    '##',
    'ǅ',
    'Ⅻ',
    'ı',
    '\ud800',
    '\udc00',
    'ﷺ',
    '\u{1D400}',
    '\u{E0001}',
    '\u{F0000}',
  ];
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const gen = (): string => {
    let s = '';
    for (let i = Math.floor(rnd() * 30); i > 0; i--) s += pool[Math.floor(rnd() * pool.length)];
    return s;
  };
  for (let k = 0; k < 5000; k++) assertSame(ours, peer, gen(), gen());
});
