/**
 * How result rows are stored in a run's rows hash. Score rows are small JSON.
 * Extract rows carry vectors: as JSON numbers a 768-d float32 embedding takes
 * ≈ 7–8 KB per row, as base64 float32 4 KB, and decoding gives back exactly the
 * float32 values the worker computed. Feature values are stored in the run's
 * feature order (spec.plan.features), so names are not repeated per row.
 */
import type { ExtractRow, ResultRow, RunSpec } from '../contracts.js';
import type { MetricsRow } from '../report/metrics.js';

export interface RowCodec {
  encode(row: ResultRow): string;
  decode(text: string): ResultRow;
  /** What metrics need (label, gold, error), without decoding vectors. */
  summary(text: string): MetricsRow;
}

function f32ToBase64(values: Float32Array | readonly number[]): string {
  // A Float32Array (the embedder's output, often a view into a batch) is encoded in place.
  const f = values instanceof Float32Array ? values : Float32Array.from(values);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString('base64');
}

function base64ToF32(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  // Copy: a Buffer from base64 may not start on a 4-byte boundary of its pool.
  return Array.from(new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
}

/** Stored shape of an extract row: vectors as base64 float32. */
interface StoredExtractRow {
  index: number;
  id: string;
  gold?: string;
  error?: string;
  e?: string;
  f?: string;
  l?: string;
}

const jsonCodec: RowCodec = {
  encode: (row) => JSON.stringify(row),
  decode: (text) => JSON.parse(text) as ResultRow,
  summary: (text) => JSON.parse(text) as MetricsRow,
};

function extractCodec(featureNames: readonly string[]): RowCodec {
  return {
    encode(row) {
      const r = row as ExtractRow<Float32Array | number[]>;
      const out: StoredExtractRow = { index: r.index, id: r.id };
      if (r.gold !== undefined) out.gold = r.gold;
      if (r.error !== undefined) out.error = r.error;
      if (r.embedding) out.e = f32ToBase64(r.embedding);
      if (r.features) out.f = f32ToBase64(featureNames.map((n) => r.features![n] ?? Number.NaN));
      if (r.logits) out.l = f32ToBase64(r.logits);
      return JSON.stringify(out);
    },
    decode(text) {
      const s = JSON.parse(text) as StoredExtractRow;
      const row: ExtractRow = { index: s.index, id: s.id };
      if (s.gold !== undefined) row.gold = s.gold;
      if (s.error !== undefined) row.error = s.error;
      if (s.e !== undefined) row.embedding = base64ToF32(s.e);
      if (s.f !== undefined) {
        const values = base64ToF32(s.f);
        row.features = Object.fromEntries(featureNames.map((n, i) => [n, values[i]!]));
      }
      if (s.l !== undefined) row.logits = base64ToF32(s.l);
      return row;
    },
    summary(text) {
      const s = JSON.parse(text) as StoredExtractRow;
      return { ...(s.gold !== undefined ? { gold: s.gold } : {}), ...(s.error !== undefined ? { error: s.error } : {}) };
    },
  };
}

export function rowCodecFor(spec: { plan: Pick<RunSpec['plan'], 'task' | 'features'> }): RowCodec {
  return spec.plan.task === 'extract' ? extractCodec(spec.plan.features) : jsonCodec;
}
