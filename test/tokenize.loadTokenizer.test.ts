/**
 * loadTokenizer: which path a model directory takes (fast WordPiece from tokenizer.json,
 * vocab.txt fallback, @huggingface/tokenizers adapter), maxLength defaults, and ModelErrors.
 * Temp directories live in os.tmpdir(); nothing is written into the repository.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError, ModelError } from '../src/errors.js';
import { loadTokenizer, HfTokenizersPairTokenizer, WordPiecePairTokenizer, type PairTokenizer } from '../src/tokenize/index.js';
import { BPE_TOKENIZER_CONFIG, bpeTokenizerJson } from './helpers/bpe-tokenizer.js';
import { SHARED_MISSING, sharedPath } from './helpers/shared.js';

const tinyDir = sharedPath('models', 'bert-tiny-random');
const sickTrial = sharedPath('data', 'sick', 'SICK_trial.tsv');
const skip = tinyDir === undefined || sickTrial === undefined ? SHARED_MISSING : false;

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-tokenize-'));
after(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));

let dirCount = 0;
/** A fresh temp dir holding the given files (string content, or a file of the shared model to copy). */
function makeDir(files: Record<string, string | { copy: string }>): string {
  const dir = path.join(tmpRoot, `m${dirCount++}`);
  fs.mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === 'string') fs.writeFileSync(path.join(dir, name), content);
    else fs.copyFileSync(path.join(tinyDir!, content.copy), path.join(dir, name));
  }
  return dir;
}

function sickPairs(): Array<[string, string]> {
  return fs
    .readFileSync(sickTrial!, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const c = l.split('\t');
      return [c[1]!, c[2]!];
    });
}

const EXTRA: Array<[string, string]> = [
  ['café naïve Ångström 我爱北京', 'emoji 🍕 and [MASK] token, “quotes”…'],
  ['a\u0000b\u200bc', 'x'.repeat(150)],
  ['', ' '],
];

function assertSameIds(a: PairTokenizer, b: PairTokenizer, pairs: Array<[string, string]>, maxLength?: number): void {
  for (const [x, y] of pairs) {
    const ea = a.encodePair(x, y, maxLength);
    const eb = b.encodePair(x, y, maxLength);
    assert.deepEqual(Array.from(ea.ids), Array.from(eb.ids), `${x} / ${y}`);
    assert.deepEqual(Array.from(ea.typeIds), Array.from(eb.typeIds), `${x} / ${y}`);
  }
}

test('a BERT tokenizer.json loads the fast tokenizer with maxLength 512 and padId 0', { skip }, async () => {
  const tok = await loadTokenizer(tinyDir!);
  assert.ok(tok instanceof WordPiecePairTokenizer);
  assert.equal(tok.maxLength, 512);
  assert.equal(tok.padId, 0);
  assert.equal((await loadTokenizer(tinyDir!, { maxLength: 64 })).maxLength, 64);
});

test('vocab.txt + tokenizer_config.json (no tokenizer.json) gives the same ids as tokenizer.json', { skip }, async () => {
  const dir = makeDir({ 'vocab.txt': { copy: 'vocab.txt' }, 'tokenizer_config.json': { copy: 'tokenizer_config.json' } });
  const fallback = await loadTokenizer(dir);
  const full = await loadTokenizer(tinyDir!);
  assert.ok(fallback instanceof WordPiecePairTokenizer);
  assert.equal(fallback.maxLength, 512);
  assert.equal(fallback.padId, 0);
  assertSameIds(fallback, full, [...sickPairs(), ...EXTRA]);
  assertSameIds(fallback, full, sickPairs().slice(0, 50), 12);
});

test('vocab.txt alone defaults to lowercasing; do_lower_case false keeps case', { skip }, async () => {
  const bare = await loadTokenizer(makeDir({ 'vocab.txt': { copy: 'vocab.txt' } }));
  const full = await loadTokenizer(tinyDir!);
  assertSameIds(bare, full, sickPairs().slice(0, 100));
  const cased = await loadTokenizer(
    makeDir({ 'vocab.txt': { copy: 'vocab.txt' }, 'tokenizer_config.json': JSON.stringify({ do_lower_case: false }) }),
  );
  assert.notDeepEqual(Array.from(cased.encodePair('Hello', 'World').ids), Array.from(full.encodePair('Hello', 'World').ids));
  assert.deepEqual(Array.from(cased.encodePair('hello', 'world').ids), Array.from(full.encodePair('hello', 'world').ids));
});

