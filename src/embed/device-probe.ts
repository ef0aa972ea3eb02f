/**
 * proveDevice: makes a device choice real before any model is loaded or any job taken.
 *
 * resolveDevice (device.ts) only looks for the provider's library file; a library can be
 * present and still unusable (no driver, CUDA/cuDNN missing from the library path, no GPU
 * adapter). Models load lazily, at a worker's first chunk, so without this a GPU worker on a
 * host where the provider cannot start would take chunks and fail them for good. Here a
 * one-node graph (y = x + x, built in memory) gets a session with exactly the chosen
 * execution providers and is run once; failing that, `cuda`/`webgpu` throw a ModelError
 * with the install instruction and `auto` falls back to CPU with a warning.
 *
 * `cpu` is taken as proven without a session: its provider is built into every
 * onnxruntime-node, and the embedder's sessions are made on it anyway.
 *
 * ONNX Runtime silently places nodes a provider cannot run on the CPU provider, but the
 * provider itself (library, device, adapter) is created when the session is, so a session
 * that is created and runs proves the provider starts on this host.
 */
import { createRequire } from 'node:module';
import { resolveDevice, sessionFailure, type DeviceChoice, type ProviderProbe } from './device.js';
import { ElemType, encodeModel, makeTensorValueInfo, onnx } from './onnx-model.js';
import type { Device } from './types.js';
import { executionProviderConfigs } from './provider-options.js';

/** A device choice that a real session has run on. */
export interface ProvenDevice extends DeviceChoice {
  /** The device that was asked for (`auto` may have become `cpu`). */
  requested: Device;
  /** onnxruntime-node's version, for heartbeats and `status`. */
  onnxruntime: string;
}

export interface ProveDeviceDeps {
  /** Provider-library probe override (tests). */
  probe?: ProviderProbe;
  /** CUDA device ordinal to prove (provider-options.ts); default 0. */
  gpuId?: number;
}

type Ort = typeof import('onnxruntime-node');

/** Loaded on first use, not at import: importing this module must not load the native binding. */
function loadOrt(): Ort {
  return createRequire(import.meta.url)('onnxruntime-node') as Ort;
}

/** onnxruntime-node's version, from its package.json: reading it loads no native code. */
export function onnxruntimeVersion(): string {
  return (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
}

/** y = x + x on a float[2]: every provider implements Add, and the answer is checkable. */
export function probeGraph(): Uint8Array {
  return encodeModel(
    onnx.ModelProto.create({
      irVersion: 8,
      producerName: 'pairscore-device-probe',
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'device_probe',
        node: [{ opType: 'Add', input: ['x', 'x'], output: ['y'], name: 'add' }],
        input: [makeTensorValueInfo('x', ElemType.FLOAT, [2])],
        output: [makeTensorValueInfo('y', ElemType.FLOAT, [2])],
      },
    }),
  );
}

/**
 * Creates a session on the probe graph with exactly these execution providers and runs it
 * once; rejects with ORT's own error (or a wrong-answer error) when that fails.
 */
export async function runProbeSession(executionProviders: readonly string[], gpuId = 0): Promise<void> {
  const ort = loadOrt();
  // The documented `executionProviders` session option with provider names ('cpu', 'cuda', 'webgpu');
  // ORT appends the CPU provider itself, for nodes the chosen one does not implement.
  const session = await ort.InferenceSession.create(probeGraph(), {
    executionProviders: executionProviderConfigs(executionProviders, { gpuId }),
    logSeverityLevel: 3,
    intraOpNumThreads: 1,
  });
  try {
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2]), [2]) });
    const y = Array.from((out['y']?.data ?? []) as Float32Array);
    if (y[0] !== 2 || y[1] !== 4) throw new Error(`the probe graph returned [${y.join(', ')}] instead of [2, 4]`);
  } finally {
    await session.release();
  }
}

// A device proven once stays proven for the process: a worker proves it at start and
// every model it loads later asks again (createEmbedder); only successes are kept, so a
// failure is always re-examined. Keyed by the requested device and GPU; probe overrides bypass it.
const proven = new Map<string, Promise<ProvenDevice>>();

/**
 * Resolves `device` and proves it with a real session (see the header). Throws ModelError (errors.ts)
 * for `cpu`/`cuda`/`webgpu` that cannot run; `auto` falls back to CPU with `warning` set.
 */
export function proveDevice(device: Device, deps: ProveDeviceDeps = {}): Promise<ProvenDevice> {
  const gpuId = deps.gpuId ?? 0;
  if (deps.probe) return prove(device, deps.probe, gpuId);
  const key = `${device}#${gpuId}`;
  let p = proven.get(key);
  if (!p) {
    p = prove(device, undefined, gpuId);
    proven.set(key, p);
    p.catch(() => proven.delete(key));
  }
  return p;
}

async function prove(device: Device, probe: ProviderProbe | undefined, gpuId: number): Promise<ProvenDevice> {
  // The fast check first: a missing provider library is known without touching ORT's providers.
  const choice = resolveDevice(device, probe);
  const onnxruntime = onnxruntimeVersion();
  // The CPU provider is built into every onnxruntime-node; a session on it is what the embedder
  // makes anyway, in its worker threads. Proving it here would load the native binding (~13 MB)
  // into the main thread of every `score` for nothing.
  if (device === 'cpu') return { ...choice, requested: device, onnxruntime };
  try {
    await runProbeSession(choice.executionProviders, gpuId);
    return { ...choice, requested: device, onnxruntime };
  } catch (err) {
    const failure = sessionFailure(choice, err as Error);
    if (device !== 'auto' || choice.device === 'cpu') throw failure;
    try {
      await runProbeSession(['cpu']);
    } catch (cpuErr) {
      throw sessionFailure({ device: 'cpu', executionProviders: ['cpu'] }, cpuErr as Error);
    }
    return {
      device: 'cpu',
      executionProviders: ['cpu'],
      warning: `device 'auto': using CPU because ${failure.message}`,
      requested: device,
      onnxruntime,
    };
  }
}
