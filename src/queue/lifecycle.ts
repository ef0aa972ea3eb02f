/**
 * Runs a worker until SIGTERM/SIGINT: stop taking jobs, let active chunks
 * finish (BullMQ's worker.close()), free the ONNX sessions, exit 0. A second
 * signal exits at once; BullMQ's stalled-job check hands any chunk that was
 * still active to another worker.
 */
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { redisSettingsOf } from './redis-settings.js';
import { startWorker, type WorkerHandle, type WorkerOptions } from './worker.js';

export async function runWorkerUntilSignal(opts: WorkerOptions): Promise<void> {
  const handle: WorkerHandle = await startWorker(opts);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        opts.log.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stopping = true;
      opts.log.info({ signal }, 'stopping: finishing active chunks');
      handle.close().then(resolve, (err: unknown) => {
        opts.log.error({ err: (err as Error).message }, 'error while stopping');
        resolve();
      });
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
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
    batchTokens: config.batchTokens,
    device: config.device,
    lockMs: config.lockMs,
    log,
    ...roles,
  };
}
