/**
 * Wires a worker's operations port: the metrics registry (metrics.ts), the HTTP
 * server (health-server.ts) and what "ready" means for a worker. Started before
 * Redis is reached, so `/healthz` answers (and `/readyz` says why not) while the
 * worker still waits for Redis at start.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { pairscoreVersion } from '../version.js';
import { createWorkerMetrics, type WorkerMetrics } from './metrics.js';
import { startOpsServer } from './health-server.js';

/** A PING slower than this counts as Redis not answering (ioredis would queue it for ever while offline). */
const PING_TIMEOUT_MS = 1000;

export interface WorkerOps {
  readonly metrics: WorkerMetrics;
  readonly port: number;
  /** The connection `/readyz` pings, once the worker has one. */
  useRedis(redis: Redis): void;
  /** From now on `/readyz` answers 503 "shutting down" (a load balancer stops sending, a supervisor waits). */
  shuttingDown(): void;
  close(): Promise<void>;
}

export async function startWorkerOps(opts: {
  port: number;
  host?: string | undefined;
  device: string;
  provider: string;
  log: Logger;
  signal?: AbortSignal | undefined;
}): Promise<WorkerOps> {
  const metrics = createWorkerMetrics({ version: pairscoreVersion(), device: opts.device, provider: opts.provider });
  let redis: Redis | undefined;
  let stopping = false;
  const ready = async (): Promise<string | undefined> => {
    if (stopping || opts.signal?.aborted) return 'shutting down';
    if (!redis) return 'connecting to Redis';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`Redis did not answer PING within ${PING_TIMEOUT_MS} ms`), PING_TIMEOUT_MS);
    });
    try {
      const answer = await Promise.race([
        redis.ping().then(
          () => undefined,
          (err: Error) => `Redis PING failed: ${err.message}`,
        ),
        timeout,
      ]);
      return answer;
    } finally {
      clearTimeout(timer);
    }
  };
  const server = await startOpsServer({ port: opts.port, host: opts.host, metrics, ready, log: opts.log });
  return {
    metrics,
    port: server.port,
    useRedis(r) {
      redis = r;
    },
    shuttingDown() {
      stopping = true;
    },
    close: () => server.close(),
  };
}
