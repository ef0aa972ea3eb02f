/**
 * Waiting for a run's end without polling. `RunStore.finish` adds an entry to the run's
 * `ended` stream in the transaction that stores the result; a waiter reads the latest
 * entry id, reads the status, and — when the run has not ended — blocks on the stream
 * (XREAD BLOCK) from that id for at most its status interval. A run that ends then wakes
 * it at once, whatever the interval; its status lines still come once per interval.
 *
 * Why not polling faster: each status read is a dozen Redis round trips and a spec parse.
 * At 20 ms, the client and Redis took ~0.3 s of CPU from the workers during a 2 s run
 * on 2 cores, and at the default 1 s a run was seen ended up to 1 s late.
 *
 * The blocking read has its own connection (a blocked connection answers nothing else),
 * which neither queues commands nor resends them: while Redis is unreachable the read
 * fails at once and the waiter just pauses, and its status read reports the outage
 * as before. A read that outlives its pause, or is aborted, drops the connection, so no
 * stale blocked read holds the next one up. Runs ended by an older worker, which adds no
 * entry, are seen at the next status read, as before.
 */
import type { Redis } from 'ioredis';
import type { RedisNames } from './keys.js';
import { atMost } from './patience.js';

/** How long past its BLOCK time a read may take before its connection is dropped. */
const SLACK_MS = 1000;

export class RunEndWatch {
  private conn: Redis | undefined;
  /** A blocked read is in flight: a second waiter on the same client just pauses (a connection serves one). */
  private reading = false;

  constructor(
    private readonly base: Redis,
    private readonly names: RedisNames,
  ) {}

  /**
   * Resolves with the id of the newest end event of `runId` after `after`, as soon as one
   * exists, or with undefined once `ms` have passed or `signal` aborted. Never rejects.
   */
  async next(runId: string, after: string, ms: number, signal?: AbortSignal): Promise<string | undefined> {
    const start = Date.now();
    const block = Math.floor(ms);
    // BLOCK 0 would wait for ever.
    if (block < 1 || signal?.aborted) return undefined;
    if (this.reading) return pause(block, signal);
    this.reading = true;
    try {
      return await this.read(runId, after, start, block, signal);
    } finally {
      this.reading = false;
    }
  }

  close(): void {
    this.drop();
  }

  private async read(
    runId: string,
    after: string,
    start: number,
    block: number,
    signal: AbortSignal | undefined,
  ): Promise<string | undefined> {
    const conn = await this.connection(block);
    const left = block - (Date.now() - start);
    if (!conn || left < 1) return pause(start + block - Date.now(), signal);
    const read = conn.xread('BLOCK', left, 'STREAMS', this.names.runEnded(runId), after).then(
      (res) => {
        const entries = res?.[0]?.[1] ?? [];
        return { id: entries[entries.length - 1]?.[0] };
      },
      () => ({ failed: true as const }),
    );
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    const outcome = await Promise.race([
      read,
      new Promise<{ late: true }>((resolve) => {
        timer = setTimeout(() => resolve({ late: true }), left + SLACK_MS);
        onAbort = () => resolve({ late: true });
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    if ('late' in outcome) {
      this.drop();
      return undefined;
    }
    // A read that failed at once (Redis down, a refused command) must still pause: no busy loop.
    if ('failed' in outcome) return pause(start + block - Date.now(), signal);
    return outcome.id;
  }

  private drop(): void {
    this.conn?.disconnect();
    this.conn = undefined;
  }

  /** The blocking connection, ready; undefined when it cannot connect within `ms`. */
  private async connection(ms: number): Promise<Redis | undefined> {
    // A connection ioredis gave up on (a fail-fast client's retries ran out) is made anew.
    if (this.conn?.status === 'end') this.drop();
    if (!this.conn) {
      const conn = this.base.duplicate({
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        autoResendUnfulfilledCommands: false,
      });
      conn.on('error', () => undefined);
      this.conn = conn;
      const connecting = conn.connect();
      if (!(await atMost(connecting, ms))) return undefined;
      try {
        await connecting;
      } catch {
        this.drop();
        return undefined;
      }
    }
    return this.conn.status === 'ready' ? this.conn : undefined;
  }
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<undefined> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve(undefined);
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve(undefined);
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
