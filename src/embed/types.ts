import type { EmbeddingKind, Encoding, ModelInfo } from '../contracts.js';

export type Device = 'cpu' | 'cuda' | 'webgpu' | 'auto';

export interface EmbedderOptions {
  /** Intra-op threads per session; undefined: chosen (session-layout.ts). */
  threads?: number | undefined;
  /** Number of sessions, each in its own worker thread; undefined: chosen (session-layout.ts). */
  sessions?: number | undefined;
  /** Memory budget of the sessions' weights when the layout is chosen; undefined: a share of free memory. */
  maxMemoryBytes?: number | undefined;
  /** Padded-token budget per micro-batch (rows × longest row in it); undefined: the device's default. */
  batchTokens?: number | undefined;
  /** Directory for derived model copies (graph surgery), keyed by the model's sha256. */
  cacheDir: string;
  device: Device;
}

/** One vector per input row, in input order, for each requested kind. */
export type EmbedOutput = { [K in EmbeddingKind]?: Float32Array[] };

/** The embedding stage: the only thing the pipeline knows about ONNX. */
export interface Embedder {
  readonly info: ModelInfo;
  embed(encodings: readonly Encoding[], kinds: readonly EmbeddingKind[]): Promise<EmbedOutput>;
  close(): Promise<void>;
}
