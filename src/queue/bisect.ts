/**
 * Poison-chunk bisection. A row that kills its worker process (a native crash
 * in a tokenizer or ONNX Runtime, an OOM kill) makes its chunk stall again and
 * again; BullMQ would retry it until `maxStalledCount` and then fail every row
 * of the chunk. Instead, a chunk that stalled `SPLIT_AFTER_CRASHES` times is
 * replaced by its two halves — new children of the same aggregate parent, job
 * ids `run-<id>-chunk-<n>-a` / `-b` (then `-a-a`, `-a-b`, …) — and the original
 * job completes with a `split` summary and writes nothing. A half that stalls
 * once more is split again (its lineage already crashed), so the crashing row
 * is isolated in about log2(chunk size) + 2 crashes; only it becomes an error
 * row, `row N crashed the worker K times` (K: every stall of a chunk holding it),
 * once it died twice while running alone in its process (suspect chunks run
 * alone: solo-gate.ts; the count is kept in the run's `crashes` hash).
 *
 * Why this order is safe: the halves are added (as dependencies of the parent)
 * before the original job completes, so the parent never sees a moment with
 * no pending child; the ids are deterministic, so a worker that dies while
 * splitting only re-adds the same jobs. A chunk killed twice by something else
 * (kill -9, a host lost) is split too, which costs nothing: its halves are
 * scored like any chunk. Splitting needs `maxStalledCount` ≥ 2 (default 5).
 */
import type { Job, Queue } from 'bullmq';
import type { ResultRow } from '../contracts.js';
import type { ChunkJobData } from './schemas.js';
import type { RedisNames } from './keys.js';

/** Stalls of a chunk's lineage before it is split (two: one crash may be a kill -9 that had nothing to do with the rows). */
export const SPLIT_AFTER_CRASHES = 2;
/** Crashes of a one-row chunk running alone in its process before its row is given up as the one that crashes workers. */
export const GIVE_UP_ROW_AFTER = 2;

export type CrashVerdict = { action: 'run' } | { action: 'split'; crashes: number } | { action: 'give-up'; crashes: number };

/** A chunk that may crash its worker: it stalled, or the chunk it was split from did. Runs alone (solo-gate.ts). */
export function isSuspect(data: Pick<ChunkJobData, 'crashes'>, stalledCounter: number): boolean {
  return stalledCounter > 0 || (data.crashes ?? 0) > 0;
}

/**
 * What to do with a chunk job at its start, from its own stalls, those of the chunks it
 * came from, and — for one row — how many times it died while running alone (`soloCrashes`:
 * a stall while it only waited beside another suspect chunk proves nothing about the row).
 */
export function crashVerdict(data: Pick<ChunkJobData, 'rows' | 'crashes'>, stalledCounter: number, soloCrashes = 0): CrashVerdict {
  const crashes = (data.crashes ?? 0) + stalledCounter;
  if (stalledCounter === 0) return { action: 'run' };
  if (data.rows.length > 1 && crashes >= SPLIT_AFTER_CRASHES) return { action: 'split', crashes };
  if (data.rows.length === 1 && soloCrashes >= GIVE_UP_ROW_AFTER) return { action: 'give-up', crashes };
  return { action: 'run' };
}

/** The error row of a row that kept crashing its workers. */
export function crashedRow(row: ChunkJobData['rows'][number], crashes: number): ResultRow {
  return {
    index: row.index,
    id: row.id,
    error: `row ${row.index} crashed the worker ${crashes} times`,
    ...(row.gold !== undefined ? { gold: row.gold } : {}),
  };
}

/**
 * Adds the two halves of `job` as children of its parent, with the job's own
 * options (attempts, backoff, removal, priority) and deterministic ids; returns their ids.
 */
export async function splitChunk(
  queue: Queue,
  names: RedisNames,
  job: Job,
  data: ChunkJobData,
  crashes: number,
): Promise<[string, string]> {
  const parentId = job.parent?.id;
  if (!job.parent || !parentId) throw new Error(`chunk job ${job.id} has no parent to add its halves to`);
  const parent = { id: parentId, queue: job.parent.queueKey };
  const halves = (['a', 'b'] as const).map((h) => {
    const part = data.part ? `${data.part}-${h}` : h;
    // The split point of chunkRange (payload-check.ts): the first half takes the extra row.
    const mid = Math.ceil(data.rows.length / 2);
    const rows = h === 'a' ? data.rows.slice(0, mid) : data.rows.slice(mid);
    const jobId = names.chunkJobId(data.runId, data.chunk, part);
    const halfData: ChunkJobData = { runId: data.runId, chunk: data.chunk, rows, part, crashes };
    const { attempts, backoff, removeOnComplete, removeOnFail, priority } = job.opts;
    return {
      name: 'chunk',
      data: halfData,
      opts: {
        jobId,
        parent,
        ignoreDependencyOnFailure: true,
        ...(attempts !== undefined ? { attempts } : {}),
        ...(backoff !== undefined ? { backoff } : {}),
        // The halves keep the run's place in line (--priority, priority.ts).
        ...(priority ? { priority } : {}),
        ...(removeOnComplete !== undefined ? { removeOnComplete } : {}),
        ...(removeOnFail !== undefined ? { removeOnFail } : {}),
      },
    };
  });
  await queue.addBulk(halves);
  return [halves[0]!.opts.jobId, halves[1]!.opts.jobId];
}
