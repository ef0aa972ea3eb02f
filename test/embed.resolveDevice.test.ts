import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ModelError } from '../src/errors.js';
import { probeProviders, resolveDevice } from '../src/embed/device.js';

const noCuda = { cuda: false, webgpu: true, cudaReason: 'the CUDA execution provider is not installed' };
const withCuda = { cuda: true, webgpu: true };

describe('resolveDevice', () => {
  it('cpu → [cpu]', () => {
    assert.deepEqual(resolveDevice('cpu', noCuda), { device: 'cpu', executionProviders: ['cpu'] });
  });

  it('cuda → [cuda] when the provider is installed', () => {
    assert.deepEqual(resolveDevice('cuda', withCuda), { device: 'cuda', executionProviders: ['cuda'] });
  });

  it('cuda without the provider → ModelError with the reinstall command', () => {
    assert.throws(
      () => resolveDevice('cuda', noCuda),
      (err: Error) =>
        err instanceof ModelError &&
        err.message.includes('npm install onnxruntime-node --onnxruntime-node-install=cuda12') &&
        err.message.includes('not installed'),
    );
  });

  it('auto → cuda when available, else cpu with a warning', () => {
    assert.deepEqual(resolveDevice('auto', withCuda), { device: 'cuda', executionProviders: ['cuda'] });
    const cpu = resolveDevice('auto', noCuda);
    assert.deepEqual(cpu.executionProviders, ['cpu']);
    assert.match(cpu.warning ?? '', /using CPU because the CUDA execution provider is not installed/);
  });

  it('webgpu → [webgpu], or a ModelError when the build has no WebGPU backend', () => {
    assert.deepEqual(resolveDevice('webgpu', withCuda).executionProviders, ['webgpu']);
    assert.throws(() => resolveDevice('webgpu', { cuda: false, webgpu: false }), ModelError);
  });

  it('probes the installed onnxruntime-node (CPU build here: no CUDA library)', () => {
    const probe = probeProviders();
    if (probe.cuda) return; // a machine with the CUDA provider installed
    assert.match(probe.cudaReason ?? '', /libonnxruntime_providers_cuda|no CUDA backend/);
    assert.throws(() => resolveDevice('cuda'), /--onnxruntime-node-install=cuda12/);
  });
});
