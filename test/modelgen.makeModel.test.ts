import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import onnx from 'onnx-proto';
import ort from 'onnxruntime-node';
import { AutoModel, AutoModelForSequenceClassification, AutoTokenizer, env } from '@huggingface/transformers';
import { InputError } from '../src/errors.js';
import { makeModel, type MakeModelOptions, type MakeModelResult } from '../src/modelgen/index.js';
import { builtinVocab, fixedVocab } from '../src/modelgen/vocab.js';

let root: string;
const made: Record<string, MakeModelResult> = {};

async function make(name: string, opts: Omit<MakeModelOptions, 'outDir'>): Promise<MakeModelResult> {
  const r = await makeModel({ outDir: path.join(root, name), ...opts });
  made[name] = r;
  return r;
}

before(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-modelgen-'));
  await make('base', { size: 'tiny', head: 'base' });
  await make('seqcls', { size: 'tiny', head: 'seqcls' });
  await make('notypes', { size: 'tiny', head: 'base', tokenTypeIds: false });
});

after(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

const dir = (name: string): string => path.join(root, name);
const readJson = (name: string, file: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(dir(name), file), 'utf8')) as Record<string, unknown>;

type Rows = number[][];

function int64(rows: Rows): ort.Tensor {
  const width = rows[0]!.length;
  return new ort.Tensor('int64', BigInt64Array.from(rows.flat().map((v) => BigInt(v))), [rows.length, width]);
}

/** Pads rows of ids with 0; returns ids, mask and token types (0 for the first segment, 1 after the first [SEP]). */
function batch(rows: Rows): { input_ids: ort.Tensor; attention_mask: ort.Tensor; token_type_ids: ort.Tensor } {
  const width = Math.max(...rows.map((r) => r.length));
  const pad = (r: number[], v: (i: number) => number): number[] => Array.from({ length: width }, (_, i) => (i < r.length ? v(i) : 0));
  return {
    input_ids: int64(rows.map((r) => pad(r, (i) => r[i]!))),
    attention_mask: int64(rows.map((r) => pad(r, () => 1))),
    token_type_ids: int64(rows.map((r) => pad(r, (i) => (i > r.indexOf(102) ? 1 : 0)))),
  };
}

async function run(name: string, rows: Rows, withTypes = true): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(path.join(dir(name), 'model.onnx'));
  const b = batch(rows);
  const feeds: Record<string, ort.Tensor> = { input_ids: b.input_ids, attention_mask: b.attention_mask };
  if (withTypes) feeds['token_type_ids'] = b.token_type_ids;
  const out = await session.run(feeds);
  await session.release();
  return out as Record<string, ort.Tensor>;
}

function slice(t: ort.Tensor, start: number, length: number): number[] {
  return Array.from(t.data as Float32Array).slice(start, start + length);
}

function assertClose(actual: number[], expected: number[], tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  assert.ok(worst <= tol, `${what}: max |diff| ${worst} > ${tol}`);
}

function assertFinite(t: ort.Tensor, what: string): void {
  for (const v of t.data as Float32Array) assert.ok(Number.isFinite(v), `${what} has a non-finite value`);
}

// [CLS] a man is playing [SEP] the man sleeps [SEP] — ids do not matter for a random model.
const LONG = [101, 146, 894, 474, 635, 102, 363, 894, 900, 102];
const SHORT = [101, 146, 1004, 102, 363, 102];
const H = 128;

