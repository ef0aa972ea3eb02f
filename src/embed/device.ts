/**
 * Device → ONNX Runtime execution providers.
 *
 * onnxruntime-node bundles the CPU and WebGPU providers. `listSupportedBackends()`
 * lists `cuda` with `bundled: false`: its provider libraries
 * (libonnxruntime_providers_cuda.so + libonnxruntime_providers_shared.so) are only
 * placed in the package's bin/napi-v6/<platform>/<arch>/ directory when the package
 * is installed with `--onnxruntime-node-install=cuda12` (script/install.js). So CUDA
 * counts as available when the backend is listed and either bundled or its library
 * is present there.
 *
 * - cpu    → ['cpu']
 * - cuda   → ['cuda']; without the CUDA provider installed → ModelError telling how to install it
 * - auto   → cuda when available, else cpu with a warning for the caller to log
 * - webgpu → ['webgpu']; a missing adapter shows only when a session is created
 * This is the fast first check; device-probe.ts then proves the choice with a real session.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ModelError } from '../errors.js';
import type { Device } from './types.js';

// npm 11 blocks dependency install scripts unless approved (`npm install-scripts`), and then the
// npm flag alone downloads nothing; running the package's own install script works with any npm.
export const CUDA_INSTALL_HINT =
  'npm install onnxruntime-node --onnxruntime-node-install=cuda12, or where npm blocks install scripts: ' +
  'node node_modules/onnxruntime-node/script/install.js --onnxruntime-node-install=cuda12 (needs CUDA 12 and cuDNN 9 on the machine)';

export interface ProviderProbe {
  cuda: boolean;
  webgpu: boolean;
  /** Why CUDA is unavailable, when it is. */
  cudaReason?: string;
}

export interface DeviceChoice {
  device: 'cpu' | 'cuda' | 'webgpu';
  executionProviders: string[];
  /** Set when `auto` fell back to CPU; the caller logs it. */
  warning?: string;
}

interface SupportedBackend {
  name: string;
  bundled: boolean;
}

function cudaLibraryName(): string {
  return process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
}

/** Looks at the installed onnxruntime-node: which providers it lists, and whether CUDA's library is present. */
export function probeProviders(): ProviderProbe {
  const require = createRequire(import.meta.url);
  const main = require.resolve('onnxruntime-node');
  // Loaded lazily so importing this module does not load the native binding.
  const ort = require('onnxruntime-node') as { listSupportedBackends?: () => SupportedBackend[] };
  const backends = ort.listSupportedBackends?.() ?? [{ name: 'cpu', bundled: true }];
  const byName = new Map(backends.map((b) => [b.name, b]));
  const webgpu = byName.has('webgpu');
  const cuda = byName.get('cuda');
  if (!cuda) {
    return { cuda: false, webgpu, cudaReason: `onnxruntime-node has no CUDA backend on ${process.platform}/${process.arch}` };
  }
  if (cuda.bundled) return { cuda: true, webgpu };
  const binDir = path.join(path.dirname(main), '..', 'bin', 'napi-v6', process.platform, process.arch);
  const lib = path.join(binDir, cudaLibraryName());
  if (fs.existsSync(lib)) return { cuda: true, webgpu };
  return { cuda: false, webgpu, cudaReason: `the CUDA execution provider is not installed (${lib} is missing)` };
}

export function resolveDevice(device: Device, probe: ProviderProbe = probeProviders()): DeviceChoice {
  switch (device) {
    case 'cpu':
      return { device: 'cpu', executionProviders: ['cpu'] };
    case 'cuda':
      if (!probe.cuda) {
        throw new ModelError(
          `device 'cuda' requested but ${probe.cudaReason ?? 'CUDA is unavailable'}; reinstall with: ${CUDA_INSTALL_HINT}`,
        );
      }
      return { device: 'cuda', executionProviders: ['cuda'] };
    case 'webgpu':
      if (!probe.webgpu) {
        throw new ModelError(`device 'webgpu' requested but this onnxruntime-node build has no WebGPU backend`);
      }
      return { device: 'webgpu', executionProviders: ['webgpu'] };
    case 'auto':
      if (probe.cuda) return { device: 'cuda', executionProviders: ['cuda'] };
      return {
        device: 'cpu',
        executionProviders: ['cpu'],
        warning: `device 'auto': using CPU because ${probe.cudaReason ?? 'CUDA is unavailable'} (for GPU: ${CUDA_INSTALL_HINT})`,
      };
    default: {
      const never: never = device;
      throw new ModelError(`unknown device '${String(never)}'`);
    }
  }
}

/** Wraps a session-creation failure with what to do about it on that device. */
export function sessionFailure(choice: DeviceChoice, err: Error): ModelError {
  const hint =
    choice.device === 'cuda'
      ? ` — check that CUDA 12 and cuDNN 9 libraries are on the library path, or reinstall with: ${CUDA_INSTALL_HINT}`
      : choice.device === 'webgpu'
        ? ' — the WebGPU provider is experimental and needs a usable GPU adapter (Vulkan/Metal/D3D12); use --device cpu'
        : '';
  return new ModelError(`${choice.device} session could not be created: ${err.message}${hint}`, { cause: err });
}
