import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EmbeddingKind, Encoding } from '../src/contracts.js';
import { InputError, ModelError } from '../src/errors.js';
import { createEmbedder, inspectModel } from '../src/embed/index.js';
import { decodeModel } from '../src/embed/onnx-model.js';
import { sha256File } from '../src/sha256-file.js';
import { QUANT_METADATA_KEY, quantizeColumns, quantizeModel } from '../src/embed/quantize.js';
import { makeModel } from '../src/modelgen/index.js';
import { generatePairs } from '../src/synthetic/pairs.js';
import { loadTokenizer } from '../src/tokenize/index.js';
import { SHARED_MISSING, sharedPath } from './helpers/shared.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-quant-'));
const cacheDir = path.join(root, 'cache');
const dir = (name: string) => path.join(root, name);
after(() => fs.rmSync(root, { recursive: true, force: true }));

function cosine(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return d / Math.sqrt(na * nb);
}

const argmax = (v: Float32Array) => v.indexOf(Math.max(...v));

async function embedAll(modelDir: string, encodings: Encoding[], kinds: EmbeddingKind[]) {
  const e = await createEmbedder(modelDir, { threads: 1, sessions: 1, batchTokens: 1024, cacheDir, device: 'cpu' });
  try {
    return await e.embed(encodings, kinds);
  } finally {
    await e.close();
  }
}

function opCounts(modelFile: string): Record<string, number> {
  const m = decodeModel(fs.readFileSync(modelFile));
  const c: Record<string, number> = {};
  for (const n of m.graph?.node ?? []) c[n.opType ?? ''] = (c[n.opType ?? ''] ?? 0) + 1;
  return c;
}

function snapshot(d: string): Record<string, string> {
  return Object.fromEntries(
    fs.readdirSync(d).map((f) => [f, fs.statSync(path.join(d, f)).mtimeMs + ':' + fs.statSync(path.join(d, f)).size]),
  );
}

let encodings: Encoding[];

before(async () => {
  await makeModel({ outDir: dir('seqcls'), size: 'tiny', head: 'seqcls' });
  await makeModel({ outDir: dir('base'), size: 'tiny', head: 'base' });
  const tok = await loadTokenizer(dir('seqcls'));
  encodings = [...generatePairs(200, 3)].map((p) => tok.encodePair(p.premise, p.hypothesis));
});

describe('quantizeColumns', () => {
  it('is symmetric per column with zero point 0 and round-trips within half a step', () => {
    const w = Float32Array.from([0.5, -2, 0, -1, 1, 0, 0.25, 0.5, 0]); // [3, 3]
    const { q, scale } = quantizeColumns(w, 3, 3, 127);
    assert.deepEqual([...scale], [1 / 127, 2 / 127, 1].map(Math.fround));
    assert.equal(q[3], -127); // column 0's largest magnitude
    assert.equal(q[1], -127);
    assert.deepEqual([q[2], q[5], q[8]], [0, 0, 0]); // all-zero column
    for (let i = 0; i < 9; i++) assert.ok(Math.abs(q[i]! * scale[i % 3]! - w[i]!) <= scale[i % 3]! / 2 + 1e-7);
  });
});

