/**
 * `--gpu-id N` reaches ONNX Runtime as the CUDA execution provider's documented
 * `deviceId` option (onnxruntime-common's CudaExecutionProviderOption). Pure: the flag,
 * the configuration and the option builder, with no GPU and no mock of ORT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { executionProviderConfigs } from '../src/embed/provider-options.js';
import { loadConfig } from '../src/config.js';
import { workerOptionsFrom } from '../src/queue/lifecycle.js';
import { silentLogger } from '../src/log.js';
import { InputError } from '../src/errors.js';
import { runCli } from './helpers/cli.js';

test('--gpu-id 1 → config → worker options → the CUDA provider option deviceId: 1', () => {
  const config = loadConfig({ gpuId: 1, device: 'cuda' }, {});
  const opts = workerOptionsFrom(config, silentLogger());
  assert.equal(opts.gpuId, 1);
  assert.deepEqual(executionProviderConfigs(['cuda'], { gpuId: opts.gpuId! }), [{ name: 'cuda', deviceId: 1 }]);
});

test('PAIRSCORE_GPU_ID is read when no flag is given; the default is GPU 0', () => {
  assert.equal(loadConfig({}, { PAIRSCORE_GPU_ID: '3' }).gpuId, 3);
  assert.equal(loadConfig({ gpuId: 2 }, { PAIRSCORE_GPU_ID: '3' }).gpuId, 2, 'the flag wins');
  assert.equal(loadConfig({}, {}).gpuId, 0);
  assert.deepEqual(executionProviderConfigs(['cuda'], { gpuId: 0 }), [{ name: 'cuda', deviceId: 0 }]);
});

test('other providers stay plain names: the GPU ordinal only means something to CUDA', () => {
  assert.deepEqual(executionProviderConfigs(['cpu'], { gpuId: 1 }), ['cpu']);
  assert.deepEqual(executionProviderConfigs(['webgpu'], { gpuId: 1 }), ['webgpu']);
  assert.deepEqual(executionProviderConfigs(['cuda', 'cpu'], { gpuId: 2 }), [{ name: 'cuda', deviceId: 2 }, 'cpu']);
});

test('a GPU id that is not a whole number in 0..63 is refused, naming the variable', () => {
  for (const bad of ['-1', '64', '1.5', 'first']) {
    assert.throws(
      () => loadConfig({}, { PAIRSCORE_GPU_ID: bad }),
      (err: Error) => err instanceof InputError && /PAIRSCORE_GPU_ID/.test(err.message),
      bad,
    );
  }
});

test('worker --gpu-id refuses a negative or non-numeric id before it connects (exit 2)', { timeout: 30000 }, async () => {
  for (const bad of ['-1', 'x']) {
    const r = await runCli(['worker', '--gpu-id', bad], { REDIS_URL: 'redis://127.0.0.1:1' });
    assert.notEqual(r.code, 0, r.stderr);
    assert.match(r.stderr, /--gpu-id must be a whole number in 0–63/);
  }
});
