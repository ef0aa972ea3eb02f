/** Messages between the session pool (main thread) and a session worker. */
import type { EmbeddingKind, EmbeddingSources } from '../contracts.js';

/** workerData of a session worker. */
export interface SessionSpec {
  modelPath: string;
  /** Intra-op threads of the session. */
  threads: number;
  executionProviders: string[];
  /** CUDA device ordinal (provider-options.ts); ignored by other providers. */
  gpuId?: number;
  sources: EmbeddingSources;
  /**
   * The graph is the [CLS]-only copy (cls-only-model.ts): its last hidden state is
   * [rows, 1, hidden], so cls reads row 0 of it and mean cannot be computed.
   */
  clsOnly?: boolean;
}

/** One padded micro-batch to run (arrays are transferred, not copied). */
export interface RunRequest {
  type: 'run';
  id: number;
  rows: number;
  seqLen: number;
  ids: Int32Array;
  typeIds: Int32Array;
  lengths: Int32Array;
  kinds: EmbeddingKind[];
  /**
   * TEST ONLY: the worker thread ends itself with process.exit(code) when this batch starts
   * running — the pool sees a real thread death mid-batch (no error event, that exit code).
   * Nothing outside the pool's own tests sets it.
   */
  testExitCode?: number;
}

/** [rows, dim] block for one kind, row-major. */
export interface KindBlock {
  data: Float32Array;
  dim: number;
}

export type BatchVectors = { [K in EmbeddingKind]?: KindBlock };

export type WorkerReply =
  | { type: 'ready'; inputs: string[]; outputs: string[] }
  | { type: 'init-error'; message: string }
  | { type: 'result'; id: number; vectors: BatchVectors; /** Seconds inside session.run and pooling. */ seconds: number }
  | { type: 'run-error'; id: number; message: string };

export type WorkerRequest = RunRequest | { type: 'close' };
