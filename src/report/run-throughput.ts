/**
 * Throughput over time per worker, for the report of a distributed run, read from what BullMQ
 * already records: each chunk job's `completed` event in the score queue's event stream carries
 * the chunk's summary (rows, ms, worker) and its stream id is the completion time in ms. Nothing
 * is added to the workers' hot path. BullMQ caps that stream (about 10,000 events across all
 * runs), so for a long-finished or very large run the oldest chunks may be gone: the report then
 * says how many chunks the chart covers.
 */
import { redisNames } from '../queue/keys.js';
import type { QueueTarget } from '../queue/index.js';

export interface ChunkDone {
  worker: string;
  rows: number;
  /** Completion time, ms since the epoch, and how long the chunk took. */
  at: number;
  ms: number;
}

export interface ThroughputPoint {
  worker: string;
  /** Centre of the time bin, seconds since the run's first chunk started. */
  t: number;
  pairs_per_s: number;
}

export interface Throughput {
  chunks: number;
  binSeconds: number;
  points: ThroughputPoint[];
}

/** The completed chunk jobs of `runId` still in the score queue's event stream. */
export async function readChunkCompletions(target: QueueTarget, runId: string): Promise<ChunkDone[]> {
  const { connectRedis } = await import('../queue/redis.js');
  const names = redisNames(target.prefix);
  const redis = await connectRedis(target.redis, 'client');
  try {
    const key = names.scoreEvents;
    const jobPrefix = `run-${runId}-chunk-`;
    const out: ChunkDone[] = [];
    for (const [id, fields] of await redis.xrange(key, '-', '+')) {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
      if (f.get('event') !== 'completed' || !f.get('jobId')?.startsWith(jobPrefix)) continue;
      try {
        const v = JSON.parse(f.get('returnvalue') ?? 'null') as { rows?: unknown; ms?: unknown; worker?: unknown } | null;
        if (v && typeof v.rows === 'number' && typeof v.worker === 'string')
          out.push({ worker: v.worker, rows: v.rows, ms: typeof v.ms === 'number' ? v.ms : 0, at: Number(id.split('-')[0]) });
      } catch {
        // a summary that does not parse (another build's) is left out of the chart, not fatal
      }
    }
    return out;
  } finally {
    redis.disconnect();
  }
}

/**
 * Pairs/s per worker in about `bins` equal time bins — a multiple of 250 ms, so a run of a few
 * seconds still shows a shape — with zeros kept so lines stay continuous. Points sit at bin centres.
 */
export function throughputOf(chunks: readonly ChunkDone[], bins = 30): Throughput | null {
  if (chunks.length === 0) return null;
  const start = Math.min(...chunks.map((c) => c.at - c.ms));
  const end = Math.max(...chunks.map((c) => c.at));
  const binMs = Math.max(250, Math.ceil((end - start) / bins / 250) * 250);
  const n = Math.max(1, Math.ceil((end - start) / binMs));
  const workers = [...new Set(chunks.map((c) => c.worker))].sort();
  const rows = new Map(workers.map((w) => [w, new Float64Array(n)]));
  // A chunk's rows count in the bin where it completed: simple, and exact in total.
  for (const c of chunks) rows.get(c.worker)![Math.min(n - 1, Math.floor((c.at - start) / binMs))]! += c.rows;
  const binSeconds = binMs / 1000;
  const points = workers.flatMap((w) =>
    Array.from(rows.get(w)!, (r, b) => ({ worker: w, t: (b + 0.5) * binSeconds, pairs_per_s: r / binSeconds })),
  );
  return { chunks: chunks.length, binSeconds, points };
}
