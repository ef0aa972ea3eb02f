/**
 * Typed contracts shared by every stage: rows in, rows out, model facts.
 * Redis key and queue names live in src/queue/keys.ts, job payload schemas in src/queue/schemas.ts.
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
// Distributed mode: run ids, plans and run records (read by local commands too).
// ---------------------------------------------------------------------------

/** Run ids end up in job ids and key names: no ':' (BullMQ's separator), no spaces. */
export const runIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'run ids use letters, digits, . _ - (at most 100, no ":")');

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
