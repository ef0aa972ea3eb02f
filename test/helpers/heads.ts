/** Builds head files with known weights for tests (training lives elsewhere). */
import type { HeadFile } from '../../src/classify/index.js';
import type { EmbeddingKind } from '../../src/contracts.js';

export interface TestHeadOptions {
  sha256: string;
  labels?: string[];
  embedding?: EmbeddingKind | null;
  embeddingDim?: number;
  features?: string[];
  logits?: boolean;
  logitsDim?: number;
  /** Hidden layer width; 0 = a single linear layer. */
  hidden?: number;
  seed?: number;
}

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  };
}

export function makeTestHead(o: TestHeadOptions): HeadFile {
  const labels = o.labels ?? ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'];
  const embedding = o.embedding ?? null;
  const embeddingDim = embedding ? (o.embeddingDim ?? 0) : 0;
  const features = o.features ?? [];
  const logits = o.logits ?? false;
  const logitsDim = logits ? (o.logitsDim ?? labels.length) : 0;
  const dim = embeddingDim + features.length + logitsDim;
  const r = rand(o.seed ?? 1);
  const layer = (inDim: number, outDim: number, activation: 'relu' | 'linear') => ({
    weight: Array.from({ length: outDim }, () => Array.from({ length: inDim }, () => r())),
    bias: Array.from({ length: outDim }, () => r() * 0.1),
    activation,
  });
  const hidden = o.hidden ?? 8;
  const layers = hidden > 0 ? [layer(dim, hidden, 'relu'), layer(hidden, labels.length, 'linear')] : [layer(dim, labels.length, 'linear')];
  return {
    format: 'pairscore-mlp',
    version: 1,
    labels,
    inputs: { embedding, embedding_dim: embeddingDim, features, logits, logits_dim: logitsDim },
    model: { sha256: o.sha256 },
    standardize: { mean: Array.from({ length: dim }, () => 0), std: Array.from({ length: dim }, () => 1) },
    layers,
  };
}
