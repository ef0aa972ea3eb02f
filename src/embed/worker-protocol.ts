/** Messages between the session pool (main thread) and a session worker. */
import type { EmbeddingKind, EmbeddingSources } from '../contracts.js';

/** workerData of a session worker. */
export interface SessionSpec {
  modelPath: string;
  /** Intra-op threads of the session. */
  threads: number;
  executionProviders: string[];
  sources: EmbeddingSources;
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
  | { type: 'result'; id: number; vectors: BatchVectors }
  | { type: 'run-error'; id: number; message: string };

export type WorkerRequest = RunRequest | { type: 'close' };
