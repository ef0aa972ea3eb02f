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
 *
 * Outages: the worker waits for Redis for ever, at start and at run time (patience.ts);
 * a refused write pauses job intake until Redis writes again (write-guard.ts); retry
 * delays depend on the cause (retry-policy.ts); `close()` does not wait on a Redis
 * that is gone (a chunk it held is taken over by another worker once its lock expires).
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from '../log.js';
import type { Device } from '../embed/index.js';
import { proveDevice } from '../embed/device-probe.js';
import { chooseSessionLayout } from '../embed/session-layout.js';
import { type WorkerInfo } from './schemas.js';
import { redisNames } from './keys.js';
import { bullConnection, queueStreams } from './bull.js';
import { checkEvictionPolicy, type RedisSettings } from './redis.js';
import { WritesRefusedError } from '../errors.js';
import { backoffStrategy } from './retry-policy.js';
import { WriteGuard } from './write-guard.js';
import { ActiveJobs } from './active-jobs.js';
import { isWritesRefused } from './redis-faults.js';
import { atMost, connectWorkerRedis, throttled, unreachableFor } from './patience.js';
import { checkPersistence } from './persistence.js';
import { pruneWorkers } from './worker-registry.js';
import { RunStore } from './run-store.js';
import { StageCache } from './stage-cache.js';
import { createChunkProcessor, type StageProvider } from './chunk-processor.js';
import { createAggregateProcessor, failRunIfFinal } from './aggregator.js';
import { startWorkerOps, type WorkerOps } from './worker-ops.js';
import { BULL_METRICS_POINTS, queueMetricsText } from './queue-metrics.js';
import { pairscoreVersion } from '../version.js';
import { usableCores } from '../embed/cpu-quota.js';

export interface WorkerOptions {
  redis: RedisSettings;
  prefix: string;
  modelsRoot: string;
  cacheDir: string;
  /** Chunk jobs at once. */
  concurrency: number;
  /** Per loaded model; undefined: chosen from cores and memory (src/embed/session-layout.ts). */
  threads?: number | undefined;
  sessions?: number | undefined;
  /** MB the sessions' weights of one model may take when the layout is chosen. */
  maxMemoryMb?: number | undefined;
  /** PAIRSCORE_CLS_ONLY: false loads the full graph always (default true). */
  clsOnly?: boolean | undefined;
  /** Undefined: the device's default (session-layout.ts). */
  batchTokens?: number | undefined;
  device: Device;
  /** CUDA device ordinal the sessions run on (default 0; `--gpu-id`). */
  gpuId?: number;
  /** Run chunk jobs (default true; false: an aggregator only, e.g. beside GPU workers that run none). */
  score?: boolean;
  /** Run aggregate jobs (default true). */
  aggregate?: boolean;
  /** Job lock duration; also the stalled-job check interval (default 30 s). */
  lockMs?: number;
  /** Stalls (worker died or froze past the lock) before BullMQ fails a chunk (default 5; config.ts). */
  maxStalledCount?: number;
  /** TEST ONLY: die on a row containing this text (crash-hook.ts). */
  testCrashMarker?: string;
  /** TEST ONLY: the first N attempts of each aggregate job fail, retryably (aggregate-fault-hook.ts). */
  testAggregateFailures?: number;
  /** TEST ONLY: fail (no retry) chunks holding a row containing this text (crash-hook.ts). */
  testFailMarker?: string;
  /** Replaces the model stages (benchmarks of the queue alone use a no-op runner). */
  stages?: StageProvider;
  /** Retry delays of infrastructure faults (default 5 s doubling to 5 min; config.ts). */
  retry?: { baseMs: number; maxMs: number };
  /** Aborting it while the worker waits for Redis at start ends the start (rejects with its reason). */
  signal?: AbortSignal;
  /** How long `close()` waits on a Redis that is unreachable before it stops waiting (default 2 s). */
  closeGraceMs?: number;
  /** Serve /metrics, /healthz and /readyz on this port (0: any free port; see `WorkerHandle.opsPort`). Off when undefined. */
  metricsPort?: number | undefined;
  log: Logger;
}

