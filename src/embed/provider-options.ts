/**
 * Provider names (device.ts) → the `executionProviders` session option, with the
 * per-provider options onnxruntime-node documents (onnxruntime-common's
 * `InferenceSession.ExecutionProviderConfig`). Only CUDA takes one here: `deviceId`,
 * the GPU a session runs on (`worker --gpu-id`, PAIRSCORE_GPU_ID), so one host with
 * several GPUs runs one worker per GPU. Pure, so the mapping is tested without a GPU.
 */
import type { InferenceSession } from 'onnxruntime-node';

export interface ProviderSettings {
  /** CUDA device ordinal (0 = the first GPU the process sees, after CUDA_VISIBLE_DEVICES). */
  gpuId: number;
}

export function executionProviderConfigs(
  providers: readonly string[],
  settings: ProviderSettings,
): InferenceSession.ExecutionProviderConfig[] {
  return providers.map((name) => (name === 'cuda' ? { name: 'cuda', deviceId: settings.gpuId } : name));
}
