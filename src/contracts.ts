/**
 * Typed contracts shared by every stage: rows in, rows out, model facts.
 * Redis key and queue names (distributed mode) are also built only here.
 */
import { z } from 'zod';
import { embeddingKindSchema } from './embedding-kinds.js';
import { headSchema } from './classify/head-format.js';

export { EMBEDDING_KINDS, embeddingKindSchema, type EmbeddingKind } from './embedding-kinds.js';
import type { EmbeddingKind } from './embedding-kinds.js';

/** One input pair after ingest validation. */
export interface PairRow {
  /** 0-based position in the input file (data rows only, header excluded). */
  index: number;
  id: string;
  premise: string;
  hypothesis: string;
  gold?: string;
}

/** A row that could not be used; it still produces an output row carrying `error`. */
export interface BadRow {
  index: number;
  id: string;
  error: string;
  gold?: string;
}

export type IngestRow = PairRow | BadRow;
export function isBadRow(row: IngestRow): row is BadRow {
  return (row as BadRow).error !== undefined;
}

/** Token ids of one encoded pair ([CLS] a [SEP] b [SEP]). */
export interface Encoding {
  ids: Int32Array;
  typeIds: Int32Array;
}

/** One output row of `score`. */
export interface ScoreRow {
  index: number;
  id: string;
  label?: string;
  probs?: Record<string, number>;
  gold?: string;
  error?: string;
}

/**
 * One output row of `extract`. Vectors are Float32Array as computed (views into the batch's
 * output, no copy) on the way from the embedder to the writers and the row codec
 * (`ExtractRow<Float32Array>`), number[] when read back from a file or Redis (the default).
 */
export interface ExtractRow<V extends Float32Array | number[] = number[]> {
  index: number;
  id: string;
  gold?: string;
  embedding?: V;
  features?: Record<string, number>;
  logits?: V;
  error?: string;
}

/** One output row of `tokenize`. */
export interface TokenizeRow {
  index: number;
  id: string;
  input_ids?: number[];
  token_type_ids?: number[];
  error?: string;
}

/** Where each embedding kind comes from in a (possibly rewritten) ONNX graph. */
export interface EmbeddingSources {
  /** Graph output holding [batch, seq, hidden] (for cls and mean). */
  lastHiddenState?: string;
  /** Graph output holding [batch, hidden]: pooler output / the classifier's input. */
  pooled?: string;
  /** Graph output holding [batch, labels]. */
  logits?: string;
}

/** Facts about a model directory, as `inspect` shows them. */
export interface ModelInfo {
  dir: string;
  /** sha256 of the user's model.onnx (never of a derived copy). */
  sha256: string;
  inputs: string[];
  /** Outputs of the user's file. */
  outputs: string[];
  /** Outputs pairscore added by graph surgery (empty when none were needed). */
  exposed: string[];
  hiddenSize: number;
  numLabels: number;
  id2label: string[];
  maxLength: number;
  available: EmbeddingKind[];
  sources: EmbeddingSources;
  /** Human-readable notes on what inspection found (e.g. which node feeds the classifier). */
  notes: string[];
}

// ---------------------------------------------------------------------------
// Distributed mode: payloads, run records, and every Redis key and queue name.
// ---------------------------------------------------------------------------

/** Run ids end up in job ids and key names: no ':' (BullMQ's separator), no spaces. */
export const runIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'run ids use letters, digits, . _ - (at most 100, no ":")');

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

export const RUN_TASKS = ['score', 'extract'] as const;
export type RunTask = (typeof RUN_TASKS)[number];

/** A row a run stores: `score` runs store ScoreRows, `extract` runs ExtractRows. */
export type ResultRow = ScoreRow | ExtractRow<Float32Array | number[]>;

/**
 * The vector columns an `extract` run writes besides its features: the
 * feature-file header (`FeaturesMeta` in src/classify/features-file.ts).
 */
export const extractColumnsSchema = z.object({
  embedding: embeddingKindSchema.nullable(),
  embeddingDim: z.number().int().min(0),
  logits: z.boolean(),
  logitsDim: z.number().int().min(0),
  /** The model's own labels, in logit order (to read its logits later). */
  modelLabels: z.array(z.string()),
});
export type ExtractColumns = z.infer<typeof extractColumnsSchema>;

/**
 * What a run computes, decided once by `planRun` (src/plan.ts) from the model's
 * facts, the head and the options. Local runs use it directly; `submit` stores
 * it in the run spec and every worker builds its stages from it.
 */