export interface WorkerHandle {
  readonly id: string;
  /** The port /metrics, /healthz and /readyz are served on, when `metricsPort` was given. */
  readonly opsPort: number | undefined;
  /** `/readyz` answers 503 from now on (called at the first stop signal, before active chunks finish). */
  shuttingDown(): void;
  /**
   * Stops taking jobs, lets active ones finish, frees sessions. With Redis unreachable for
   * `closeGraceMs` it resolves without waiting for BullMQ, whose connections then keep
   * reconnecting until the process exits (the CLI and workers/ entry points exit).
   */
  close(): Promise<void>;
}

const HEARTBEAT_MS = 5000;
/** How long BullMQ's close() may take once no chunk of this process is running. */
const CLOSE_AFTER_IDLE_MS = 5000;

export async function startWorker(opts: WorkerOptions): Promise<WorkerHandle> {
  const id = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const names = redisNames(opts.prefix);
  const log = opts.log.child({ worker: id });
  // Only a worker that runs the model stages needs a device (not aggregate-only, not replaced stages).
  const device = opts.score !== false && !opts.stages ? await proveDevice(opts.device, { gpuId: opts.gpuId ?? 0 }) : undefined;
  if (device?.warning) log.warn(device.warning);
  const ops: WorkerOps | undefined =
    opts.metricsPort === undefined
      ? undefined
      : await startWorkerOps({
          port: opts.metricsPort,
          device: device?.device ?? 'none',
          provider: device?.executionProviders[0] ?? 'none',
          log,
          signal: opts.signal,
        });
  let redis;
  try {
    redis = await connectWorkerRedis(opts.redis, log, opts.signal);
  } catch (err) {
    await ops?.close();
    throw err;
  }
  ops?.useRedis(redis);
  try {
    const warning = await checkEvictionPolicy(redis, opts.redis.url);
    if (warning) log.warn(warning);
    const persistence = await checkPersistence(redis, opts.redis.url);
    if (persistence) log.warn(persistence);
  } catch (err) {
    redis.disconnect();
    await ops?.close();
    throw err;
  }
  const store = new RunStore(redis, names);
  const workerInfo: WorkerInfo = {
    // A chosen layout is only known per model once it loads; until then the heartbeat shows the
    // threads per session that layout starts from (onModelLoad replaces it).
    host: os.hostname(),
    pid: process.pid,
    concurrency: opts.concurrency,
    scores: opts.score !== false,
    threads:
      opts.threads ??
      chooseSessionLayout({
        cores: usableCores(),
        freeMemBytes: Infinity,
        modelBytes: 0,
        device: device?.device ?? 'cpu',
        sessions: opts.sessions,
      }).threads,
    device: device?.device ?? null,
    requestedDevice: opts.device,
    executionProviders: device?.executionProviders ?? [],
    onnxruntime: device?.onnxruntime ?? null,
    version: pairscoreVersion(),
  };
  const beat = async () => {
    await redis.multi().zadd(names.workers, Date.now(), id).hset(names.workerInfo, id, JSON.stringify(workerInfo)).exec();
    await pruneWorkers(redis, names);
  };
  const stageCache = opts.stages
    ? undefined
    : new StageCache({
        modelsRoot: opts.modelsRoot,
        cacheDir: opts.cacheDir,
        threads: opts.threads,
        sessions: opts.sessions,
        maxMemoryMb: opts.maxMemoryMb,
        clsOnly: opts.clsOnly,
        batchTokens: opts.batchTokens,
        gpuId: opts.gpuId ?? 0,
        // `auto` that settled on CPU stays on CPU (no second warning per model); `auto` on a GPU stays
        // `auto`, so a model whose session fails there still falls back to CPU (createEmbedder).
        device: device?.device === 'cpu' ? 'cpu' : opts.device,
        onWarning: (msg) => log.warn(msg),
        onLayout: (model, line) => log.info({ model }, line),
        onDebug: (model, line) => log.debug({ model }, line),
        onModelLoad: (model, seconds, loaded) => {
          const used = loaded.embedder.device;
          ops?.metrics.modelLoaded(model, used.device, seconds);
          log.info({ model, device: used.device, ms: Math.round(seconds * 1000) }, 'model loaded');
          // The heartbeat says what runs now: a GPU fallback or a memory-capped layout shows up in status.
          Object.assign(workerInfo, {
            device: used.device,
            executionProviders: used.executionProviders,
            threads: loaded.embedder.layout.threads,
            sessions: loaded.embedder.layout.sessions,
          });
          void beat().catch(() => undefined);
        },
        observer: ops?.metrics,
      });
  const stages: StageProvider = opts.stages ?? stageCache!;
  if (stageCache) ops?.metrics.countSessions(() => stageCache.openSessions());
  const connection = bullConnection(opts.redis, 'worker');
  const bullOpts = { connection, prefix: names.bullPrefix };
  // `name` is stored on each job it takes (job.processedBy): which worker holds or held a chunk is then visible.
  const lockOpts = {
    name: id,
    lockDuration: opts.lockMs ?? 30000,
    stalledInterval: opts.lockMs ?? 30000,
    maxStalledCount: opts.maxStalledCount ?? 5,
  };
  // BullMQ records per-minute completed/failed counts for bullmq_job_{completed,failed}_total (queue-metrics.ts).
  const metrics = { maxDataPoints: BULL_METRICS_POINTS };
  if (opts.testAggregateFailures)
    log.warn({ failures: opts.testAggregateFailures }, 'TEST ONLY: the first attempts of each aggregate job are made to fail');
  if (opts.testFailMarker) log.warn({ marker: opts.testFailMarker }, 'TEST ONLY: this worker fails chunks holding the fail marker');
  if (opts.testCrashMarker)
    log.warn({ marker: opts.testCrashMarker }, 'TEST ONLY: this worker kills itself on rows containing the crash marker');
  const settings = { backoffStrategy: backoffStrategy(opts.retry ?? { baseMs: 5000, maxMs: 300000 }) };
  const workers: Worker[] = [];
  const guard = new WriteGuard({ redis, probeKey: names.writeProbe(id), workers, log });
  // A job whose write was refused waits until Redis writes again, so BullMQ can record its
  // failure (a write too) with the cause, and retry it later instead of losing it to a stall.
  const active = new ActiveJobs();
  const guarded =
    <T>(fn: (job: Job, token?: string) => Promise<T>) =>
    (job: Job, token?: string): Promise<T> =>
      active.track(async () => {
        try {
          return await fn(job, token);
        } catch (err) {
          if (err instanceof WritesRefusedError) await guard.refused(err.message);
          throw err;
        }
      });

  const scoreQueue = new Queue(names.scoreQueue, { ...bullOpts, ...queueStreams });
  const scoreWorker =
    opts.score === false
      ? undefined
      : new Worker(
          names.scoreQueue,
          guarded(
            createChunkProcessor({
              store,
              stages,
              workerId: id,
              log,
              scoreQueue,
              names,
              crashMarker: opts.testCrashMarker,
              failMarker: opts.testFailMarker,
              observer: ops?.metrics,
            }),
          ),
          { ...bullOpts, ...lockOpts, metrics, settings, concurrency: opts.concurrency },
        );
  const aggregateWorker =
    opts.aggregate === false
      ? undefined
      : new Worker(
          names.aggregateQueue,
          guarded(
            createAggregateProcessor({ store, scoreQueue, names, log, workerId: id, testAggregateFailures: opts.testAggregateFailures }),
          ),
          { ...bullOpts, ...lockOpts, metrics, settings, concurrency: 1 },
        );
  const queueErrorLog = throttled(30000);
  for (const w of [scoreWorker, aggregateWorker]) {
    if (w) workers.push(w);
    w?.on('error', (err) => {
      // BullMQ's own writes (fetching the next job) refused: pause too, instead of a log line per try.
      if (isWritesRefused(err)) void guard.refused(err.message);
      else queueErrorLog(() => log.error({ err }, 'queue error (repeats within 30 s are not logged)'));
    });
    w?.on('failed', (job, err) => log.debug({ job: job?.id, err }, 'job failed'));
  }
  aggregateWorker?.on('failed', (job, err) => {
    if (!job) return;
    failRunIfFinal(store, job, err).then(
      (failed) =>
        failed && log.error({ run: (job.data as { runId?: string }).runId, err }, 'run failed: its aggregate job failed for good'),
      (e: unknown) => log.error({ err: e }, 'could not mark the run failed'),
    );
  });
  scoreQueue.on('error', () => undefined);
  // Only a worker with an operations port reads the aggregate queue's counts.
  const aggregateQueue = ops ? new Queue(names.aggregateQueue, bullOpts) : undefined;
  aggregateQueue?.on('error', () => undefined);
  if (aggregateQueue) ops?.metrics.addText(() => queueMetricsText([scoreQueue, aggregateQueue], opts.prefix));

  // A Redis refusing writes at start must not stop the worker: the next beat will do.
  await beat().catch((err: unknown) => log.warn({ err }, 'first heartbeat failed'));
  const timer = setInterval(() => beat().catch(() => undefined), HEARTBEAT_MS);
  timer.unref();
  log.info(
    {
      prefix: opts.prefix,
      modelsRoot: opts.modelsRoot,
      concurrency: opts.concurrency,
      device: workerInfo.device,
      requestedDevice: opts.device,
      executionProviders: workerInfo.executionProviders,
      onnxruntime: workerInfo.onnxruntime,
    },
    'worker started',
  );

  let closing: Promise<void> | undefined;
  return {
    id,
    opsPort: ops?.port,
    shuttingDown: () => ops?.shuttingDown(),
    close() {
      closing ??= (async () => {
        ops?.shuttingDown();
        clearInterval(timer);
        guard.close();
        // With Redis reachable, active chunks finish (as long as they take). BullMQ's close()
        // hangs while Redis is unreachable, so after closeGraceMs of that it is no longer awaited:
        // the chunks this worker held are taken over once their lock expires.
        const stop = new AbortController();
        const graceful = Promise.all(workers.map((w) => w.close()));
        // Once this process's own chunks have ended, BullMQ gets a bounded while to finish
        // closing: after a long Redis outage its close() can wait for ever (active-jobs.ts).
        const afterLastChunk = active.whenIdle().then(() => atMost(graceful, CLOSE_AFTER_IDLE_MS));
        const outcome = await Promise.race([
          afterLastChunk.then((closed) => (closed ? ('closed' as const) : ('stuck' as const))),
          unreachableFor(redis, opts.closeGraceMs ?? 2000, stop.signal).then(() => 'unreachable' as const),
        ]);
        if (outcome === 'stuck')
          log.warn({ waitedMs: CLOSE_AFTER_IDLE_MS }, "BullMQ did not close after this worker's last chunk ended: stopping without it");
        stop.abort();
        const reachable = outcome !== 'unreachable';
        if (!reachable) {
          // BullMQ's disconnect() and close() both wait for a connection that is not coming back;
          // its reconnecting clients are left to the process exit (the CLI exits once stopped).
          log.warn('Redis unreachable while stopping: not waiting for BullMQ; chunks still held are taken over by another worker');
        }
        await atMost(Promise.all([scoreQueue.close(), aggregateQueue?.close()]), reachable ? 5000 : 250);
        await stages.close();
        if (reachable) await atMost(redis.multi().zrem(names.workers, id).hdel(names.workerInfo, id).exec(), 1000);
        redis.disconnect();
        await ops?.close();
        log.info('worker stopped');
      })();
      return closing;
    },
  };
}
