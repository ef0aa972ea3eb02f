/**
 * A worker process's queue side: a BullMQ Worker on the `score` queue (chunk
 * jobs, `concurrency` at a time), optionally one on the `aggregate` queue,
 * and a heartbeat so `status` can show the workers it has seen. Inference runs
 * on worker threads (src/embed), so this event loop stays free to renew job
 * locks and report progress.
 *
 * Models load lazily at the first chunk, so the device is proven at start
 * (embed/device-probe.ts), before Redis is touched: a `--device cuda` worker on a host
 * where CUDA cannot start exits with a ModelError instead of taking chunks and failing
 * them for good, and `auto` settles on one device (warning once) for every model it loads.
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Logger } from '../log.js';
import type { Device } from '../embed/index.js';
import { proveDevice } from '../embed/device-probe.js';
import { redisNames, type WorkerInfo } from '../contracts.js';
import { bullConnection, queueStreams } from './bull.js';
import { checkEvictionPolicy, connectRedis, type RedisSettings } from './redis.js';
import { RunStore } from './run-store.js';
import { pruneWorkers } from './worker-registry.js';
import { StageCache } from './stage-cache.js';
import { createChunkProcessor, type StageProvider } from './chunk-processor.js';
import { createAggregateProcessor, failRunIfFinal } from './aggregator.js';

export interface WorkerOptions {
  redis: RedisSettings;
  prefix: string;
  modelsRoot: string;
  cacheDir: string;
  /** Chunk jobs at once. */
  concurrency: number;
  threads: number;
  sessions: number;
  batchTokens: number;
  device: Device;
  /** Run chunk jobs (default true). */
  score?: boolean;
  /** Run aggregate jobs (default true). */
  aggregate?: boolean;
  /** Job lock duration; also the stalled-job check interval (default 30 s). */
  lockMs?: number;
  /** Replaces the model stages (benchmarks of the queue alone use a no-op runner). */
  stages?: StageProvider;
  log: Logger;
}

export interface WorkerHandle {
  readonly id: string;
  /** Stops taking jobs, lets active ones finish, frees sessions. */
  close(): Promise<void>;
}

const HEARTBEAT_MS = 5000;

export async function startWorker(opts: WorkerOptions): Promise<WorkerHandle> {
  const id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const names = redisNames(opts.prefix);
  const log = opts.log.child({ worker: id });
  // Only a worker that runs the model stages needs a device (not aggregate-only, not replaced stages).
  const device = opts.score !== false && !opts.stages ? await proveDevice(opts.device) : undefined;
  if (device?.warning) log.warn(device.warning);
  const redis = await connectRedis(opts.redis, 'worker');
  try {
    const warning = await checkEvictionPolicy(redis, opts.redis.url);
    if (warning) log.warn(warning);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  const store = new RunStore(redis, names);
  const stages: StageProvider = opts.stages ?? new StageCache({
    modelsRoot: opts.modelsRoot,
    cacheDir: opts.cacheDir,
    threads: opts.threads,
    sessions: opts.sessions,
    batchTokens: opts.batchTokens,
    // `auto` that settled on CPU stays on CPU (no second warning per model); `auto` on a GPU stays
    // `auto`, so a model whose session fails there still falls back to CPU (createEmbedder).
    device: device?.device === 'cpu' ? 'cpu' : opts.device,
    onWarning: (msg) => log.warn(msg),
  });
  const connection = bullConnection(opts.redis, 'worker');
  const bullOpts = { connection, prefix: names.bullPrefix };
  const lockOpts = { lockDuration: opts.lockMs ?? 30000, stalledInterval: opts.lockMs ?? 30000 };

  const scoreWorker =
    opts.score === false
      ? undefined
      : new Worker(names.scoreQueue, createChunkProcessor({ store, stages, workerId: id, log }), { ...bullOpts, ...lockOpts, concurrency: opts.concurrency });
  const scoreQueue = new Queue(names.scoreQueue, { ...bullOpts, ...queueStreams });
  const aggregateWorker =
    opts.aggregate === false
      ? undefined
      : new Worker(names.aggregateQueue, createAggregateProcessor({ store, scoreQueue, names, log, workerId: id }), { ...bullOpts, ...lockOpts, concurrency: 1 });
  for (const w of [scoreWorker, aggregateWorker]) {
    w?.on('error', (err) => log.error({ err: err.message }, 'queue error'));
    w?.on('failed', (job, err) => log.debug({ job: job?.id, err: err.message }, 'job failed'));
  }
  aggregateWorker?.on('failed', (job, err) => {
    if (!job) return;
    failRunIfFinal(store, job, err).then(
      (failed) => failed && log.error({ run: (job.data as { runId?: string }).runId, err: err.message }, 'run failed: its aggregate job failed for good'),
      (e: unknown) => log.error({ err: (e as Error).message }, 'could not mark the run failed'),
    );
  });
  scoreQueue.on('error', () => undefined);

  const workerInfo: WorkerInfo = {
    host: os.hostname(), pid: process.pid, concurrency: opts.concurrency, threads: opts.threads,
    device: device?.device ?? null, requestedDevice: opts.device,
    executionProviders: device?.executionProviders ?? [], onnxruntime: device?.onnxruntime ?? null,
  };
  const info = JSON.stringify(workerInfo);
  const beat = async () => {
    await redis.multi().zadd(names.workers, Date.now(), id).hset(names.workerInfo, id, info).exec();
    await pruneWorkers(redis, names);
  };
  await beat();
  const timer = setInterval(() => beat().catch(() => undefined), HEARTBEAT_MS);
  timer.unref();
  log.info(
    {
      prefix: opts.prefix, modelsRoot: opts.modelsRoot, concurrency: opts.concurrency, device: workerInfo.device,
      requestedDevice: opts.device, executionProviders: workerInfo.executionProviders, onnxruntime: workerInfo.onnxruntime,
    },
    'worker started',
  );

  let closing: Promise<void> | undefined;
  return {
    id,
    close() {
      closing ??= (async () => {
        clearInterval(timer);
        await Promise.all([scoreWorker?.close(), aggregateWorker?.close()]);
        await scoreQueue.close();
        await stages.close();
        await redis.multi().zrem(names.workers, id).hdel(names.workerInfo, id).exec().catch(() => undefined);
        redis.disconnect();
        log.info('worker stopped');
      })();
      return closing;
    },
  };
}