describe('makeModel: files', () => {
  test('writes the Hugging Face layout and reports sizes', () => {
    const r = made['base']!;
    const names = ['config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt'];
    assert.deepEqual(
      r.files,
      names.map((n) => path.join(dir('base'), n)),
    );
    for (const f of r.files) assert.ok(fs.statSync(f).size > 0, f);
    assert.equal(r.bytes, fs.statSync(path.join(dir('base'), 'model.onnx')).size);
    assert.match(r.sha256, /^[0-9a-f]{64}$/);
    assert.equal(r.parameters, 4_385_920); // google/bert_uncased_L-2_H-128_A-2 has the same count
  });

  test('config.json describes the model', () => {
    const base = readJson('base', 'config.json');
    assert.equal(base['model_type'], 'bert');
    assert.deepEqual(base['architectures'], ['BertModel']);
    for (const [k, v] of Object.entries({
      hidden_size: 128,
      num_hidden_layers: 2,
      num_attention_heads: 2,
      intermediate_size: 512,
      vocab_size: 30522,
      max_position_embeddings: 512,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
      hidden_act: 'gelu',
      pad_token_id: 0,
    })) {
      assert.equal(base[k], v, k);
    }
    assert.equal(base['id2label'], undefined);
    const cls = readJson('seqcls', 'config.json');
    assert.deepEqual(cls['architectures'], ['BertForSequenceClassification']);
    assert.deepEqual(cls['id2label'], { '0': 'ENTAILMENT', '1': 'NEUTRAL', '2': 'CONTRADICTION' });
    assert.deepEqual(cls['label2id'], { ENTAILMENT: 0, NEUTRAL: 1, CONTRADICTION: 2 });
  });

  test('tokenizer files agree with vocab.txt', () => {
    const vocab = fs
      .readFileSync(path.join(dir('base'), 'vocab.txt'), 'utf8')
      .split('\n')
      .slice(0, -1);
    assert.equal(vocab.length, 30522);
    assert.equal(new Set(vocab).size, vocab.length);
    assert.deepEqual(
      [vocab[0], vocab[1], vocab[99], vocab[100], vocab[101], vocab[102], vocab[103]],
      ['[PAD]', '[unused0]', '[unused98]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'],
    );
    const tj = readJson('base', 'tokenizer.json') as {
      model: { type: string; vocab: Record<string, number> };
      added_tokens: Array<{ id: number; content: string }>;
    };
    assert.equal(tj.model.type, 'WordPiece');
    assert.equal(Object.keys(tj.model.vocab).length, vocab.length);
    vocab.forEach((tok, i) => assert.equal(tj.model.vocab[tok], i));
    assert.deepEqual(
      tj.added_tokens.map((t) => [t.id, t.content]),
      [
        [0, '[PAD]'],
        [100, '[UNK]'],
        [101, '[CLS]'],
        [102, '[SEP]'],
        [103, '[MASK]'],
      ],
    );
    const tc = readJson('base', 'tokenizer_config.json');
    assert.equal(tc['tokenizer_class'], 'BertTokenizer');
    assert.equal(tc['do_lower_case'], true);
    assert.equal(tc['model_max_length'], 512);
  });
});

