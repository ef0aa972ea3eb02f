/**
 * Runs a worker until SIGTERM/SIGINT: stop taking jobs, let active chunks
 * finish (BullMQ's worker.close()), free the ONNX sessions, exit 0. The
 * handlers are installed before the worker connects, so a worker still waiting
 * for Redis at start stops at once; a worker whose Redis is unreachable stops
 * within seconds (worker.ts close()). A second signal kills the process with that
 * signal at once (exit status 130/143 in a shell); BullMQ's
 * stalled-job check hands any chunk that was still active to another worker.
 */
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { redisSettingsOf } from './redis-settings.js';
import { startWorker, type WorkerHandle, type WorkerOptions } from './worker.js';

export async function runWorkerUntilSignal(opts: WorkerOptions): Promise<void> {
  const stopRequested = new AbortController();
  let handle: WorkerHandle | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopRequested.signal.aborted) {
      // Die of the signal itself (the shell shows 130/143). process.exit() here, with a chunk
      // inside ONNX Runtime on a worker thread, aborted the process ("terminate called after
      // throwing an instance of 'Napi::Error'", SIGABRT) — see src/run/interrupt.ts.
      opts.log.warn({ signal }, 'second signal: exiting now');
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      // pino writes asynchronously (and its flush() does not wait for a write in flight):
      // 100 ms usually lets that line reach stderr first.
      setTimeout(() => process.kill(process.pid, signal), 100);
      return;
    }
    opts.log.info({ signal }, 'stopping: finishing active chunks');
    handle?.shuttingDown();
    stopRequested.abort(signal);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  try {
    try {
      handle = await startWorker({ ...opts, signal: stopRequested.signal });
    } catch (err) {
      if (stopRequested.signal.aborted) {
        opts.log.info('stopped before Redis was reached');
        return;
      }
      throw err;
    }
    if (!stopRequested.signal.aborted) {
      await new Promise<void>((resolve) => stopRequested.signal.addEventListener('abort', () => resolve(), { once: true }));
    }
    await handle.close().catch((err: unknown) => opts.log.error({ err }, 'error while stopping'));
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}

/** Worker options from the validated configuration (flags already applied to it). */
export function workerOptionsFrom(config: Config, log: Logger, roles: { score?: boolean; aggregate?: boolean } = {}): WorkerOptions {
  return {
    redis: redisSettingsOf(config),
    prefix: config.redisPrefix,
    modelsRoot: config.modelsRoot,
    cacheDir: config.cacheDir,
    concurrency: config.concurrency,
    threads: config.threads,
    sessions: config.sessions,
    maxMemoryMb: config.maxMemoryMb,
    clsOnly: config.clsOnly,
    batchTokens: config.batchTokens,
    device: config.device,
    gpuId: config.gpuId,
    lockMs: config.lockMs,
    maxStalledCount: config.maxStalledCount,
    ...(config.testCrashMarker ? { testCrashMarker: config.testCrashMarker } : {}),
    ...(config.testAggregateFailures ? { testAggregateFailures: config.testAggregateFailures } : {}),
    ...(config.testFailMarker ? { testFailMarker: config.testFailMarker } : {}),
    retry: { baseMs: config.retryBaseMs, maxMs: config.retryMaxMs },
    metricsPort: config.metricsPort,
    log,
    ...roles,
  };
}
