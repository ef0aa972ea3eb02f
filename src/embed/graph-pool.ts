/**
 * The session pool an embedder runs on, and the one switch it may make: from the [CLS]-only
 * copy (cls-only-model.ts) to the full graph, the first time a call reads every position
 * (mean). Only a worker meets this: its loaded model is shared by runs with different plans,
 * and it was loaded for the first one. The switch waits for the calls running on the copy,
 * closes that pool, then starts the full graph's — so one set of weights is held at a time,
 * and calls arriving meanwhile wait. It never switches back.
 */
import type { EmbeddingKind } from '../contracts.js';
import { RetryableError } from '../errors.js';
import { readsPosition0Only } from './cls-only-model.js';
import type { SessionPool } from './session-pool.js';

/** The model file the sessions load and whether it is the [CLS]-only copy; `why` for the start-up note. */
export interface Graph {
  modelPath: string;
  clsOnly: boolean;
  why: string;
}

interface Active {
  graph: Graph;
  pool: SessionPool;
  /** Calls running on this pool now. */
  running: number;
  /** Set by a switch waiting for `running` to reach 0. */
  idle?: () => void;
}

export class GraphPool {
  private active: Active | undefined;
  private switching: Promise<void> | undefined;
  private closed = false;
  private retiredSplits = 0;

  constructor(
    graph: Graph,
    pool: SessionPool,
    /** The full graph, switched to when a call needs every position. */
    private readonly full: Graph,
    private readonly start: (graph: Graph) => Promise<SessionPool>,
  ) {
    this.active = { graph, pool, running: 0 };
  }

  /** Batches halved to share the end of the work between sessions, over every pool this has run (session-pool.ts). */
  get splits(): number {
    return this.retiredSplits + (this.active?.pool.stats.splits ?? 0);
  }

  /** The graph in use (or being switched to). */
  get graph(): Graph {
    return this.active?.graph ?? this.full;
  }

  /** Runs `fn` on a pool whose graph can give `kinds`, switching to the full graph first if needed. */
  async use<T>(kinds: readonly EmbeddingKind[], fn: (pool: SessionPool) => Promise<T>): Promise<T> {
    const a = await this.acquire(kinds);
    try {
      return await fn(a.pool);
    } finally {
      if (--a.running === 0) a.idle?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.switching?.catch(() => undefined);
    await this.active?.pool.close();
  }

  private async acquire(kinds: readonly EmbeddingKind[]): Promise<Active> {
    for (;;) {
      if (this.closed) throw new RetryableError('session pool is closed');
      if (this.switching) {
        await this.switching;
        continue;
      }
      const a = this.active;
      if (a && (!a.graph.clsOnly || readsPosition0Only(kinds))) {
        a.running++;
        return a;
      }
      // No pool (a failed switch: try again) or the copy while every position is needed.
      this.switching = this.switchToFull(a).finally(() => (this.switching = undefined));
    }
  }

  private async switchToFull(old: Active | undefined): Promise<void> {
    this.active = undefined;
    if (old) {
      if (old.running > 0) await new Promise<void>((resolve) => (old.idle = resolve));
      await old.pool.close();
      this.retiredSplits += old.pool.stats.splits;
    }
    const pool = await this.start(this.full);
    if (this.closed) {
      await pool.close();
      return;
    }
    this.active = { graph: this.full, pool, running: 0 };
  }
}
