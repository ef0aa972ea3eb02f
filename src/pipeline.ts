/**
 * The scoring pipeline: tokenize → embed → featurize → classify, one chunk of
 * rows at a time. Pure composition of the stage interfaces: it knows nothing of
 * files, Redis or the CLI, so the local commands and the distributed workers
 * run exactly this code.
 *
 * Featurization runs on the calling thread while the embedder's worker threads
 * run inference, so the two overlap.
 */
import type { EmbeddingKind, Encoding, ExtractRow, IngestRow, ModelInfo, PairRow, ScoreRow, TokenizeRow } from './contracts.js';
import { isBadRow } from './contracts.js';
import type { Embedder, EmbedOutput } from './embed/types.js';
import type { Featurizer } from './features/types.js';
import type { PairTokenizer } from './tokenize/types.js';
import { assembleInput, checkHeadFits, Mlp, softmax, type HeadFile } from './classify/index.js';
import { ModelError } from './errors.js';

export interface Stages {
  tokenizer: PairTokenizer;
  embedder: Embedder;
  featurizer: Featurizer;
  /** null: classify with the model's own logits. */
  head: HeadFile | null;
  /** Truncation length; defaults to the tokenizer's. */
  maxLength?: number;
  /** For error messages: where the head came from. */
  headFile?: string;
}

export interface Scorer {
  readonly labels: readonly string[];
  scoreChunk(rows: readonly IngestRow[]): Promise<ScoreRow[]>;
}

export interface ExtractOptions {
  /** Embedding written to each row; null for none. */
  embedding: EmbeddingKind | null;
  /** Also write the model's logits (when the model has them). */
  logits: boolean;
}

export interface Extractor {
  extractChunk(rows: readonly IngestRow[]): Promise<ExtractRow[]>;
}

function goodRows(rows: readonly IngestRow[]): PairRow[] {
  return rows.filter((r): r is PairRow => !isBadRow(r));
}

function encodeAll(rows: readonly PairRow[], stages: Pick<Stages, 'tokenizer' | 'maxLength'>): Encoding[] {
  return rows.map((r) => stages.tokenizer.encodePair(r.premise, r.hypothesis, stages.maxLength));
}

/** Embeds on the worker threads while features are computed here. */
async function embedAndFeaturize(
  rows: readonly PairRow[],
  stages: Stages,
  kinds: readonly EmbeddingKind[],
): Promise<{ vectors: EmbedOutput; features: Float32Array[] }> {
  const encodings = encodeAll(rows, stages);
  const pending = kinds.length > 0 ? stages.embedder.embed(encodings, kinds) : Promise.resolve({});
  // Keep the rejection handled while features are computed; it is awaited right after.
  pending.catch(() => undefined);
  const features = rows.map((r) => stages.featurizer.compute(r.premise, r.hypothesis));
  return { vectors: await pending, features };
}

function withGold<T extends { gold?: string }>(row: T, gold: string | undefined): T {
  if (gold !== undefined) row.gold = gold;
  return row;
}

/**
 * Checks once, before any row, that the stages fit together, and returns the
 * chunk scorer.
 */
export function createScorer(stages: Stages): Scorer {
  const { embedder, head } = stages;
  const info = embedder.info;
  let kinds: EmbeddingKind[];
  let labels: readonly string[];
  let mlp: Mlp | null = null;
  if (head) {
    checkHeadFits(head, info, stages.featurizer.names, stages.headFile);
    mlp = new Mlp(head);
    labels = head.labels;
    kinds = [...new Set<EmbeddingKind>([...(head.inputs.embedding ? [head.inputs.embedding] : []), ...(head.inputs.logits ? ['logits' as const] : [])])];
  } else {
    if (!info.available.includes('logits')) {
      throw new ModelError(
        `${info.dir} has no classifier logits (outputs: ${info.outputs.join(', ')}); pass --mlp HEAD.json to classify with an MLP head`,
      );
    }
    labels = info.id2label;
    kinds = ['logits'];
  }

  return {
    labels,
    async scoreChunk(rows) {
      const good = goodRows(rows);
      const { vectors, features } = await embedAndFeaturize(good, stages, kinds);
      const byIndex = new Map<number, ScoreRow>();
      good.forEach((row, i) => {
        const logits = vectors.logits?.[i];
        const probs = mlp && head
          ? mlp.predict(assembleInput(head, head.inputs.embedding ? vectors[head.inputs.embedding]?.[i] : undefined, features[i]!, logits))
          : softmax(logits!);
        let best = 0;
        for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
        const probMap: Record<string, number> = {};
        labels.forEach((l, k) => (probMap[l] = probs[k]!));
        byIndex.set(row.index, withGold<ScoreRow>({ index: row.index, id: row.id, label: labels[best]!, probs: probMap }, row.gold));
      });
      return rows.map((r) =>
        isBadRow(r) ? withGold<ScoreRow>({ index: r.index, id: r.id, error: r.error }, r.gold) : byIndex.get(r.index)!,
      );
    },
  };
}

/** The vector columns an extraction writes with this model; throws when it cannot give the embedding. */
export function extractColumns(info: ModelInfo, opts: ExtractOptions): { embeddingDim: number; logits: boolean; logitsDim: number } {
  if (opts.embedding && !info.available.includes(opts.embedding)) {
    throw new ModelError(
      `${info.dir} cannot give the '${opts.embedding}' embedding (available: ${info.available.join(', ') || 'none'})`,
    );
  }
  const logits = opts.logits && info.available.includes('logits');
  return {
    embeddingDim: opts.embedding === 'logits' ? info.numLabels : opts.embedding ? info.hiddenSize : 0,
    logits,
    logitsDim: logits ? info.numLabels : 0,
  };
}

export function createExtractor(stages: Stages, opts: ExtractOptions): Extractor {
  const withLogits = extractColumns(stages.embedder.info, opts).logits;
  const kinds = [...new Set<EmbeddingKind>([...(opts.embedding ? [opts.embedding] : []), ...(withLogits ? ['logits' as const] : [])])];
  const names = stages.featurizer.names;
  return {
    async extractChunk(rows) {
      const good = goodRows(rows);
      const { vectors, features } = await embedAndFeaturize(good, stages, kinds);
      const byIndex = new Map<number, ExtractRow>();
      good.forEach((row, i) => {
        const out = withGold<ExtractRow>({ index: row.index, id: row.id }, row.gold);
        if (opts.embedding) out.embedding = Array.from(vectors[opts.embedding]![i]!);
        const f: Record<string, number> = {};
        names.forEach((n, k) => (f[n] = features[i]![k]!));
        out.features = f;
        if (withLogits) out.logits = Array.from(vectors.logits![i]!);
        byIndex.set(row.index, out);
      });
      return rows.map((r) =>
        isBadRow(r) ? withGold<ExtractRow>({ index: r.index, id: r.id, error: r.error }, r.gold) : byIndex.get(r.index)!,
      );
    },
  };
}

export function tokenizeChunk(rows: readonly IngestRow[], tokenizer: PairTokenizer, maxLength?: number): TokenizeRow[] {
  return rows.map((r) => {
    if (isBadRow(r)) return { index: r.index, id: r.id, error: r.error };
    const e = tokenizer.encodePair(r.premise, r.hypothesis, maxLength);
    return { index: r.index, id: r.id, input_ids: Array.from(e.ids), token_type_ids: Array.from(e.typeIds) };
  });
}
