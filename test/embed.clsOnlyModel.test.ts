import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { clsOnlyGraph } from '../src/embed/cls-only-graph.js';
import { clsOnlyModel, readsPosition0Only } from '../src/embed/cls-only-model.js';
import { inspectModel, type InspectResult } from '../src/embed/inspect.js';
import { decodeModel, encodeModel } from '../src/embed/onnx-model.js';
import { quantizeModel } from '../src/embed/quantize.js';
import { makeModel } from '../src/modelgen/index.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-clsonly-model-'));
const dir = (name: string) => path.join(root, name);
after(() => fs.rmSync(root, { recursive: true, force: true }));

const md5 = (file: string) => createHash('md5').update(fs.readFileSync(file)).digest('hex');

/** A copy of a model folder whose model.onnx is `edit`ed. */
function editedModel(from: string, to: string, edit: (m: ReturnType<typeof decodeModel>) => void): void {
  fs.cpSync(from, to, { recursive: true });
  const m = decodeModel(fs.readFileSync(path.join(from, 'model.onnx')));
  edit(m);
  fs.writeFileSync(path.join(to, 'model.onnx'), encodeModel(m));
}

before(async () => {
  await makeModel({ outDir: dir('seqcls'), size: 'tiny', head: 'seqcls' });
  await makeModel({ outDir: dir('seqcls-7'), size: 'tiny', head: 'seqcls', seed: 7 });
});

describe('readsPosition0Only', () => {
  it('is true for cls, pooled, logits and nothing; false as soon as mean is read', () => {
    assert.equal(readsPosition0Only(['cls', 'pooled', 'logits']), true);
    assert.equal(readsPosition0Only([]), true);
    assert.equal(readsPosition0Only(['cls', 'mean']), false);
  });
});

describe('clsOnlyModel', () => {
  it('derives a logits-only export through both steps (exposed outputs, then [CLS] only) into its own file', async () => {
    const cacheDir = dir('cache-both');
    const userModel = path.join(dir('seqcls'), 'model.onnx');
    const userBefore = md5(userModel);
    const inspected = await inspectModel(dir('seqcls'), { cacheDir });
    assert.deepEqual(inspected.info.outputs, ['logits']);
    assert.notEqual(inspected.modelPath, userModel, 'the exposed-outputs copy is what the embedder loads');
    const exposedBefore = md5(inspected.modelPath);

    const r = await clsOnlyModel(inspected, cacheDir);
    assert.equal(r.path, path.join(cacheDir, 'derived', `${inspected.info.sha256}.cls-only-v1.onnx`), r.why);
    assert.match(r.why, /equal to the full graph within 1e-5 on a probe batch \(max \|Δ\| /);
    // Neither the user's file nor the exposed copy is touched.
    assert.equal(md5(userModel), userBefore);
    assert.equal(md5(inspected.modelPath), exposedBefore);

    const copy = decodeModel(fs.readFileSync(r.path));
    const outputs = new Map(copy.graph!.output!.map((o) => [o.name, o]));
    const { lastHiddenState, pooled, logits } = inspected.info.sources;
    for (const name of [lastHiddenState!, pooled!, logits!]) assert.ok(outputs.has(name), `the copy outputs ${name}`);
    assert.equal(Number(outputs.get(lastHiddenState!)!.type!.tensorType!.shape!.dim![1]!.dimValue), 1);
  });

  it('reads the recorded outcome on later calls instead of deriving again', async () => {
    const cacheDir = dir('cache-again');
    const inspected = await inspectModel(dir('seqcls'), { cacheDir });
    const first = await clsOnlyModel(inspected, cacheDir);
    assert.ok(first.path, first.why);
    // Deriving again would read this (missing) file and fall back to the full graph.
    const gone: InspectResult = { ...inspected, modelPath: path.join(root, 'no-such-model.onnx') };
    assert.deepEqual(await clsOnlyModel(gone, cacheDir), first);

    // The same for an outcome that says no: the int8 model is not decoded again either.
    await quantizeModel(dir('seqcls'), dir('seqcls-int8'), { reduceRange: true });
    const int8 = await inspectModel(dir('seqcls-int8'), { cacheDir });
    const no = await clsOnlyModel(int8, cacheDir);
    assert.equal(no.path, null);
    assert.deepEqual(await clsOnlyModel({ ...int8, modelPath: path.join(root, 'no-such-model.onnx') }, cacheDir), no);
  });

  it('keeps the full graph for an int8 model (matmulinteger and dqmm) and writes no copy', async () => {
    const cacheDir = dir('cache-int8');
    for (const op of ['matmulinteger', 'dqmm'] as const) {
      await quantizeModel(dir('seqcls'), dir(`int8-${op}`), { op, reduceRange: true });
      const inspected = await inspectModel(dir(`int8-${op}`), { cacheDir });
      const r = await clsOnlyModel(inspected, cacheDir);
      assert.equal(r.path, null, op);
      assert.match(r.why, /^quantized model \(\d+ int8 linear ops\)/, op);
      assert.ok(!fs.existsSync(path.join(cacheDir, 'derived', `${inspected.info.sha256}.cls-only-v1.onnx`)), op);
    }
  });

  it('keeps the full graph, with the reason, when the last layer does not match the pattern', async () => {
    editedModel(dir('seqcls'), dir('sigmoid'), (m) => {
      m.graph!.node!.filter((n) => n.opType === 'Softmax').at(-1)!.opType = 'Sigmoid';
    });
    const cacheDir = dir('cache-sigmoid');
    const r = await clsOnlyModel(await inspectModel(dir('sigmoid'), { cacheDir }), cacheDir);
    assert.equal(r.path, null);
    assert.match(r.why, /^the graph does not match the \[CLS\]-only pattern: .*Softmax/);
  });

  it('does not use (and removes) a copy that disagrees with the full graph on the probe batch', async () => {
    const cacheDir = dir('cache-stale');
    const inspected = await inspectModel(dir('seqcls'), { cacheDir });
    // A copy with the right structure but another model's weights sits where this model's copy goes
    // (as a stale or foreign file would), and no outcome is recorded yet.
    const other = await inspectModel(dir('seqcls-7'), { cacheDir });
    const wrong = clsOnlyGraph(decodeModel(fs.readFileSync(other.modelPath)), other.info.sources);
    assert.ok(wrong.model);
    const target = path.join(cacheDir, 'derived', `${inspected.info.sha256}.cls-only-v1.onnx`);
    fs.writeFileSync(target, encodeModel(wrong.model));

    const r = await clsOnlyModel(inspected, cacheDir);
    assert.equal(r.path, null);
    assert.match(r.why, /differs from the full graph by \S+ on a probe batch/);
    assert.ok(!fs.existsSync(target));
  });
});
