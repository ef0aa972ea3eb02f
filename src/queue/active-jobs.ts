/**
 * Counts the jobs this process is running, so a stopping worker can wait for
 * its own chunks to end rather than for BullMQ's `close()`, which after a long
 * Redis outage can wait for ever on its blocking connection (seen with
 * BullMQ 6.7: an outage of ~12 s or more, Redis back, then SIGTERM).
 */
export class ActiveJobs {
  private count = 0;
  private idle: Array<() => void> = [];

  /** Runs `fn` as one active job. */
  async track<T>(fn: () => Promise<T>): Promise<T> {
    this.count++;
    try {
      return await fn();
    } finally {
      if (--this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  get size(): number {
    return this.count;
  }

  /** Resolves once no job is running. */
  whenIdle(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }
}
