/**
 * Graph surgery on hand-built exports that are not BERT: a DistilBERT-style head
 * (no token_type_ids, [CLS] by Gather, MatMul+Add layers, ReLU) and a RoBERTa-style
 * one ([CLS] by Slice+Squeeze, Gemm layers, tanh), plus a mean-pooled head with no
 * [CLS] selector. Expected vectors are computed here in plain JS.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { createEmbedder } from '../src/embed/index.js';
import { inspectModel } from '../src/embed/inspect.js';
import { encodeModel, onnx } from '../src/embed/onnx-model.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-embed-synth-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const V = 12; // vocab
const H = 4; // hidden
const P = 3; // pooled width
const L = 2; // labels
const seq = (n: number, f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
const E = seq(V * H, (i) => Math.sin(i * 0.7) * 0.9); // token embeddings [V, H]
const T = seq(2 * H, (i) => Math.cos(i * 1.3) * 0.3); // token type embeddings [2, H]
const W1 = seq(H * P, (i) => Math.sin(i * 1.1 + 0.5) * 0.8); // [H, P]
const B1 = seq(P, (i) => 0.1 * (i - 1));
const W2 = seq(P * L, (i) => Math.cos(i * 0.9) * 0.7); // [P, L]
const B2 = seq(L, (i) => 0.05 * (i + 1));

const f32 = (name: string, dims: number[], values: number[]) => onnx.TensorProto.create({ name, dims, dataType: 1, floatData: values });
const i64 = (name: string, dims: number[], values: number[]) => onnx.TensorProto.create({ name, dims, dataType: 7, int64Data: values });
const node = (opType: string, input: string[], output: string[], attrs: Record<string, number | number[]> = {}) =>
  onnx.NodeProto.create({
    opType,
    input,
    output,
    name: `n_${output[0]}`,
    attribute: Object.entries(attrs).map(([name, v]) =>
      Array.isArray(v)
        ? onnx.AttributeProto.create({ name, ints: v, type: onnx.AttributeProto.AttributeType.INTS })
        : onnx.AttributeProto.create({ name, i: v, type: onnx.AttributeProto.AttributeType.INT }),
    ),
  });
const io = (name: string, elemType: number, dims: (string | number)[]) =>
  onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });

type Variant = 'distil' | 'roberta' | 'meanpool';

/** hidden = (E[ids] (+ T[types])) * mask; the heads differ per variant. */
function buildModel(variant: Variant): Uint8Array {
  const withTypes = variant === 'roberta';
  const nodes = [
    node('Gather', ['E', 'input_ids'], ['emb'], { axis: 0 }),
    node('Cast', ['attention_mask'], ['maskf'], { to: 1 }),
    node('Unsqueeze', ['maskf', 'axis_last'], ['mask3']),
  ];
  if (withTypes) {
    nodes.push(node('Gather', ['T', 'token_type_ids'], ['temb'], { axis: 0 }), node('Add', ['emb', 'temb'], ['sum']));
    nodes.push(node('Mul', ['sum', 'mask3'], ['hidden']));
  } else {
    nodes.push(node('Mul', ['emb', 'mask3'], ['hidden']));
  }
  if (variant === 'distil') {
    nodes.push(
      node('Gather', ['hidden', 'zero'], ['clsv'], { axis: 1 }),
      node('MatMul', ['clsv', 'W1'], ['m1']),
      node('Add', ['m1', 'B1'], ['a1']),
      node('Relu', ['a1'], ['pooledv']),
      node('MatMul', ['pooledv', 'W2'], ['m2']),
      node('Add', ['B2', 'm2'], ['logits']),
    );
  } else if (variant === 'roberta') {
    nodes.push(
      node('Slice', ['hidden', 'zero1', 'one1', 'one1'], ['first']),
      node('Squeeze', ['first', 'one1'], ['clsv']),
      node('Gemm', ['clsv', 'W1t', 'B1'], ['g1'], { transB: 1 }),
      node('Tanh', ['g1'], ['pooledv']),
      node('Gemm', ['pooledv', 'W2', 'B2'], ['logits']),
    );
  } else {
    nodes.push(
      node('ReduceMean', ['hidden'], ['avg'], { axes: [1], keepdims: 0 }),
      node('Gemm', ['avg', 'W1t', 'B1'], ['g1'], { transB: 1 }),
      node('Tanh', ['g1'], ['pooledv']),
      node('Gemm', ['pooledv', 'W2', 'B2'], ['logits']),
    );
  }
  const W1t = seq(P * H, (i) => W1[(i % H) * P + Math.floor(i / H)]!); // [P, H]
  const used = new Set(nodes.flatMap((n) => n.input));
  const graph = onnx.GraphProto.create({
    name: variant,
    node: nodes,
    initializer: [
      f32('E', [V, H], E),
      f32('T', [2, H], T),
      f32('W1', [H, P], W1),
      f32('W1t', [P, H], W1t),
      f32('B1', [P], B1),
      f32('W2', [P, L], W2),
      f32('B2', [L], B2),
      i64('zero', [], [0]),
      i64('zero1', [1], [0]),
      i64('one1', [1], [1]),
      i64('axis_last', [1], [-1]),
    ].filter((t) => used.has(t.name)),
    input: [
      io('input_ids', 7, ['batch', 'sequence']),
      io('attention_mask', 7, ['batch', 'sequence']),
      ...(withTypes ? [io('token_type_ids', 7, ['batch', 'sequence'])] : []),
    ],
    output: [io('logits', 1, ['batch', L])],
  });
  return encodeModel(onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: 14 }], graph }));
}

