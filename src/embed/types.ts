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
  /**
   * The kinds this embedder will be asked for (the run plan's). When none reads beyond position 0
   * (no mean), the device is the CPU and the model is a plain fp32 one whose graph matches, the
   * sessions run the [CLS]-only copy (cls-only-model.ts); a later call that asks for mean switches
   * them to the full graph (graph-pool.ts). Undefined: the full graph.
   */
  kinds?: readonly EmbeddingKind[] | undefined;
  /** Directory for derived model copies (graph surgery), keyed by the model's sha256. */
  cacheDir: string;
  device: Device;
  /** CUDA device ordinal for `cuda` (and `auto` on a GPU); default 0. */
  gpuId?: number;
}

/** One vector per input row, in input order, for each requested kind. */
export type EmbedOutput = { [K in EmbeddingKind]?: Float32Array[] };

/** One micro-batch the embedder ran (batcher.ts): its session run time and its tokens. */
export interface EmbedBatch {
  /** Seconds inside the session's run (measured on its thread: queueing in the pool excluded). */
  seconds: number;
  rows: number;
  /** Tokens of the rows themselves. */
  realTokens: number;
  /** Padding tokens added to reach the batch's longest row (rows × seqLen − realTokens). */
  paddingTokens: number;
}

/** Told about every micro-batch of an embed() call (a worker's metrics; nothing else needs it). */
export interface EmbedObserver {
  embedBatch(batch: EmbedBatch): void;
}

/** The embedding stage: the only thing the pipeline knows about ONNX. */
export interface Embedder {
  readonly info: ModelInfo;
  embed(encodings: readonly Encoding[], kinds: readonly EmbeddingKind[], observer?: EmbedObserver): Promise<EmbedOutput>;
  close(): Promise<void>;
}
