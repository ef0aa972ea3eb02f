import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { quantizeModel } from '../src/embed/quantize.js';
import { makeModel } from '../src/modelgen/index.js';
import { benchTransformersJs, int8PeerDir } from '../scripts/bench/peer.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-bench-int8peer-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const pairs: Array<[string, string]> = [
  ['A man is playing a guitar', 'A man is not playing a guitar'],
  ['The boy is happy', 'The boy is sad and tired today'],
  ['Three dogs are running', 'Dogs run'],
];

test("transformers.js with dtype 'q8' runs pairscore's very int8 file through int8PeerDir, and reports a padding share", async () => {
  const fp32 = path.join(root, 'tiny');
  const int8 = path.join(root, 'tiny-int8');
  await makeModel({ outDir: fp32, size: 'tiny', head: 'seqcls' });
  await quantizeModel(fp32, int8);
  const peerDir = int8PeerDir(int8, path.join(root, 'tiny-int8-tjs'));
  // The file transformers.js loads for q8 is pairscore's int8 model.onnx itself, not a copy.
  assert.equal(fs.realpathSync(path.join(peerDir, 'model_quantized.onnx')), fs.realpathSync(path.join(int8, 'model.onnx')));
  assert.ok(!fs.existsSync(path.join(peerDir, 'model.onnx')), 'no fp32-named file the peer could load instead');
  const r = await benchTransformersJs(pairs, peerDir, { threads: 1, dtype: 'q8' });
  assert.ok(r.pairsPerSec > 0 && Number.isFinite(r.pairsPerSec));
  // One batch of 3 rows padded to the longest: padding ÷ padded tokens, a share below 1.
  assert.ok(r.paddingShare > 0 && r.paddingShare < 1, `padding share ${r.paddingShare}`);
  // Without the layout, q8 finds no model_quantized.onnx: the bench cannot silently fall back to another file.
  await assert.rejects(benchTransformersJs(pairs, int8, { threads: 1, dtype: 'q8' }));
});
