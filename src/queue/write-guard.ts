/**
 * Stops a worker from burning through every queued chunk's attempts while Redis
 * refuses writes (OOM above maxmemory, READONLY, MISCONF).
 *
 * Why: during such an outage every chunk fails at its first write, and BullMQ
 * cannot even record the failure (moving a job to failed is a write too), so the
 * chunk stalls and loses its lock. So on the first refusal the guard pauses the
 * process's BullMQ workers (`pause(true)`: active jobs are not awaited), probes
 * with a small SET under the deployment's prefix, with backoff and jitter, and
 * resumes them when a probe succeeds. A job whose write was refused waits for the
 * same probe before it fails, so its failure — named by its cause — is recorded
 * and retried with the infrastructure backoff (retry-policy.ts).
 * It logs once when it pauses and once when it resumes.
 */
import type { Redis } from 'ioredis';
import type { Worker } from 'bullmq';
import type { Logger } from '../log.js';

export interface WriteGuardOptions {
  redis: Redis;
  probeKey: string;
  workers: readonly Worker[];
  log: Logger;
  /** First probe delay (default 250 ms); doubles up to `probeMaxMs` (default 5 s). */
  probeBaseMs?: number;
  probeMaxMs?: number;
}

export class WriteGuard {
  private outage: Promise<void> | undefined;
  private closed = false;
  private readonly closedSignal = new AbortController();

  constructor(private readonly opts: WriteGuardOptions) {}

  /** True while job intake is paused for an outage. */
  get paused(): boolean {
    return this.outage !== undefined;
  }

  /**
   * Reports a refused write; resolves once Redis accepts a probe write again,
   * or at once when the guard is closed (the worker is stopping).
   */
  refused(reason: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.outage ??= this.rideOut(reason).finally(() => {
      this.outage = undefined;
    });
    return Promise.race([this.outage, this.whenClosed()]);
  }

  /** Releases every waiter; no more probes. */
  close(): void {
    this.closed = true;
    this.closedSignal.abort();
  }

  private whenClosed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed) resolve();
      else this.closedSignal.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }

  private async rideOut(reason: string): Promise<void> {
    const { log, workers, redis, probeKey } = this.opts;
    const started = Date.now();
    log.warn({ reason }, 'Redis refuses writes: pausing job intake until a probe write succeeds');
    await Promise.all(workers.map((w) => w.pause(true).catch(() => undefined)));
    let delay = this.opts.probeBaseMs ?? 250;
    let probes = 0;
    while (!this.closed) {
      await sleep(delay / 2 + Math.random() * (delay / 2), this.closedSignal.signal);
      if (this.closed) return;
      probes++;
      try {
        await redis.set(probeKey, String(Date.now()), 'PX', 60000);
        break;
      } catch {
        delay = Math.min(this.opts.probeMaxMs ?? 5000, delay * 2);
      }
    }
    if (this.closed) return;
    for (const w of workers) void w.resume();
    log.info({ pausedMs: Date.now() - started, probes }, 'Redis accepts writes again: resuming job intake');
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
