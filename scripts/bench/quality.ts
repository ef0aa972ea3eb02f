/**
 * Quantization quality gate: the same encodings through an fp32 model and its int8
 * copy; cosine of each embedding kind (mean and minimum over rows) and agreement of
 * the argmax of the logits (the predicted label).
 */
import type { EmbeddingKind, Encoding } from '../../src/contracts.js';
import { createEmbedder } from '../../src/embed/index.js';

export interface KindAgreement {
  meanCosine: number;
  minCosine: number;
}

export interface QualityResult {
  rows: number;
  kinds: Partial<Record<EmbeddingKind, KindAgreement>>;
  /** Share of rows whose argmax logit is the same (when the model has logits). */
  labelAgreement?: number;
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb);
}

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i]! > v[best]!) best = i;
  return best;
}

export async function compareModels(
  fp32Dir: string,
  int8Dir: string,
  encodings: readonly Encoding[],
  opts: { threads: number; cacheDir: string },
): Promise<QualityResult> {
  const run = async (dir: string) => {
    const e = await createEmbedder(dir, { threads: opts.threads, sessions: 1, batchTokens: 1024, cacheDir: opts.cacheDir, device: 'cpu' });
    try {
      const kinds = e.info.available.filter((k) => k === 'cls' || k === 'pooled' || k === 'logits');
      return await e.embed(encodings, kinds);
    } finally {
      await e.close();
    }
  };
  const a = await run(fp32Dir);
  const b = await run(int8Dir);
  const result: QualityResult = { rows: encodings.length, kinds: {} };
  for (const kind of ['cls', 'pooled'] as const) {
    const va = a[kind];
    const vb = b[kind];
    if (!va || !vb) continue;
    let sum = 0;
    let min = Infinity;
    va.forEach((x, i) => {
      const c = cosine(x, vb[i]!);
      sum += c;
      min = Math.min(min, c);
    });
    result.kinds[kind] = { meanCosine: sum / va.length, minCosine: min };
  }
  if (a.logits && b.logits) {
    const la = a.logits;
    const lb = b.logits;
    result.labelAgreement = la.filter((x, i) => argmax(x) === argmax(lb[i]!)).length / la.length;
  }
  return result;
}
