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
import { inspectModel } from '../src/embed/index.js';
import { decodeModel, encodeModel, onnx, usesExternalData } from '../src/embed/onnx-model.js';
import { ModelError } from '../src/errors.js';
import { externalDataFiles, weightBytes } from '../src/embed/weight-bytes.js';
import { chooseSessionLayout } from '../src/embed/session-layout.js';

let dir: string;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-extdata-'));
  const model = path.join(dir, 'ext');
  await makeModel({ outDir: model, size: 'tiny', head: 'seqcls', seed: 1 });
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

test('the memory budget counts external data: weightBytes is model.onnx plus the files it names', async () => {
  const model = path.join(dir, 'ext', 'model.onnx');
  const file = fs.statSync(model).size;
  const data = fs.statSync(path.join(dir, 'ext', 'model.onnx.data')).size;
  assert.ok(data > file / 10, 'the side file holds a real share of the weights');
  assert.deepEqual(externalDataFiles(fs.readFileSync(model)), ['model.onnx.data']);
  assert.equal(await weightBytes(model), file + data);
  // A budget that fits two copies of model.onnx alone but not of the weights: one session, not two.
  const layout = chooseSessionLayout({
    cores: 2,
    freeMemBytes: 1e12,
    maxMemoryBytes: 2 * file + 1,
    modelBytes: await weightBytes(model),
    device: 'cpu',
  });
  assert.equal(layout.sessions, 1);
});