function writeModelDir(variant: Variant): string {
  const dir = path.join(root, variant);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.onnx'), buildModel(variant));
  const config =
    variant === 'distil'
      ? { model_type: 'distilbert', dim: H, max_position_embeddings: 64, pad_token_id: 0, id2label: { 0: 'NO', 1: 'YES' } }
      : { model_type: 'roberta', hidden_size: H, max_position_embeddings: 66, pad_token_id: 1, id2label: { 0: 'NO', 1: 'YES' } };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

/** Reference forward pass of one unpadded row. */
function reference(variant: Variant, ids: number[], types: number[]) {
  const hidden = ids.map((id, t) => seq(H, (d) => E[id * H + d]! + (variant === 'roberta' ? T[types[t]! * H + d]! : 0)));
  const cls = hidden[0]!;
  const mean = seq(H, (d) => hidden.reduce((s, h) => s + h[d]!, 0) / ids.length);
  const z = seq(P, (p) => seq(H, (d) => cls[d]! * W1[d * P + p]!).reduce((a, b) => a + b, 0) + B1[p]!);
  const pooled = z.map((v) => (variant === 'distil' ? Math.max(0, v) : Math.tanh(v)));
  const logits = seq(L, (l) => seq(P, (p) => pooled[p]! * W2[p * L + l]!).reduce((a, b) => a + b, 0) + B2[l]!);
  return { cls, mean, pooled, logits };
}

const rows = [
  [2, 5, 7, 3],
  [2, 9, 3],
  [2, 4, 4, 8, 6, 3, 10],
  [2, 11, 3, 1, 3],
];

describe('graph surgery on non-BERT exports', () => {
  for (const variant of ['distil', 'roberta'] as const) {
    it(`${variant}: finds the classifier input and the [CLS] source, and embeds correctly`, async () => {
      const dir = writeModelDir(variant);
      const cacheDir = path.join(root, `cache-${variant}`);
      const { info } = await inspectModel(dir, { cacheDir });
      assert.deepEqual(info.available, ['cls', 'pooled', 'mean', 'logits']);
      assert.deepEqual(info.sources, { logits: 'logits', pooled: 'pooledv', lastHiddenState: 'hidden' });
      assert.deepEqual([...info.exposed].sort(), ['hidden', 'pooledv']);
      assert.equal(info.hiddenSize, H);
      assert.equal(info.numLabels, L);
      assert.match(info.notes.join('\n'), variant === 'distil' ? /logits: output 'logits' ← Add .*\(3 → 2\)/ : /\[CLS\] Slice/);

      const embedder = await createEmbedder(dir, { threads: 1, sessions: 1, batchTokens: 12, cacheDir, device: 'cpu' });
      try {
        const encodings = rows.map((r) => ({
          ids: Int32Array.from(r),
          typeIds: Int32Array.from(r, (_, t) => (t >= r.length / 2 ? 1 : 0)),
        }));
        const out = await embedder.embed(encodings, ['cls', 'pooled', 'mean', 'logits']);
        encodings.forEach((e, i) => {
          const ref = reference(variant, [...e.ids], [...e.typeIds]);
          for (const kind of ['cls', 'pooled', 'mean', 'logits'] as const) {
            const got = out[kind]![i]!;
            assert.equal(got.length, ref[kind].length, `${kind} width`);
            ref[kind].forEach((v, d) => assert.ok(Math.abs(got[d]! - v) < 1e-5, `${variant} ${kind} row ${i}[${d}]: ${got[d]} vs ${v}`));
          }
        });
      } finally {
        await embedder.close();
      }
    });
  }

  it('a head without a [CLS] selection: pooled and logits only, and notes say why', async () => {
    const dir = writeModelDir('meanpool');
    const { info } = await inspectModel(dir, { cacheDir: path.join(root, 'cache-meanpool') });
    assert.deepEqual(info.available, ['pooled', 'logits']);
    assert.deepEqual(info.exposed, ['pooledv']);
    assert.ok(info.notes.some((n) => n.includes('cls/mean unavailable')));
  });
});
