import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ModelError } from '../src/errors.js';
import { inspectModel } from '../src/embed/inspect.js';
import { sha256File } from '../src/sha256-file.js';
import { SHARED_MISSING, sharedPath } from './helpers/shared.js';

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-embed-inspect-'));
after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

const seqcls = sharedPath('models', 'bert-tiny-sick-seqcls');
const random = sharedPath('models', 'bert-tiny-random');

describe('inspectModel', () => {
  it('exposes the pooled and last hidden state tensors of a logits-only export', { skip: !seqcls && SHARED_MISSING }, async () => {
    const userFile = path.join(seqcls!, 'model.onnx');
    const shaBefore = await sha256File(userFile);
    const { info, modelPath } = await inspectModel(seqcls!, { cacheDir });
    assert.deepEqual(info.outputs, ['logits']);
    assert.deepEqual(info.available, ['cls', 'pooled', 'mean', 'logits']);
    assert.equal(info.exposed.length, 2);
    assert.equal(info.sources.logits, 'logits');
    assert.ok(info.sources.pooled && info.exposed.includes(info.sources.pooled));
    assert.ok(info.sources.lastHiddenState && info.exposed.includes(info.sources.lastHiddenState));
    assert.deepEqual(info.id2label, ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION']);
    assert.equal(info.numLabels, 3);
    assert.equal(info.hiddenSize, 128);
    assert.equal(info.maxLength, 512);
    assert.equal(info.sha256, shaBefore);
    assert.equal(modelPath, path.join(cacheDir, 'derived', `${shaBefore}.onnx`));
    assert.ok(info.notes.some((n) => n.includes('Gemm') && n.startsWith('logits')));

    // Cached: the second call does not rewrite the derived file; the user's file is unchanged.
    const st1 = fs.statSync(modelPath);
    const again = await inspectModel(seqcls!, { cacheDir });
    const st2 = fs.statSync(modelPath);
    assert.equal(again.modelPath, modelPath);
    assert.equal(st2.mtimeMs, st1.mtimeMs);
    assert.equal(st2.ino, st1.ino);
    assert.deepEqual(again.info, info);
    assert.equal(await sha256File(userFile), shaBefore);
    assert.deepEqual(
      fs.readdirSync(path.join(cacheDir, 'derived')).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });

  it('uses a BertModel export as is', { skip: !random && SHARED_MISSING }, async () => {
    const { info, modelPath } = await inspectModel(random!, { cacheDir });
    assert.equal(modelPath, path.join(random!, 'model.onnx'));
    assert.deepEqual(info.exposed, []);
    assert.deepEqual(info.available, ['cls', 'pooled', 'mean']);
    assert.deepEqual(info.sources, { lastHiddenState: 'last_hidden_state', pooled: 'pooler_output' });
    assert.ok(info.notes.some((n) => n.startsWith('logits: no output')));
  });

  it('fails with a ModelError naming the path for a missing directory or file', async () => {
    const missing = path.join(cacheDir, 'no-such-model');
    await assert.rejects(inspectModel(missing, { cacheDir }), (err: Error) => {
      assert.ok(err instanceof ModelError);
      assert.match(err.message, /model directory not found/);
      assert.ok(err.message.includes(missing));
      return true;
    });
    const empty = fs.mkdtempSync(path.join(cacheDir, 'empty-'));
    await assert.rejects(inspectModel(empty, { cacheDir }), (err: Error) => {
      assert.ok(err instanceof ModelError);
      assert.ok(err.message.includes(path.join(empty, 'model.onnx')));
      return true;
    });
    fs.writeFileSync(path.join(empty, 'model.onnx'), 'not a model');
    fs.writeFileSync(path.join(empty, 'config.json'), '{ broken');
    await assert.rejects(inspectModel(empty, { cacheDir }), (err: Error) => {
      assert.ok(err instanceof ModelError);
      assert.ok(err.message.includes(path.join(empty, 'config.json')));
      return true;
    });
    fs.writeFileSync(path.join(empty, 'config.json'), '{}');
    await assert.rejects(inspectModel(empty, { cacheDir }), (err: Error) => {
      assert.ok(err instanceof ModelError);
      assert.match(err.message, /not a valid ONNX model/);
      return true;
    });
  });
});