describe('makeModel: the graph in onnxruntime', () => {
  test('base: names, shapes, finite outputs; padding does not change a row', async () => {
    const session = await ort.InferenceSession.create(path.join(dir('base'), 'model.onnx'));
    assert.deepEqual(session.inputNames, ['input_ids', 'attention_mask', 'token_type_ids']);
    assert.deepEqual(session.outputNames, ['last_hidden_state', 'pooler_output']);
    await session.release();

    const both = await run('base', [LONG, SHORT]);
    const hidden = both['last_hidden_state']!;
    const pooled = both['pooler_output']!;
    assert.deepEqual(hidden.dims, [2, LONG.length, H]);
    assert.deepEqual(pooled.dims, [2, H]);
    assertFinite(hidden, 'last_hidden_state');
    assertFinite(pooled, 'pooler_output');

    const alone = await run('base', [SHORT]);
    const W = LONG.length;
    // Every real token of the padded row, [CLS] included, equals the unpadded run.
    assertClose(
      slice(hidden, W * H, SHORT.length * H),
      slice(alone['last_hidden_state']!, 0, SHORT.length * H),
      1e-5,
      'padded row hidden states',
    );
    assertClose(slice(pooled, H, H), slice(alone['pooler_output']!, 0, H), 1e-5, 'padded row pooler_output');
    // And the rows differ from each other (the model is not degenerate).
    assert.notDeepEqual(slice(pooled, 0, H), slice(pooled, H, H));
  });

  test('seqcls: one output, logits [batch, labels]; padding does not change a row', async () => {
    const session = await ort.InferenceSession.create(path.join(dir('seqcls'), 'model.onnx'));
    assert.deepEqual(session.inputNames, ['input_ids', 'attention_mask', 'token_type_ids']);
    assert.deepEqual(session.outputNames, ['logits']);
    await session.release();
    const both = await run('seqcls', [LONG, SHORT]);
    const logits = both['logits']!;
    assert.deepEqual(logits.dims, [2, 3]);
    assertFinite(logits, 'logits');
    const alone = await run('seqcls', [SHORT]);
    assertClose(slice(logits, 3, 3), slice(alone['logits']!, 0, 3), 1e-5, 'padded row logits');
  });

  test('seqcls has the optimum/torch inner structure: pooler Gather→Gemm→Tanh feeding a classifier Gemm', () => {
    const m = onnx.onnx.ModelProto.decode(fs.readFileSync(path.join(dir('seqcls'), 'model.onnx')));
    assert.equal(Number(m.irVersion), 7);
    assert.deepEqual(
      m.opsetImport.map((o) => [o.domain ?? '', Number(o.version)]),
      [['', 14]],
    );
    const byOutput = new Map(m.graph!.node!.map((n) => [n.output![0]!, n]));
    const classifier = byOutput.get('logits')!;
    assert.equal(classifier.opType, 'Gemm');
    const tanh = byOutput.get(classifier.input![0]!)!;
    assert.equal(tanh.opType, 'Tanh');
    const poolGemm = byOutput.get(tanh.input![0]!)!;
    assert.equal(poolGemm.opType, 'Gemm');
    const gather = byOutput.get(poolGemm.input![0]!)!;
    assert.equal(gather.opType, 'Gather');
    assert.equal(Number(gather.attribute!.find((a) => a.name === 'axis')!.i), 1);
    const weights = new Map(m.graph!.initializer!.map((t) => [t.name!, t]));
    assert.deepEqual(weights.get('classifier.weight')!.dims!.map(Number), [3, H]);
    assert.deepEqual(weights.get('bert.pooler.dense.weight')!.dims!.map(Number), [H, H]);
  });

  test('base and seqcls made with the same seed share encoder and pooler weights', () => {
    const inits = (name: string): Map<string, Uint8Array> => {
      const m = onnx.onnx.ModelProto.decode(fs.readFileSync(path.join(dir(name), 'model.onnx')));
      return new Map(m.graph!.initializer!.map((t) => [t.name!.replace(/^bert\./, ''), t.rawData!]));
    };
    const base = inits('base');
    const cls = inits('seqcls');
    for (const key of ['pooler.dense.weight', 'embeddings.word_embeddings.weight', 'onnx::MatMul_12']) {
      assert.deepEqual(Buffer.from(cls.get(key)!), Buffer.from(base.get(key)!), key);
    }
  });

  test('tokenTypeIds: false drops the input and equals all-zero type ids', async () => {
    const session = await ort.InferenceSession.create(path.join(dir('notypes'), 'model.onnx'));
    assert.deepEqual(session.inputNames, ['input_ids', 'attention_mask']);
    await session.release();
    const rows = [LONG, SHORT];
    const without = await run('notypes', rows, false);
    const b = batch(rows);
    const s2 = await ort.InferenceSession.create(path.join(dir('base'), 'model.onnx'));
    const zeros = new ort.Tensor('int64', new BigInt64Array(rows.length * LONG.length), [rows.length, LONG.length]);
    const withZeros = await s2.run({ input_ids: b.input_ids, attention_mask: b.attention_mask, token_type_ids: zeros });
    await s2.release();
    assertClose(
      Array.from(without['pooler_output']!.data as Float32Array),
      Array.from(withZeros['pooler_output']!.data as Float32Array),
      1e-5,
      'pooler_output',
    );
  });
});

