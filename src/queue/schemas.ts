/** Payloads of the queue's jobs and the worker heartbeat: only src/queue reads and writes them. */
import { z } from 'zod';
import { runIdSchema } from '../contracts.js';

const rowSchema = z.object({
  index: z.number().int().min(0),
  id: z.string(),
  premise: z.string().optional(),
  hypothesis: z.string().optional(),
  gold: z.string().optional(),
  error: z.string().optional(),
});

/** Which half of which half… of a chunk a bisected job holds: `a` first half, `b` second (src/queue/bisect.ts). */
export const chunkPartSchema = z.string().regex(/^[ab](-[ab])*$/, 'a chunk part is a, b, a-b, …');

/** Data of one `score` chunk job: the rows themselves (a few KB), never the run spec. */
export const chunkJobSchema = z.object({
  runId: runIdSchema,
  chunk: z.number().int().min(0),
  rows: z.array(rowSchema).min(1),
  /** Set on the halves of a bisected chunk; absent on the chunk submit added. */
  part: chunkPartSchema.optional(),
  /** Worker crashes (stalls) of the chunks this one was split from, so a poison row is isolated in few crashes. */
  crashes: z.number().int().min(0).optional(),
});
export type ChunkJobData = z.infer<typeof chunkJobSchema>;

/** What a chunk job returns: a summary only (BullMQ copies it into the parent and events). */
export interface ChunkSummary {
  chunk: number;
  rows: number;
  errors: number;
  ms: number;
  worker: string;
  skipped?: 'cancelled';
  /** The chunk kept crashing its workers and was replaced by these two halves (their job ids). */
  split?: [string, string];
}

/**
 * What a worker writes in its heartbeat (hash `workerInfo`, JSON per worker id) and
 * `status` shows for the workers of a run. Device fields are null for a worker that runs
 * no model (aggregate only, or stages replaced in a benchmark). Fields added later are
 * optional so a status from a newer build still reads an older worker's heartbeat.
 */
export const workerInfoSchema = z.object({
  host: z.string(),
  pid: z.number(),
  concurrency: z.number(),
  /** false: an aggregate-only worker (`--no-score`), which takes no chunk jobs; absent from older workers. */
  scores: z.boolean().optional(),
  /** Intra-op threads per session: the last loaded model's layout, else the one it would start from. */
  threads: z.number(),
  /** Sessions of the last loaded model (absent until a model loads, and from older workers). */
  sessions: z.number().optional(),
  /** The device in use: proven at start, then what the last loaded model runs on (`auto` may fall back per model). */
  device: z.string().nullable(),
  /** The device asked for (`auto` may have become `cpu`). */
  requestedDevice: z.string().optional(),
  executionProviders: z.array(z.string()).optional(),
  /** onnxruntime-node version. */
  onnxruntime: z.string().nullable().optional(),
  /** pairscore version of the worker (absent from workers older than it), so `status` shows a mixed-version fleet. */
  version: z.string().optional(),
});
export type WorkerInfo = z.infer<typeof workerInfoSchema>;
