/** The embedding stage: ONNX session pool, model inspection + graph surgery, token-budget batcher, pooling. */
export type { Device, EmbedBatch, Embedder, EmbedderOptions, EmbedObserver, EmbedOutput } from './types.js';
export { createEmbedder, type EmbedStats, type OnnxEmbedder } from './embedder.js';
export { inspectModel, type InspectOptions, type InspectResult } from './inspect.js';
export { formatModelInfo } from './describe.js';
export { groupByBudget, planBatches, type BatchPlan, type BatchPolicy, type MicroBatch } from './batcher.js';
export { CUDA_INSTALL_HINT, probeProviders, resolveDevice, type DeviceChoice, type ProviderProbe } from './device.js';
export { onnxruntimeVersion, probeGraph, proveDevice, runProbeSession, type ProvenDevice } from './device-probe.js';
export { clsPool, meanPool } from './pooling.js';
