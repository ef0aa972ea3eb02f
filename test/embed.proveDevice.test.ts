/**
 * proveDevice runs a real ONNX Runtime session (no mocks) on a one-node graph with the
 * chosen execution providers. CI and development machines here have onnxruntime-node's
 * CPU build only (no CUDA provider library, no GPU), so CUDA must be refused; the CUDA
 * cases skip on a machine where the CUDA provider library is actually installed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import { ModelError } from '../src/errors.js';
import { CUDA_INSTALL_HINT, probeProviders } from '../src/embed/device.js';
import { onnxruntimeVersion, proveDevice, runProbeSession } from '../src/embed/device-probe.js';
import { runCli } from './helpers/cli.js';

const ortVersion = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
const cudaInstalled = probeProviders().cuda;
const CUDA_PRESENT = 'a CUDA provider library is installed here, so refusing CUDA is not expected';
/** The library check passes (as on a host with the CUDA build but no usable GPU): only the session can refuse. */
const libraryPresent = { cuda: true, webgpu: true };

describe('proveDevice', () => {
  it('cpu: a real session on the probe graph runs; proveDevice(cpu) reports the installed onnxruntime-node version', async () => {
    await runProbeSession(['cpu']);
    const d = await proveDevice('cpu');
    assert.equal(d.device, 'cpu');
    assert.deepEqual(d.executionProviders, ['cpu']);
    assert.equal(d.requested, 'cpu');
    assert.equal(d.warning, undefined);
    assert.equal(d.onnxruntime, ortVersion);
    assert.equal(onnxruntimeVersion(), ortVersion);
  });

  it(
    'cuda: ModelError with the install instruction, because this machine has no CUDA build',
    { skip: cudaInstalled && CUDA_PRESENT },
    async () => {
      await assert.rejects(proveDevice('cuda'), (err: Error) => {
        assert.ok(err instanceof ModelError, `${err.name}: ${err.message}`);
        assert.ok(err.message.includes(CUDA_INSTALL_HINT), err.message);
        return true;
      });
    },
  );

  it(
    'cuda: the session itself refuses when the library check passes but the provider cannot start',
    { skip: cudaInstalled && CUDA_PRESENT },
    async () => {
      // ORT cannot load its CUDA provider here; the fast file check is bypassed, so only the real session can catch it.
      await assert.rejects(runProbeSession(['cuda']), /Failed to load shared library|cuda/i);
      await assert.rejects(proveDevice('cuda', { probe: libraryPresent }), (err: Error) => {
        assert.ok(err instanceof ModelError, `${err.name}: ${err.message}`);
        assert.match(err.message, /^cuda session could not be created: /);
        assert.ok(err.message.includes(CUDA_INSTALL_HINT), err.message);
        return true;
      });
    },
  );

  it(
    'auto: falls back to CPU with one warning when the CUDA session fails (real session)',
    { skip: cudaInstalled && CUDA_PRESENT },
    async () => {
      const d = await proveDevice('auto', { probe: libraryPresent });
      assert.equal(d.device, 'cpu');
      assert.deepEqual(d.executionProviders, ['cpu']);
      assert.equal(d.requested, 'auto');
      assert.match(d.warning ?? '', /^device 'auto': using CPU because cuda session could not be created/);
      // Without the override: the library check already says no CUDA.
      const plain = await proveDevice('auto');
      assert.equal(plain.device, 'cpu');
      assert.match(plain.warning ?? '', /using CPU because the CUDA execution provider is not installed/);
    },
  );

  it('webgpu: proven by a session, so a host without a GPU adapter gets a ModelError, not a late chunk failure', async (t) => {
    let works = true;
    await runProbeSession(['webgpu']).catch(() => (works = false));
    if (works) return t.skip('a WebGPU adapter is usable here');
    await assert.rejects(
      proveDevice('webgpu'),
      (err: Error) => err instanceof ModelError && /^webgpu session could not be created/.test(err.message),
    );
  });
});

describe('local score --device cuda', () => {
  let dir = '';
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-prove-'));
    for (const args of [
      ['make-model', '--size', 'tiny', '--head', 'seqcls', '--out', path.join(dir, 'demo')],
      ['generate', '--count', '20', '--seed', '3', '--out', path.join(dir, 'pairs.jsonl')],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with the install instruction and writes nothing (no CUDA build here)', { skip: cudaInstalled && CUDA_PRESENT }, async () => {
    const out = path.join(dir, 'out.jsonl');
    const r = await runCli(['score', path.join(dir, 'pairs.jsonl'), '--model', path.join(dir, 'demo'), '--device', 'cuda', '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(r.stderr.includes(CUDA_INSTALL_HINT), r.stderr);
    assert.equal(fs.existsSync(out), false);
  });
});