test('maxLength is min(512, model_max_length, max_position_embeddings); larger requests are refused', { skip }, async () => {
  const vocab = { copy: 'vocab.txt' } as const;
  assert.equal((await loadTokenizer(makeDir({ 'vocab.txt': vocab, 'tokenizer_config.json': '{"model_max_length": 128}' }))).maxLength, 128);
  assert.equal(
    (await loadTokenizer(makeDir({ 'vocab.txt': vocab, 'tokenizer_config.json': '{"model_max_length": 1e30}' }))).maxLength,
    512,
  );
  const small = makeDir({ 'vocab.txt': vocab, 'config.json': '{"max_position_embeddings": 64}' });
  assert.equal((await loadTokenizer(small)).maxLength, 64);
  await assert.rejects(loadTokenizer(small, { maxLength: 65 }), InputError);
  await assert.rejects(loadTokenizer(tinyDir!, { maxLength: 2 }), InputError);
  await assert.rejects(loadTokenizer(tinyDir!, { maxLength: 0 }), InputError);
});

test('a BertProcessing post-processor takes the fast path with the same ids', { skip }, async () => {
  const json = JSON.parse(fs.readFileSync(path.join(tinyDir!, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
  json.post_processor = { type: 'BertProcessing', sep: ['[SEP]', 102], cls: ['[CLS]', 101] };
  const tok = await loadTokenizer(makeDir({ 'tokenizer.json': JSON.stringify(json) }));
  assert.ok(tok instanceof WordPiecePairTokenizer);
  assertSameIds(tok, await loadTokenizer(tinyDir!), [...sickPairs().slice(0, 100), ...EXTRA]);
});

test('a tokenizer.json the fast path does not cover is delegated to @huggingface/tokenizers, with longest_first', { skip }, async () => {
  const json = JSON.parse(fs.readFileSync(path.join(tinyDir!, 'tokenizer.json'), 'utf8')) as Record<string, unknown>;
  json.normalizer = {
    type: 'Sequence',
    normalizers: [{ type: 'NFD' }, { type: 'Lowercase' }, { type: 'StripAccents' }],
  };
  const dir = makeDir({ 'tokenizer.json': JSON.stringify(json), 'tokenizer_config.json': { copy: 'tokenizer_config.json' } });
  const tok = await loadTokenizer(dir);
  assert.ok(tok instanceof HfTokenizersPairTokenizer);
  assert.equal(tok.maxLength, 512);
  assert.equal(tok.padId, 0);
  const fast = await loadTokenizer(tinyDir!);
  const pairs = sickPairs().slice(0, 200);
  assertSameIds(tok, fast, pairs);
  assertSameIds(tok, fast, pairs.slice(0, 40), 12);
});

// Ids of the tiny byte-level BPE in helpers/bpe-tokenizer.ts, computed once with transformers.js 4.3
// (AutoTokenizer.from_pretrained(dir).encode(text, { add_special_tokens: false }), and the pair call
// tok(a, { text_pair: b, return_token_type_ids: true })) when this test was written, then hard-coded.
const BPE_IDS: Array<[string, number[]]> = [
  ['the cat sits', [120, 261, 265, 272]],
  ['The dog sits on a cat', [88, 261, 268, 272, 36, 115, 114, 273, 265]],
  ['café 🍕 dogs!', [263, 106, 199, 173, 36, 244, 163, 145, 153, 268, 119, 37]],
  [' the  cat', [262, 36, 265]],
];

test('a byte-level BPE tokenizer.json runs through @huggingface/tokenizers with the ids transformers.js gives', async () => {
  const dir = makeDir({
    'tokenizer.json': JSON.stringify(bpeTokenizerJson()),
    'tokenizer_config.json': JSON.stringify(BPE_TOKENIZER_CONFIG),
  });
  const tok = await loadTokenizer(dir);
  assert.ok(tok instanceof HfTokenizersPairTokenizer);
  assert.equal(tok.maxLength, 64); // model_max_length
  assert.equal(tok.padId, 1); // <pad>
  const S = 0; // <s>
  const E = 2; // </s>
  for (const [text, ids] of BPE_IDS) {
    // An empty hypothesis isolates the premise: <s> A </s> </s> </s>.
    assert.deepEqual(Array.from(tok.encodePair(text, '').ids), [S, ...ids, E, E, E], text);
  }
  // transformers.js, same pair: input_ids [0,120,261,265,272,2,2,101,268,2], token_type_ids [0,0,0,0,0,0,1,1,1,1].
  const pair = tok.encodePair('the cat sits', 'a dog');
  assert.deepEqual(Array.from(pair.ids), [0, 120, 261, 265, 272, 2, 2, 101, 268, 2]);
  assert.deepEqual(Array.from(pair.typeIds), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);

  // longest_first to 14 = 4 specials + 10: A has 9 ids, B 12 → B is cut to 9, then both alternately to 5 and 5
  // (Hugging Face tokenizers' rule; transformers.js would cut the joined tail instead).
  const a = BPE_IDS[1]![1];
  const b = BPE_IDS[2]![1];
  const cut = tok.encodePair(BPE_IDS[1]![0], BPE_IDS[2]![0], 14);
  assert.deepEqual(Array.from(cut.ids), [S, ...a.slice(0, 5), E, E, ...b.slice(0, 5), E]);
  assert.deepEqual(Array.from(cut.typeIds), [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
  assert.equal(tok.encodePair(BPE_IDS[1]![0], BPE_IDS[2]![0]).ids.length, 4 + 9 + 12);
});

test('a BPE tokenizer.json with no or a ByteLevel post-processor joins A and B without specials (B type 1)', async () => {
  for (const pp of [null, { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true }]) {
    const json = bpeTokenizerJson();
    json.post_processor = pp;
    const tok = await loadTokenizer(makeDir({ 'tokenizer.json': JSON.stringify(json) }));
    assert.ok(tok instanceof HfTokenizersPairTokenizer);
    assert.equal(tok.padId, 0); // no tokenizer_config, no config.json: 0
    const full = tok.encodePair('the cat sits', 'a dog');
    assert.deepEqual(Array.from(full.ids), [120, 261, 265, 272, 101, 268]);
    assert.deepEqual(Array.from(full.typeIds), [0, 0, 0, 0, 1, 1]);
    assert.deepEqual(Array.from(tok.encodePair('the cat sits', 'a dog', 3).ids), [120, 261, 101]);
  }
});

test('a post-processor without a readable template lets the library add specials, cut at maxLength', async () => {
  const json = bpeTokenizerJson();
  json.post_processor = { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0], trim_offsets: true, add_prefix_space: false };
  const tok = await loadTokenizer(makeDir({ 'tokenizer.json': JSON.stringify(json) }));
  assert.ok(tok instanceof HfTokenizersPairTokenizer);
  assert.deepEqual(Array.from(tok.encodePair('the cat sits', 'a dog').ids), [0, 120, 261, 265, 272, 2, 2, 101, 268, 2]);
  assert.deepEqual(Array.from(tok.encodePair('the cat sits', 'a dog', 4).ids), [0, 120, 261, 265]);
});

test('a directory without tokenizer files is a ModelError naming the directory', async () => {
  const dir = makeDir({ 'config.json': '{}' });
  await assert.rejects(loadTokenizer(dir), (err: unknown) => {
    assert.ok(err instanceof ModelError);
    assert.ok(err.message.includes(dir), err.message);
    assert.match(err.message, /tokenizer\.json/);
    return true;
  });
  const missing = path.join(tmpRoot, 'does-not-exist');
  await assert.rejects(loadTokenizer(missing), (err: unknown) => err instanceof ModelError && err.message.includes(missing));
});

test('unreadable or unsuitable tokenizer files are ModelErrors naming the file', async () => {
  const broken = makeDir({ 'tokenizer.json': '{ not json' });
  await assert.rejects(loadTokenizer(broken), (err: unknown) => {
    assert.ok(err instanceof ModelError);
    assert.ok(err.message.includes(path.join(broken, 'tokenizer.json')), err.message);
    return true;
  });
  const roberta = makeDir({
    'vocab.txt': '[PAD]\n[UNK]\n[CLS]\n[SEP]\n',
    'tokenizer_config.json': '{"tokenizer_class": "RobertaTokenizer"}',
  });
  await assert.rejects(loadTokenizer(roberta), (err: unknown) => err instanceof ModelError && /RobertaTokenizer/.test(err.message));
  const noCls = makeDir({ 'vocab.txt': '[PAD]\n[UNK]\nhello\n' });
  await assert.rejects(loadTokenizer(noCls), (err: unknown) => err instanceof ModelError && err.message.includes('vocab.txt'));
});
