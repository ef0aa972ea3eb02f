/**
 * `submit`: checks everything a worker will need before adding any job, then
 * adds one BullMQ flow per run — a parent `aggregate` job plus one `score`
 * job per chunk, with deterministic ids — streaming the file so memory stays
 * flat for any size.
 *
 * Why a "seal": chunks are added in bounded `addBulk` batches rather than one
 * giant flow call, so the parent is created first with a single delayed
 * child (the seal). The parent cannot run while the seal waits; the seal is
 * promoted only after the last chunk is added. A producer that dies half-way
 * leaves a run in `submitting`; submitting the same run id again resumes it.
 * One that dies after the run is `queued` but before the seal is promoted
 * leaves a run no worker can finish; submitting it again promotes the seal
 * (`sealRun`). Every step is idempotent, so a re-submit at any point ends
 * with the same run.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { Job } from 'bullmq';
import { runIdSchema, type IngestRow, type RunSpec, type RunTask } from '../contracts.js';
import { type ChunkJobData } from './schemas.js';
import { InputError } from '../errors.js';
import { chunkRows, readDataset, scanDataset, type ColumnOptions } from '../ingest/index.js';
import { inspectModel } from '../embed/index.js';
import { sha256File } from '../sha256-file.js';
import { loadHead } from '../classify/index.js';
import { planAsked, type ExtractOptions } from '../plan.js';
import { pairscoreVersion } from '../version.js';
import { openQueues, type Queues } from './bull.js';
import { resolveModelDir } from './models-root.js';
import { checkEvictionPolicy, connectRedis, redactUrl, type RedisSettings } from './redis.js';
import { estimateFootprint, fitsMaxmemory } from './footprint.js';
import { RunStore } from './run-store.js';
import { DEFAULT_RETRY_ATTEMPTS } from './retry-policy.js';
import { aggregateJobOptions, chunkJobOptions } from './job-options.js';
import { checkPriority } from './priority.js';
import { planChunkSize } from './chunk-plan.js';
import { liveChunkSlots } from './worker-registry.js';

export interface QueueTarget {
  redis: RedisSettings;
  prefix: string;
}

export interface SubmitOptions extends QueueTarget {
  input: string;
  columns?: ColumnOptions;
  /** Model name: a folder under `modelsRoot` on every host. */
  model: string;
  modelsRoot: string;
  cacheDir: string;
  /** 'score' (default): label rows; 'extract': store vectors and features, for a feature file. */
  task?: RunTask;
  /** For extract runs (default DEFAULT_EXTRACT: pooled embedding, logits when the model has them). */
  extract?: ExtractOptions;
  mlpFile?: string;
  /** Feature selection; default: the plan's (the head's for score runs, DEFAULT_EXTRACT_FEATURES for extract). */
  features?: string;
  maxLength?: number;
  runId?: string;
  /** Rows per chunk job; default: planned from the run's rows and the workers alive (chunk-plan.ts). */
  chunkSize?: number;
  keepSeconds: number;
  /** Attempts per chunk before it is reported as failed (default 8: PAIRSCORE_RETRY_ATTEMPTS, retry-policy.ts). */
  attempts?: number;
  /** At most this many chunk jobs per addBulk call (default 200)... */
  bulkSize?: number;
  /** ...and at most about this many rows (default 5,000): a batch is serialized whole in memory. */
  bulkRows?: number;
  /** Run priority: 1 most urgent; 0 or absent: none, after every run that has one (priority.ts). */
  priority?: number;
  /** Submit even when the run's estimated Redis footprint exceeds the free maxmemory (a warning instead). */
  force?: boolean;
  onProgress?: (chunksAdded: number, chunks: number) => void;
  /** Things the caller should print (the eviction policy could not be checked). */
  onWarning?: (message: string) => void;
  /**
   * Called after the run is queued, before its seal is promoted. For tests: a hook that
   * throws is a producer that died at that point (test/queue.submitRun.redis.test.ts).
   */
  beforeSeal?: () => void | Promise<void>;
}

