/**
 * The scoring pipeline: tokenize → embed → featurize → classify, one chunk of
 * rows at a time. Pure composition of the stage interfaces: it knows nothing of
 * files, Redis or the CLI, so the local commands and the distributed workers
 * run exactly this code.
 *
 * Featurization runs on the calling thread while the embedder's worker threads
 * run inference, so the two overlap.
 */
import type { EmbeddingKind, Encoding, ExtractRow, IngestRow, PairRow, RunPlan, ScoreRow, TokenizeRow } from './contracts.js';
import { isBadRow } from './contracts.js';
import type { Embedder, EmbedOutput } from './embed/types.js';
import type { Featurizer } from './features/types.js';
import type { PairTokenizer } from './tokenize/types.js';
import { assembleInput, Mlp, softmax } from './classify/index.js';
import type { StageObserver } from './stage-observer.js';

export interface Stages {
  tokenizer: PairTokenizer;
  embedder: Embedder;
  /** Computes exactly `plan.features`. */
  featurizer: Featurizer;
  /** What the run computes (src/plan.ts): labels, kinds, head, max length. */
  plan: RunPlan;
  /** Told each stage's time per chunk and each micro-batch's tokens (a worker's metrics). */
  observer?: StageObserver | undefined;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

export interface Scorer {
  readonly labels: readonly string[];
  scoreChunk(rows: readonly IngestRow[]): Promise<ScoreRow[]>;
}

export interface Extractor {
  extractChunk(rows: readonly IngestRow[]): Promise<Array<ExtractRow<Float32Array>>>;
}

function goodRows(rows: readonly IngestRow[]): PairRow[] {
  return rows.filter((r): r is PairRow => !isBadRow(r));
}

/** A row's result or the reason it has none, for every good row of a chunk. */
interface ChunkWork {
  rows: PairRow[];
  vectors: EmbedOutput;
  features: Float32Array[];
  /** Row index → why this row could not be embedded (it becomes an error row). */
  rejected: Map<number, string>;
}

/**
 * Tokenizes, then embeds on the worker threads while features are computed
 * here. A row whose encoding does not fit the plan (a tokenizer that did not
 * truncate, say) becomes an error row instead of failing its chunk.
 */
async function embedAndFeaturize(rows: readonly PairRow[], stages: Stages, kinds: readonly EmbeddingKind[]): Promise<ChunkWork> {
  const { maxLength } = stages.plan;
  const observer = stages.observer;
  let t0 = performance.now();
  const rejected = new Map<number, string>();
  const kept: PairRow[] = [];
  const encodings: Encoding[] = [];
  for (const r of rows) {
    const e = stages.tokenizer.encodePair(r.premise, r.hypothesis, maxLength);
    if (e.ids.length === 0 || e.ids.length > maxLength) {
      rejected.set(
        r.index,
        e.ids.length === 0 ? 'the pair encodes to no tokens' : `${e.ids.length} tokens exceed the run's maximum of ${maxLength}`,
      );
      continue;
    }
    kept.push(r);
    encodings.push(e);
  }
  observer?.stage('tokenize', seconds(t0));
  const embedStart = performance.now();
  const pending = kinds.length > 0 ? stages.embedder.embed(encodings, kinds, observer) : Promise.resolve({});
  // Keep the rejection handled while features are computed; it is awaited right after.
  pending.catch(() => undefined);
  const embedded = observer ? pending.then((v) => (observer.stage('embed', seconds(embedStart)), v)) : pending;
  embedded.catch(() => undefined);
  t0 = performance.now();
  const features = kept.map((r) => stages.featurizer.compute(r.premise, r.hypothesis));
  observer?.stage('features', seconds(t0));
  return { rows: kept, vectors: await embedded, features, rejected };
}

function withGold<T extends { gold?: string }>(row: T, gold: string | undefined): T {
  if (gold !== undefined) row.gold = gold;
  return row;
}

/** Output rows in input order: bad and rejected rows as error rows, the rest from `byIndex`. */
function inOrder<T extends { index: number; id: string; gold?: string; error?: string }>(
  rows: readonly IngestRow[],
  work: ChunkWork,
  byIndex: Map<number, T>,
): T[] {
  return rows.map((r) => {
    const error = isBadRow(r) ? r.error : work.rejected.get(r.index);
    return error !== undefined ? withGold({ index: r.index, id: r.id, error } as T, r.gold) : byIndex.get(r.index)!;
  });
}

/** The chunk scorer of a score plan (checked by planRun: the head fits the model and features). */
export function createScorer(stages: Stages): Scorer {
  const { plan } = stages;
  const head = plan.head;
  const mlp = head ? new Mlp(head) : null;
  const labels = plan.labels;
  return {
    labels,
    async scoreChunk(rows) {
      const work = await embedAndFeaturize(goodRows(rows), stages, plan.kinds);
      const { vectors, features } = work;
      const t0 = performance.now();
      const byIndex = new Map<number, ScoreRow>();
      work.rows.forEach((row, i) => {
        const logits = vectors.logits?.[i];
        const probs =
          mlp && head
            ? mlp.predict(
                assembleInput(head, head.inputs.embedding ? vectors[head.inputs.embedding]?.[i] : undefined, features[i]!, logits),
              )
            : softmax(logits!);
        let best = 0;
        for (let k = 1; k < probs.length; k++) if (probs[k]! > probs[best]!) best = k;
        const probMap: Record<string, number> = {};
        labels.forEach((l, k) => (probMap[l] = probs[k]!));
        byIndex.set(row.index, withGold<ScoreRow>({ index: row.index, id: row.id, label: labels[best]!, probs: probMap }, row.gold));
      });
      stages.observer?.stage('classify', seconds(t0));
      return inOrder(rows, work, byIndex);
    },
  };
}

/** The chunk extractor of an extract plan: the embedding, every feature and the logits the plan names. */
export function createExtractor(stages: Stages): Extractor {
  const x = stages.plan.extract;
  if (!x) throw new Error(`createExtractor needs an extract plan, not a ${stages.plan.task} plan`);
  const names = stages.plan.features;
  return {
    async extractChunk(rows) {
      const work = await embedAndFeaturize(goodRows(rows), stages, stages.plan.kinds);
      const { vectors, features } = work;
      const byIndex = new Map<number, ExtractRow<Float32Array>>();
      work.rows.forEach((row, i) => {
        const out = withGold<ExtractRow<Float32Array>>({ index: row.index, id: row.id }, row.gold);
        if (x.embedding) out.embedding = vectors[x.embedding]![i]!;
        const f: Record<string, number> = {};
        names.forEach((n, k) => (f[n] = features[i]![k]!));
        out.features = f;
        if (x.logits) out.logits = vectors.logits![i]!;
        byIndex.set(row.index, out);
      });
      return inOrder(rows, work, byIndex);
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
