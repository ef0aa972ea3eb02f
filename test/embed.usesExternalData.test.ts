/**
 * Models whose weights live in external data files are refused with a clear
 * message where pairscore would have to rewrite the graph (README "Use your own
 * fine-tuned model"): exposing the inner tensors of a logits-only export, and
 * `quantize`. The model here is `make-model`'s, with its largest initializer
 * moved to a side file the way the ONNX external-data format stores it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { makeModel } from '../src/modelgen/index.js';
import { createEmbedder, inspectModel } from '../src/embed/index.js';
import { decodeModel, encodeModel, onnx, usesExternalData } from '../src/embed/onnx-model.js';
import { ModelError } from '../src/errors.js';
import { externalDataFiles, weightBytes } from '../src/embed/weight-bytes.js';
import { chooseSessionLayout } from '../src/embed/session-layout.js';

let dir: string;

/** Moves the model's largest initializer to `model.onnx.data`, the way the ONNX external-data format stores it. */
function externalize(model: string): void {
  const proto = decodeModel(fs.readFileSync(path.join(model, 'model.onnx')));
  assert.equal(usesExternalData(proto), false);
  const inits = proto.graph!.initializer!;
  const biggest = inits.reduce((a, b) => ((b.rawData?.length ?? 0) > (a.rawData?.length ?? 0) ? b : a));
  const raw = biggest.rawData!;
  fs.writeFileSync(path.join(model, 'model.onnx.data'), raw);
  biggest.rawData = new Uint8Array(0);
  biggest.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  biggest.externalData = [
    { key: 'location', value: 'model.onnx.data' },
    { key: 'offset', value: '0' },
    { key: 'length', value: String(raw.length) },
  ];
  fs.writeFileSync(path.join(model, 'model.onnx'), encodeModel(proto));
  assert.equal(usesExternalData(decodeModel(fs.readFileSync(path.join(model, 'model.onnx')))), true);
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-extdata-'));
  await makeModel({ outDir: path.join(dir, 'ext'), size: 'tiny', head: 'seqcls', seed: 1 });
  externalize(path.join(dir, 'ext'));
  // A base export needs no surgery, so it loads with its weights outside model.onnx.
  await makeModel({ outDir: path.join(dir, 'ext-base'), size: 'tiny', head: 'base', seed: 1 });
  externalize(path.join(dir, 'ext-base'));
});

after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a logits-only export with external data is refused with a ModelError saying a single-file model is needed', async () => {
  await assert.rejects(inspectModel(path.join(dir, 'ext'), { cacheDir: path.join(dir, 'cache') }), (err: Error) => {
    assert.ok(err instanceof ModelError, String(err));
    assert.match(err.message, /model\.onnx keeps its weights in external data files; exposing .*needs a single-file model/);
    return true;
  });
  const r = await runCli(['inspect', path.join(dir, 'ext')], { PAIRSCORE_CACHE_DIR: path.join(dir, 'cache') });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /external data files/);
});

test('quantize refuses a model with external data, and writes nothing', async () => {
  const out = path.join(dir, 'q');
  const r = await runCli(['quantize', path.join(dir, 'ext'), '--out', out], { PAIRSCORE_CACHE_DIR: path.join(dir, 'cache') });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /keeps its weights in external data files; quantize needs a single-file model/);
  assert.ok(!fs.existsSync(path.join(out, 'model.onnx')));
});

test('the memory budget counts external data: inspect names the files, weightBytes adds them to model.onnx', async () => {
  const model = path.join(dir, 'ext-base', 'model.onnx');
  const file = fs.statSync(model).size;
  const data = fs.statSync(path.join(dir, 'ext-base', 'model.onnx.data')).size;
  assert.ok(data > file / 10, 'the side file holds a real share of the weights');
  assert.deepEqual(externalDataFiles(decodeModel(fs.readFileSync(model))), ['model.onnx.data']);
  const inspected = await inspectModel(path.join(dir, 'ext-base'), { cacheDir: path.join(dir, 'cache') });
  assert.equal(inspected.modelPath, model);
  assert.deepEqual(inspected.externalDataFiles, ['model.onnx.data']);
  const weights = await weightBytes(inspected.modelPath, inspected.externalDataFiles);
  assert.equal(weights, file + data);
  // A budget that fits two copies of model.onnx alone but not of the weights: one session, not two.
  const layout = chooseSessionLayout({ cores: 2, freeMemBytes: 1e12, maxMemoryBytes: 2 * file + 1, modelBytes: weights, device: 'cpu' });
  assert.equal(layout.sessions, 1);
  // createEmbedder lays the sessions out by the same count: the budget above gives it one.
  const embedder = await createEmbedder(path.join(dir, 'ext-base'), {
    cacheDir: path.join(dir, 'cache'),
    device: 'cpu',
    threads: 1,
    maxMemoryBytes: 2 * file + 1,
  });
  try {
    assert.equal(embedder.layout.sessions, 1, embedder.layout.reason);
  } finally {
    await embedder.close();
  }
});