export interface SubmitResult {
  runId: string;
  /** false: the run existed and was already fully submitted; nothing was added. */
  added: boolean;
  resumed: boolean;
  /** The run was queued but its seal was still held back (a producer died there): it was promoted now. */
  sealed?: boolean;
  rows: number;
  chunks: number;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
  return `run-${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Plans the run (src/plan.ts) against the model here: a run that cannot work never queues.
 * `chunkSizeFor` gives the chunk size for the run's row count when `opts.chunkSize` is not set.
 */
async function buildSpec(opts: SubmitOptions, runId: string, chunkSizeFor: (rows: number) => number): Promise<RunSpec> {
  const priority = checkPriority(opts.priority);
  // Hashed while scanned: the file is read once here and once more to queue its chunks.
  const dataset = await scanDataset(opts.input, opts.columns ?? {}, { sha256: true });
  const modelDir = resolveModelDir(opts.modelsRoot, opts.model);
  const { info } = await inspectModel(modelDir, { cacheDir: opts.cacheDir });
  const head = opts.mlpFile ? await loadHead(opts.mlpFile) : null;
  const chunkSize = opts.chunkSize ?? chunkSizeFor(dataset.rows);
  const plan = planAsked(info, head, opts);
  return {
    runId,
    version: pairscoreVersion(),
    createdAt: new Date().toISOString(),
    model: { name: opts.model, sha256: info.sha256 },
    plan,
    input: {
      file: path.basename(opts.input),
      sha256: dataset.sha256 ?? (await sha256File(opts.input)),
      format: dataset.format,
      rows: dataset.rows,
    },
    chunkSize,
    chunks: Math.ceil(dataset.rows / chunkSize),
    keepSeconds: opts.keepSeconds,
    ...(priority !== undefined ? { priority } : {}),
  };
}

function chunkData(runId: string, chunk: number, rows: IngestRow[]): ChunkJobData {
  return { runId, chunk, rows: rows.map((r) => ({ ...r })) };
}

async function addChunks(queues: Queues, store: RunStore, spec: RunSpec, from: number, opts: SubmitOptions): Promise<void> {
  const { names } = queues;
  const parent = { id: names.aggregateJobId(spec.runId), queue: queues.aggregate.qualifiedName };
  const bulkSize = opts.bulkSize ?? 200;
  const bulkRows = opts.bulkRows ?? 5000;
  const shared = chunkJobOptions(spec, opts.attempts ?? DEFAULT_RETRY_ATTEMPTS);
  const jobOpts = (chunk: number) => ({ jobId: names.chunkJobId(spec.runId, chunk), parent, ...shared });
  let pending: Array<{ name: string; data: ChunkJobData; opts: ReturnType<typeof jobOpts> }> = [];
  let pendingRows = 0;
  let chunk = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    await queues.score.addBulk(pending);
    await store.setChunksAdded(spec.runId, chunk);
    opts.onProgress?.(chunk, spec.chunks);
    pending = [];
    pendingRows = 0;
  };
  for await (const rows of chunkRows(readDataset(opts.input, opts.columns ?? {}), spec.chunkSize)) {
    if (chunk >= from) {
      pending.push({ name: 'chunk', data: chunkData(spec.runId, chunk, rows), opts: jobOpts(chunk) });
      pendingRows += rows.length;
    }
    chunk++;
    if (pending.length >= bulkSize || pendingRows >= bulkRows) await flush();
  }
  await flush();
  if (chunk !== spec.chunks) {
    throw new InputError(`${opts.input} changed while it was being submitted (${chunk} chunks read, ${spec.chunks} expected)`);
  }
}

/**
 * Lets a fully queued run's aggregate parent run once its chunks are done: promotes the
 * delayed seal child. Idempotent; returns whether a held-back seal was promoted.
 */
export async function sealRun(queues: Queues, runId: string): Promise<boolean> {
  const seal = await Job.fromId(queues.score, queues.names.sealJobId(runId));
  if (!seal || !(await seal.isDelayed())) return false;
  await seal.promote();
  return true;
}

/** Refuses (InputError), or warns with `force`, when the run would not fit Redis' free maxmemory (footprint.ts). */
async function checkFootprint(redis: Redis, spec: RunSpec, opts: SubmitOptions): Promise<void> {
  const verdict = fitsMaxmemory(
    estimateFootprint(spec, (await fs.promises.stat(opts.input)).size),
    spec,
    await redis.info('memory').catch(() => ''),
    `Redis at ${redactUrl(opts.redis.url)}`,
  );
  if (verdict.fits) return;
  if (!opts.force) throw new InputError(verdict.message!);
  opts.onWarning?.(`${verdict.message} (--force: submitting anyway)`);
}

export async function submitRun(opts: SubmitOptions): Promise<SubmitResult> {
  const runId = runIdSchema.safeParse(opts.runId ?? newRunId());
  if (!runId.success) throw new InputError(`invalid run id '${opts.runId}': ${runId.error.issues[0]?.message}`);
  checkPriority(opts.priority);
  const redis: Redis = await connectRedis(opts.redis, 'client');
  const queues = openQueues(opts.redis, opts.prefix);
  try {
    const evictionWarning = await checkEvictionPolicy(redis, opts.redis.url);
    if (evictionWarning) opts.onWarning?.(evictionWarning);
    const store = new RunStore(redis, queues.names);
    await store.markDeployment();
    const existing = await store.get(runId.data);
    if (existing && existing.state !== 'submitting') {
      // A run id names one input: waiting on an old run for another file would be silent and wrong.
      const sha256 = await sha256File(opts.input).catch((cause: unknown) => {
        throw new InputError(`cannot read ${opts.input}: ${(cause as Error).message}`, { cause });
      });
      if (sha256 !== existing.spec.input.sha256) {
        throw new InputError(
          `run '${runId.data}' already exists (${existing.state}) for another input file ` +
            `(${existing.spec.input.file}, sha256 ${existing.spec.input.sha256.slice(0, 12)}…; this file ${sha256.slice(0, 12)}…); use a new run id`,
        );
      }
      const sealed =
        existing.state === 'queued' || existing.state === 'running' || existing.state === 'paused'
          ? await sealRun(queues, runId.data)
          : false;
      return { runId: runId.data, added: false, resumed: sealed, sealed, rows: existing.spec.input.rows, chunks: existing.spec.chunks };
    }
    // A resumed submit must cut the file where the first one did: its stored chunk size.
    const slots = opts.chunkSize === undefined && !existing ? await liveChunkSlots(redis, queues.names) : 0;
    const spec = await buildSpec(opts, runId.data, (rows) => existing?.spec.chunkSize ?? planChunkSize(rows, slots));
    if (existing && existing.spec.input.sha256 !== spec.input.sha256) {
      throw new InputError(
        `run '${runId.data}' was started with another input file (sha256 ${existing.spec.input.sha256.slice(0, 12)}…); use a new run id`,
      );
    }
    if (!existing) await checkFootprint(redis, spec, opts);
    const resumed = !(await store.create(spec));
    const from = resumed ? (existing?.chunksAdded ?? 0) : 0;
    const names = queues.names;
    if (!(await Job.fromId(queues.aggregate, names.aggregateJobId(spec.runId)))) {
      await queues.flow.add({
        name: 'aggregate',
        queueName: names.aggregateQueue,
        data: { runId: spec.runId },
        opts: { jobId: names.aggregateJobId(spec.runId), ...aggregateJobOptions(spec) },
        children: [
          {
            name: 'seal',
            queueName: names.scoreQueue,
            data: { runId: spec.runId },
            opts: { jobId: names.sealJobId(spec.runId), delay: 10 * 365 * 86400 * 1000, removeOnComplete: true },
          },
        ],
      });
    }
    await addChunks(queues, store, spec, from, opts);
    if (!(await store.setStateIf(spec.runId, 'queued', ['submitting']))) {
      throw new InputError(`run '${spec.runId}' was cancelled while it was being submitted`);
    }
    await opts.beforeSeal?.();
    await sealRun(queues, spec.runId);
    return { runId: spec.runId, added: true, resumed, rows: spec.input.rows, chunks: spec.chunks };
  } finally {
    await queues.close();
    redis.disconnect();
  }
}
