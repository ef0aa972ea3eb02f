/**
 * A worker's Prometheus series (prom-client), in a registry of its own so a
 * library user's default registry is never touched. The chunk processor, the
 * pipeline's stages and the stage cache report into it through narrow hooks
 * (`ChunkObserver`, `StageObserver`, `onModelLoad`); nothing here knows BullMQ or
 * ONNX Runtime — the queue's own series come as text from `addText` sources
 * (BullMQ's exporter, see worker-ops.ts). Labels are few and bounded (task,
 * outcome, model, device, stage, kind): run ids and chunk numbers belong in logs,
 * not in series that live as long as the process.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RunTask } from '../contracts.js';
import { STAGE_NAMES, type StageObserver } from '../stage-observer.js';

/** What the chunk processor tells about each chunk it finished or failed. */
export interface ChunkObserver {
  /** A chunk whose rows were written: `errors` of its `rows` are error rows. */
  chunkDone(task: RunTask, rows: number, errors: number, seconds: number): void;
  /** A chunk attempt that threw (it may be retried): its rows are not written by this attempt. */
  chunkFailed(task: RunTask | 'unknown', rows: number, seconds: number): void;
}

export interface WorkerMetrics extends ChunkObserver, StageObserver {
  readonly registry: Registry;
  modelLoaded(model: string, device: string, seconds: number): void;
  /** `pairscore_sessions` reads this at each scrape (sessions of the models this worker holds). */
  countSessions(count: () => number): void;
  /**
   * Adds Prometheus text made elsewhere (BullMQ's queue series) to every scrape; a source that
   * fails or takes over 2 s is left out of that scrape, so a Redis outage never fails /metrics.
   */
  addText(source: () => Promise<string>): void;
  /** The text a scrape returns, and its content type. */
  scrape(): Promise<{ body: string; contentType: string }>;
}

/** Chunks take from milliseconds (tiny models) to minutes (BERT-base on CPU, 256 rows). */
const CHUNK_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const LOAD_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** A stage of one chunk: tens of microseconds (tokenize a tiny chunk) to minutes (embed on CPU). */
const STAGE_BUCKETS = [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
/** One session run: ~1 ms (tiny model) to seconds (BERT-base, 1,024-token budget ≈ 0.5–2 s on 2 cores). */
const BATCH_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const TEXT_SOURCE_TIMEOUT_MS = 2000;

export function createWorkerMetrics(info: { version: string; device: string; provider: string }): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'pairscore_' });
  const rows = new Counter({
    name: 'pairscore_rows_total',
    help: 'Rows written by this worker, by task and outcome (ok or error row)',
    labelNames: ['task', 'outcome'] as const,
    registers: [registry],
  });
  const chunks = new Counter({
    name: 'pairscore_chunks_total',
    help: 'Chunk attempts finished by this worker, by task and outcome (ok: rows written; error: attempt threw)',
    labelNames: ['task', 'outcome'] as const,
    registers: [registry],
  });
  const chunkSeconds = new Histogram({
    name: 'pairscore_chunk_duration_seconds',
    help: 'Wall time of one chunk attempt, from job start to rows written or failure',
    labelNames: ['task', 'outcome'] as const,
    buckets: CHUNK_BUCKETS,
    registers: [registry],
  });
  const modelLoad = new Histogram({
    name: 'pairscore_model_load_seconds',
    help: 'Time to open a model (sessions created, graph surgery cached) on this worker',
    labelNames: ['model', 'device'] as const,
    buckets: LOAD_BUCKETS,
    registers: [registry],
  });
  const workerInfo = new Gauge({
    name: 'pairscore_worker_info',
    help: 'Always 1; its labels say which pairscore version, device and execution provider this worker runs',
    labelNames: ['version', 'device', 'provider'] as const,
    registers: [registry],
  });
  workerInfo.set(info, 1);
  const stageSeconds = new Histogram({
    name: 'pairscore_stage_seconds',
    help: 'Wall time of one pipeline stage for one chunk (embed and features overlap: embed runs on session threads meanwhile)',
    labelNames: ['stage'] as const,
    buckets: STAGE_BUCKETS,
    registers: [registry],
  });
  const batchSeconds = new Histogram({
    name: 'pairscore_embed_batch_seconds',
    help: 'Time one session thread spent running one micro-batch (time queued for a session excluded)',
    buckets: BATCH_BUCKETS,
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'pairscore_tokens_total',
    help: "Tokens sent through the model: real (the rows) and padded (padding added to reach each micro-batch's longest row); padding waste = padded / real",
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  let sessionCount: () => number = () => 0;
  new Gauge({
    name: 'pairscore_sessions',
    help: 'ONNX Runtime sessions this worker holds open (loaded models × sessions per model)',
    registers: [registry],
    collect() {
      this.set(sessionCount());
    },
  });
  for (const stage of STAGE_NAMES) stageSeconds.zero({ stage });
  for (const kind of ['real', 'padded'] as const) tokens.inc({ kind }, 0);
  const textSources: Array<() => Promise<string>> = [];
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
    stage(stage, seconds) {
      stageSeconds.observe({ stage }, seconds);
    },
    embedBatch(b) {
      batchSeconds.observe(b.seconds);
      tokens.inc({ kind: 'real' }, b.realTokens);
      tokens.inc({ kind: 'padded' }, b.paddingTokens);
    },
    countSessions(count) {
      sessionCount = count;
    },
    addText(source) {
      textSources.push(source);
    },
    async scrape() {
      const extra = await Promise.all(textSources.map((source) => withinTimeout(source(), TEXT_SOURCE_TIMEOUT_MS).catch(() => '')));
      const body = [await registry.metrics(), ...extra.filter((t) => t.length > 0)].map((t) => (t.endsWith('\n') ? t : `${t}\n`)).join('');
      return { body, contentType: registry.contentType };
    },
  };
}

function withinTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
