/**
 * Runs suspect chunks alone in their process. A chunk whose lineage already
 * crashed a worker (bisect.ts) may crash it again, and with `--concurrency 2`
 * every chunk running beside it would die too and be blamed for the crash:
 * innocent halves would be split for nothing and, worst, an innocent single row
 * could be given up as the one that crashes workers. So a suspect chunk waits
 * until the chunks running in this process finish and runs while no other
 * starts (a writer in a readers-writer lock); ordinary chunks share the gate.
 */
export class SoloGate {
  private running = 0;
  private solo: Promise<void> | undefined;
  private idle: Array<() => void> = [];

  /** Runs `fn` beside other ordinary chunks, never beside a suspect one. */
  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.solo) await this.solo;
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      if (this.running === 0) for (const wake of this.idle.splice(0)) wake();
    }
  }

  /** Runs `fn` with no other chunk running in this process. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    while (this.solo) await this.solo;
    let release!: () => void;
    this.solo = new Promise<void>((resolve) => (release = resolve));
    try {
      while (this.running > 0) await new Promise<void>((resolve) => this.idle.push(resolve));
      return await fn();
    } finally {
      this.solo = undefined;
      release();
    }
  }
}