describe('quantizeModel', () => {
  it('rewrites every MatMul/Gemm with a constant weight, keeps the classifier fp32, marks and copies', async () => {
    const before = snapshot(dir('seqcls'));
    const shaBefore = await sha256File(path.join(dir('seqcls'), 'model.onnx'));
    const r = await quantizeModel(dir('seqcls'), dir('seqcls-int8'), { op: 'dqmm', reduceRange: true });
    // tiny = 2 layers × (q, k, v, attention output, intermediate, output) + the pooler Gemm.
    assert.deepEqual(r.rewritten, { MatMul: 12, Gemm: 1 });
    assert.equal(r.fusedBias, 12);
    assert.equal(r.kept.length, 1);
    assert.match(r.kept[0]!, /classifier head kept fp32/);
    const ops = opCounts(r.modelFile);
    assert.equal(ops['DynamicQuantizeMatMul'], 13);
    assert.equal(ops['MatMul'], 4); // the attention score/context products (activation × activation)
    assert.equal(ops['Gemm'], 1);
    assert.ok(r.bytesOut < r.bytesIn);
    const model = decodeModel(fs.readFileSync(r.modelFile));
    const meta = model.metadataProps?.find((p) => p.key === QUANT_METADATA_KEY);
    assert.ok(meta?.value);
    assert.equal((JSON.parse(meta.value) as { rewritten: number }).rewritten, 13);
    assert.ok(model.opsetImport?.some((o) => o.domain === 'com.microsoft'));
    assert.deepEqual(r.copied, ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
    for (const f of r.copied)
      assert.equal(fs.readFileSync(path.join(r.outDir, f), 'utf8'), fs.readFileSync(path.join(dir('seqcls'), f), 'utf8'));
    assert.deepEqual(snapshot(dir('seqcls')), before, 'the source directory is untouched');
    assert.equal(await sha256File(path.join(dir('seqcls'), 'model.onnx')), shaBefore);
  });

  it('inspect on the quantized logits-only export still exposes pooled and the hidden state, and says it is quantized', async () => {
    const { info, modelPath } = await inspectModel(dir('seqcls-int8'), { cacheDir });
    assert.deepEqual([...info.available].sort(), ['cls', 'logits', 'mean', 'pooled']);
    assert.deepEqual(info.outputs, ['logits']);
    assert.equal(info.exposed.length, 2);
    assert.notEqual(modelPath, path.join(dir('seqcls-int8'), 'model.onnx'));
    assert.ok(
      info.notes.some((n) => n.startsWith('quantized: dynamic-int8, 13 linear ops')),
      info.notes.join('\n'),
    );
    const fp32 = await inspectModel(dir('seqcls'), { cacheDir });
    assert.ok(!fp32.info.notes.some((n) => n.startsWith('quantized')));
  });

  it('the int8 models (both forms) run; cls/pooled cosine to fp32 is high and the labels mostly agree', async () => {
    await quantizeModel(dir('seqcls'), dir('seqcls-mmi'));
    const kinds: EmbeddingKind[] = ['cls', 'pooled', 'logits'];
    const a = await embedAll(dir('seqcls'), encodings, kinds);
    for (const d of ['seqcls-int8', 'seqcls-mmi']) {
      const b = await embedAll(dir(d), encodings, kinds);
      for (const k of ['cls', 'pooled'] as const) {
        const cos = a[k]!.map((v, i) => cosine(v, b[k]![i]!));
        const mean = cos.reduce((s, c) => s + c, 0) / cos.length;
        assert.ok(mean > 0.995, `${d} ${k}: mean cosine ${mean}`);
        assert.ok(Math.min(...cos) > 0.98, `${d} ${k}: min cosine ${Math.min(...cos)}`);
      }
      const agree = a.logits!.filter((v, i) => argmax(v) === argmax(b.logits![i]!)).length / encodings.length;
      assert.ok(agree >= 0.9, `${d}: label agreement ${agree}`);
    }
  });

  it('quantizes a base-head export (last_hidden_state + pooler_output) and the MatMulInteger form too', async () => {
    const r = await quantizeModel(dir('base'), dir('base-int8'), { op: 'dqmm' });
    assert.deepEqual(r.rewritten, { MatMul: 12, Gemm: 1 });
    assert.deepEqual(r.kept, []);
    const mi = await quantizeModel(dir('base'), dir('base-mmi')); // default: the MatMulInteger form
    assert.equal(mi.op, 'matmulinteger');
    assert.equal(opCounts(mi.modelFile)['MatMulInteger'], 13);
    assert.equal(opCounts(mi.modelFile)['DynamicQuantizeLinear'], 13);
    const a = await embedAll(dir('base'), encodings, ['cls', 'pooled']);
    for (const d of ['base-int8', 'base-mmi']) {
      const b = await embedAll(dir(d), encodings, ['cls', 'pooled']);
      for (const k of ['cls', 'pooled'] as const) {
        const mean = a[k]!.reduce((s, v, i) => s + cosine(v, b[k]![i]!), 0) / encodings.length;
        assert.ok(mean > 0.995, `${d} ${k}: mean cosine ${mean}`);
      }
    }
  });

  it('a quantized classifier head (keepHead: false) is still found by inspect', async () => {
    const r = await quantizeModel(dir('seqcls'), dir('seqcls-all'), { op: 'dqmm', keepHead: false });
    assert.deepEqual(r.rewritten, { MatMul: 12, Gemm: 2 });
    const { info } = await inspectModel(dir('seqcls-all'), { cacheDir });
    assert.equal(info.numLabels, 3);
    assert.ok(info.available.includes('pooled') && info.available.includes('logits') && info.available.includes('cls'));
    assert.ok(
      info.notes.some((n) => /logits: output 'logits' ← DynamicQuantizeMatMul/.test(n)),
      info.notes.join('\n'),
    );
  });

  it('fails clearly on a missing directory, the same directory, or an already quantized model', async () => {
    await assert.rejects(
      quantizeModel(dir('nope'), dir('nope-int8')),
      (e: unknown) => e instanceof InputError && /model directory not found/.test(e.message),
    );
    assert.equal(fs.existsSync(dir('nope-int8')), false);
    await assert.rejects(quantizeModel(dir('seqcls'), dir('seqcls')), InputError);
    await assert.rejects(
      quantizeModel(dir('seqcls-int8'), dir('twice')),
      (e: unknown) => e instanceof ModelError && /already quantized/.test(e.message),
    );
  });

  it('on the SICK-tuned tiny model: golden pairs keep their labels', async (t) => {
    const sick = sharedPath('models', 'bert-tiny-sick-seqcls');
    if (!sick) return t.skip(SHARED_MISSING);
    await quantizeModel(sick, dir('sick-int8'));
    const golden = (
      JSON.parse(fs.readFileSync(path.join(sick, 'golden.json'), 'utf8')) as {
        pairs: Array<{ input_ids: number[]; token_type_ids: number[]; logits: number[] }>;
      }
    ).pairs;
    const enc = golden.map((p) => ({ ids: Int32Array.from(p.input_ids), typeIds: Int32Array.from(p.token_type_ids) }));
    const out = await embedAll(dir('sick-int8'), enc, ['logits', 'pooled']);
    golden.forEach((p, i) => assert.equal(argmax(out.logits![i]!), argmax(Float32Array.from(p.logits)), `pair ${i}`));
  });
});
