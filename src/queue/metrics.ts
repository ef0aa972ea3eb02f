/**
 * A worker's Prometheus series (prom-client), in a registry of its own so a
 * library user's default registry is never touched. The chunk processor and the
 * stage cache report into it through the narrow `ChunkObserver` / `onModelLoad`
 * hooks; nothing here knows BullMQ or ONNX Runtime. Labels are few and bounded
 * (task, outcome, model, device): run ids and chunk numbers belong in logs,
 * not in series that live as long as the process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunTask } from '../contracts.js';

/** What the chunk processor tells about each chunk it finished or failed. */
export interface ChunkObserver {
  /** A chunk whose rows were written: `errors` of its `rows` are error rows. */
  chunkDone(task: RunTask, rows: number, errors: number, seconds: number): void;
  /** A chunk attempt that threw (it may be retried): its rows are not written by this attempt. */
  chunkFailed(task: RunTask | 'unknown', rows: number, seconds: number): void;
}

export interface WorkerMetrics extends ChunkObserver {
  readonly registry: Registry;
  modelLoaded(model: string, device: string, seconds: number): void;
  /** The text a scrape returns, and its content type. */
  scrape(): Promise<{ body: string; contentType: string }>;
}

/** Chunks take from milliseconds (tiny models) to minutes (BERT-base on CPU, 256 rows). */
const CHUNK_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const LOAD_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export function createWorkerMetrics(info: { version: string; device: string; provider: string }): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pairscore_' });
  const rows = new Counter({
    name: 'pairscore_rows_total', help: 'Rows written by this worker, by task and outcome (ok or error row)',
    labelNames: ['task', 'outcome'] as const, registers: [registry],
  });
  const chunks = new Counter({
    name: 'pairscore_chunks_total', help: 'Chunk attempts finished by this worker, by task and outcome (ok: rows written; error: attempt threw)',
    labelNames: ['task', 'outcome'] as const, registers: [registry],
  });
  const chunkSeconds = new Histogram({
    name: 'pairscore_chunk_duration_seconds', help: 'Wall time of one chunk attempt, from job start to rows written or failure',
    labelNames: ['task', 'outcome'] as const, buckets: CHUNK_BUCKETS, registers: [registry],
  });
  const modelLoad = new Histogram({
    name: 'pairscore_model_load_seconds', help: 'Time to open a model (sessions created, graph surgery cached) on this worker',
    labelNames: ['model', 'device'] as const, buckets: LOAD_BUCKETS, registers: [registry],
  });
  const workerInfo = new Gauge({
    name: 'pairscore_worker_info', help: 'Always 1; its labels say which pairscore version, device and execution provider this worker runs',
    labelNames: ['version', 'device', 'provider'] as const, registers: [registry],
  });
  workerInfo.set(info, 1);
  // Zero series for the common labels, so a dashboard's rate() has a start point before the first chunk.
  for (const task of ['score', 'extract'] as const) {
    for (const outcome of ['ok', 'error'] as const) {
      rows.inc({ task, outcome }, 0);
      chunks.inc({ task, outcome }, 0);
    }
  }

  return {
    registry,
    chunkDone(task, n, errors, seconds) {
      rows.inc({ task, outcome: 'ok' }, n - errors);
      rows.inc({ task, outcome: 'error' }, errors);
      chunks.inc({ task, outcome: 'ok' });
      chunkSeconds.observe({ task, outcome: 'ok' }, seconds);
    },
    chunkFailed(task, _rows, seconds) {
      chunks.inc({ task, outcome: 'error' });
      chunkSeconds.observe({ task, outcome: 'error' }, seconds);
    },
    modelLoaded(model, device, seconds) {
      modelLoad.observe({ model, device }, seconds);
    },
    async scrape() {
      return { body: await registry.metrics(), contentType: registry.contentType };
    },
  };
}
