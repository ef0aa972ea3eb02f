/**
 * Typed contracts shared by every stage: rows in, rows out, model facts.
 * Redis key and queue names (distributed mode) are also built only here.
 */
import { z } from 'zod';

/** Vector a row can be represented by. `logits` is the model's own classifier output. */
export const EMBEDDING_KINDS = ['cls', 'pooled', 'mean', 'logits'] as const;
export type EmbeddingKind = (typeof EMBEDDING_KINDS)[number];
export const embeddingKindSchema = z.enum(EMBEDDING_KINDS);

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

/** One output row of `extract`. */
export interface ExtractRow {
  index: number;
  id: string;
  gold?: string;
  embedding?: number[];
  features?: Record<string, number>;
  logits?: number[];
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
