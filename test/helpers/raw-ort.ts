/**
 * An oracle that shares no code with src/embed: a plain onnxruntime-node session on a model's
 * own model.onnx, one pair at a time (no padding, no batching, no graph surgery), returning the
 * graph's `logits` output as it is.
 */
import { createRequire } from 'node:module';

type Ort = typeof import('onnxruntime-node');
const ort = createRequire(import.meta.url)('onnxruntime-node') as Ort;

export async function rawLogits(
  modelFile: string,
  encodings: ReadonlyArray<{ ids: ArrayLike<number>; typeIds: ArrayLike<number> }>,
): Promise<number[][]> {
  const session = await ort.InferenceSession.create(modelFile, { intraOpNumThreads: 1 });
  try {
    const out: number[][] = [];
    for (const e of encodings) {
      const n = e.ids.length;
      const i64 = (xs: ArrayLike<number>) => new ort.Tensor('int64', BigInt64Array.from(Array.from(xs, (x) => BigInt(x))), [1, n]);
      const res = await session.run({
        input_ids: i64(e.ids),
        attention_mask: i64(new Array<number>(n).fill(1)),
        token_type_ids: i64(e.typeIds),
      });
      out.push(Array.from(res['logits']!.data as Float32Array));
    }
    return out;
  } finally {
    await session.release();
  }
}

export function softmax(xs: readonly number[]): number[] {
  const m = Math.max(...xs);
  const e = xs.map((x) => Math.exp(x - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}