export const runPlanSchema = z.object({
  task: z.enum(RUN_TASKS),
  /** The selection as the user gave it (or the default), for messages. */
  featureSelection: z.string(),
  /** Feature columns, in registry order: every registered group, opt-in ones included. */
  features: z.array(z.string()),
  /** Output labels of a score run (the head's, else the model's); [] for extract. */
  labels: z.array(z.string()),
  /** What the embedder computes for every row. */
  kinds: z.array(embeddingKindSchema),
  /** Truncation length, checked against the model's limit. */
  maxLength: z.number().int().positive(),
  /** The MLP head of a score run; null: the model's own logits (always null for extract). */
  head: headSchema.nullable(),
  /** Where the head came from (file name), for messages. */
  headFile: z.string().optional(),
  /** Set for extract runs. */
  extract: extractColumnsSchema.nullable(),
});
export type RunPlan = z.infer<typeof runPlanSchema>;

/** Stored once per run in Redis; workers read it by run id. */
export const runSpecSchema = z.object({
  runId: runIdSchema,
  /** The pairscore version that planned the run. */
  version: z.string(),
  createdAt: z.string(),
  model: z.object({ name: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  plan: runPlanSchema,
  input: z.object({ file: z.string(), sha256: z.string(), format: z.string(), rows: z.number().int().min(0) }),
  chunkSize: z.number().int().positive(),
  chunks: z.number().int().min(0),
  keepSeconds: z.number().int().positive(),
  /** `submit --priority`: 1 is the most urgent; absent: after every run that has one (src/queue/priority.ts). */
  priority: z.number().int().min(1).max(2_097_150).optional(),
});
export type RunSpec = z.infer<typeof runSpecSchema>;

/** `paused`: workers park the run's chunks until `resume` (src/queue/run-control.ts); not final. */
export const RUN_STATES = ['submitting', 'queued', 'running', 'paused', 'completed', 'failed', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];

export interface FailedChunk {
  chunk: number;
  /** Which part of a bisected chunk failed (`a-b`, …); absent for a whole chunk. */
  part?: string;
  reason: string;
  firstIndex: number | null;
  rows: number | null;
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
  threads: z.number(),
  /** The device in use after proving it: cpu, cuda or webgpu. */
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

/**
 * Redis names of one deployment. The prefix is written as a hash tag, so every
 * key of every queue and run lands in one Redis Cluster slot (BullMQ's Lua
 * scripts and our multi-key reads need that).
 */
export function redisNames(prefix: string) {
  const tag = `{${prefix}}`;
  const run = (runId: string) => `${tag}:run:${runId}`;
  return {
    /** BullMQ `prefix` option. */
    bullPrefix: tag,
    scoreQueue: 'score',
    aggregateQueue: 'aggregate',
    /** BullMQ's event stream of the score queue (its `completed` events carry each chunk's summary; the report reads them). */
    scoreEvents: `${tag}:score:events`,
    /** BullMQ's delayed set of the score queue: `resume` finds the parked chunks of a run there (run-control.ts). */
    scoreDelayed: `${tag}:score:delayed`,
    /** A chunk's job; `part` names a half of a bisected chunk (`a`, `a-b`, …): `run-<id>-chunk-<n>-a-b`. */
    chunkJobId: (runId: string, chunk: number, part?: string) => `run-${runId}-chunk-${chunk}${part ? `-${part}` : ''}`,
    sealJobId: (runId: string) => `run-${runId}-seal`,
    aggregateJobId: (runId: string) => `run-${runId}-aggregate`,
    /** Hash: spec (JSON), state, chunksAdded, startedAt, finishedAt, result (JSON), retries (count of `retry`). */
    runMeta: (runId: string) => `${run(runId)}:meta`,
    /** Hash: row index → result row (src/queue/row-codec.ts; one field per input row). */
    runRows: (runId: string) => `${run(runId)}:rows`,
    /** Set of worker ids that processed chunks of the run. */
    runWorkers: (runId: string) => `${run(runId)}:workers`,
    /** Hash: job id of a one-row suspect chunk → times it started alone and never finished (bisect.ts). */
    runCrashes: (runId: string) => `${run(runId)}:crashes`,
    /** Every key of a run, for expiry after completion. */
    runKeys: (runId: string) => [`${run(runId)}:meta`, `${run(runId)}:rows`, `${run(runId)}:workers`, `${run(runId)}:crashes`],
    /**
     * Set once (never expires) when the deployment first submits: a run id that is
     * missing while this marker is missing too means Redis lost its data (src/queue/lost.ts).
     */
    deploymentMarker: `${tag}:deployment`,
    /** Sorted set of run ids by creation time. */
    runs: `${tag}:runs`,
    /** Sorted set: worker id → last heartbeat (ms). */
    workers: `${tag}:workers`,
    /** Hash: worker id → JSON WorkerInfo (host, pid, device, execution providers, onnxruntime version). */
    workerInfo: `${tag}:worker-info`,
    /** String with a short TTL: a worker's probe write while Redis refuses writes (queue/write-guard.ts). */
    writeProbe: (workerId: string) => `${tag}:write-probe:${workerId}`,
  };
}
export type RedisNames = ReturnType<typeof redisNames>;