describe('makeModel: determinism', () => {
  test('same seed → identical files; different seed → different model', async () => {
    const again = await make('base-again', { size: 'tiny', head: 'base', seed: 42 });
    assert.equal(again.sha256, made['base']!.sha256);
    for (const f of ['model.onnx', 'config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) {
      assert.ok(fs.readFileSync(path.join(dir('base-again'), f)).equals(fs.readFileSync(path.join(dir('base'), f))), f);
    }
    const other = await make('base-seed7', { size: 'tiny', head: 'base', seed: 7 });
    assert.notEqual(other.sha256, made['base']!.sha256);
  });
});

describe('makeModel: options', () => {
  test('labels and labelNames', async () => {
    const r = await make('labels5', { size: 'tiny', head: 'seqcls', labels: 5, vocabSize: 2000, maxPositions: 64 });
    const cfg = readJson('labels5', 'config.json');
    assert.deepEqual(cfg['id2label'], { '0': 'LABEL_0', '1': 'LABEL_1', '2': 'LABEL_2', '3': 'LABEL_3', '4': 'LABEL_4' });
    assert.equal(cfg['vocab_size'], 2000);
    assert.equal(cfg['max_position_embeddings'], 64);
    assert.equal(readJson('labels5', 'tokenizer_config.json')['model_max_length'], 64);
    const out = await run('labels5', [LONG]);
    assert.deepEqual(out['logits']!.dims, [1, 5]);
    assert.ok(r.parameters < made['seqcls']!.parameters);

    await make('named', { size: 'tiny', head: 'seqcls', labelNames: ['yes', 'no'], vocabSize: 2000 });
    assert.deepEqual(readJson('named', 'config.json')['label2id'], { yes: 0, no: 1 });
  });

  test('vocabFile replaces the built-in vocabulary', async () => {
    const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
    const words = ['the', 'man', 'dog', 'is', 'runs', '##s', '.', ...'abcdefghijklmnopqrstuvwxyz'];
    const file = path.join(root, 'my-vocab.txt');
    fs.writeFileSync(file, [...specials, ...words].join('\n') + '\n');
    await make('custom', { size: 'tiny', head: 'base', vocabFile: file });
    assert.equal(readJson('custom', 'config.json')['vocab_size'], specials.length + words.length);
    assert.equal(fs.readFileSync(path.join(dir('custom'), 'vocab.txt'), 'utf8'), fs.readFileSync(file, 'utf8'));
    const tj = readJson('custom', 'tokenizer.json') as { post_processor: { special_tokens: Record<string, { ids: number[] }> } };
    assert.deepEqual(tj.post_processor.special_tokens['[CLS]']!.ids, [2]);
    const out = await run('custom', [[2, 5, 7, 3]]);
    assert.deepEqual(out['last_hidden_state']!.dims, [1, 4, H]);
  });

  test('bad options throw InputError before anything is written', async () => {
    const bad: Array<[string, Partial<MakeModelOptions>]> = [
      ['size', { size: 'huge' as never }],
      ['head', { head: 'mlm' as never }],
      ['labels < 2', { head: 'seqcls', labels: 1 }],
      ['labels not integer', { head: 'seqcls', labels: 2.5 }],
      ['labelNames length', { head: 'seqcls', labels: 3, labelNames: ['a', 'b'] }],
      ['labelNames duplicate', { head: 'seqcls', labelNames: ['a', 'a'] }],
      ['labels on base', { head: 'base', labels: 3 }],
      ['seed', { seed: 1.5 }],
      ['maxPositions', { maxPositions: 0 }],
      ['vocabSize too small', { vocabSize: 10 }],
      ['vocabSize too large', { vocabSize: 10_000_000 }],
      ['vocabFile missing', { vocabFile: path.join(root, 'nope.txt') }],
      ['vocabFile and vocabSize', { vocabFile: path.join(root, 'my-vocab.txt'), vocabSize: 3000 }],
      ['outDir', { outDir: '' }],
    ];
    const noSpecials = path.join(root, 'no-specials.txt');
    fs.writeFileSync(noSpecials, 'a\nb\nc\n');
    bad.push(['vocabFile without specials', { vocabFile: noSpecials }]);
    for (const [what, opts] of bad) {
      const outDir = path.join(root, `bad-${what.replace(/\W+/g, '-')}`);
      await assert.rejects(makeModel({ outDir, size: 'tiny', head: 'base', ...opts }), InputError, what);
      assert.equal(fs.existsSync(outDir), false, `${what}: nothing written`);
    }
  });
});

describe('builtin vocabulary', () => {
  test('is deterministic, duplicate-free, and a prefix of the larger one', () => {
    const small = builtinVocab(5000);
    const big = builtinVocab(30522);
    assert.equal(small.length, 5000);
    assert.deepEqual(big.slice(0, 5000), small);
    assert.equal(new Set(big).size, big.length);
    assert.deepEqual(builtinVocab(30522), big);
    const fixed = fixedVocab();
    for (const t of ['!', '0', 'a', 'z', '##a', '##9', 'the', 'not', "'", 't', 'n', 'seven', '##s', '##ing', '##ly', '##est']) {
      assert.ok(fixed.includes(t), t);
    }
    for (const t of ['man', 'woman', 'guitar', 'playing', 'animals']) assert.ok(big.includes(t), t);
  });
});

describe('makeModel: @huggingface/transformers loads the output', () => {
  before(() => {
    env.allowRemoteModels = false;
    env.localModelPath = root + path.sep;
  });

  test('AutoTokenizer encodes a pair with text_pair; AutoModel returns last_hidden_state equal to onnxruntime', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained('base', { local_files_only: true });
    const enc = tokenizer('A man is playing a guitar.', { text_pair: "Nobody isn't playing the flute", padding: true });
    const ids = (enc['input_ids']!.tolist() as bigint[][])[0]!.map(Number);
    const types = (enc['token_type_ids']!.tolist() as bigint[][])[0]!.map(Number);
    const vocab = fs.readFileSync(path.join(dir('base'), 'vocab.txt'), 'utf8').split('\n');
    const tokens = ids.map((i) => vocab[i]);
    assert.deepEqual(tokens, [
      '[CLS]',
      'a',
      'man',
      'is',
      'playing',
      'a',
      'guitar',
      '.',
      '[SEP]',
      'nobody',
      'isn',
      "'",
      't',
      'playing',
      'the',
      'flute',
      '[SEP]',
    ]);
    assert.deepEqual(
      types,
      tokens.map((_, i) => (i > tokens.indexOf('[SEP]') ? 1 : 0)),
    );

    const model = await AutoModel.from_pretrained('base', {
      local_files_only: true,
      subfolder: '',
      model_file_name: 'model',
      dtype: 'fp32',
    });
    try {
      const out = (await model(enc)) as Record<string, { dims: number[]; data: Float32Array }>;
      const hidden = out['last_hidden_state']!;
      assert.deepEqual(hidden.dims, [1, ids.length, H]);
      const direct = await run('base', [ids]);
      assertClose(
        Array.from(hidden.data),
        Array.from(direct['last_hidden_state']!.data as Float32Array),
        1e-5,
        'transformers.js vs onnxruntime',
      );
    } finally {
      await model.dispose();
    }
  });

  test('AutoModelForSequenceClassification runs the seqcls export; tokenTypeIds: false runs too', async () => {
    const tokenizer = await AutoTokenizer.from_pretrained('seqcls', { local_files_only: true });
    const enc = tokenizer(['A dog runs.', 'Two men sit'], { text_pair: ['A cat sleeps.', 'Nobody is sitting'], padding: true });
    const opts = { local_files_only: true, subfolder: '', model_file_name: 'model', dtype: 'fp32' } as const;
    const cls = await AutoModelForSequenceClassification.from_pretrained('seqcls', opts);
    const noTypes = await AutoModel.from_pretrained('notypes', opts);
    try {
      const logits = ((await cls(enc)) as { logits: { dims: number[] } }).logits;
      assert.deepEqual(logits.dims, [2, 3]);
      const out = (await noTypes(enc)) as Record<string, { dims: number[] }>;
      assert.deepEqual(out['pooler_output']!.dims, [2, H]);
    } finally {
      await cls.dispose();
      await noTypes.dispose();
    }
  });
});
