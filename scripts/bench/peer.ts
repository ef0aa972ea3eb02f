/**
 * The peer a Node user has today: transformers.js (AutoTokenizer with text_pair, then
 * AutoModel) on the same model directory, batches of 32 pairs in file order, each padded
 * to its longest pair. Same onnxruntime-node, same intra-op thread count as ours.
 */
import path from 'node:path';
import { AutoModel, AutoTokenizer, env } from '@huggingface/transformers';

export interface PeerResult {
  pairsPerSec: number;
  /** Padding tokens / real tokens of its file-order batches. */
  paddingWaste: number;
}

export async function benchTransformersJs(
  pairs: ReadonlyArray<readonly [string, string]>,
  modelDir: string,
  opts: { threads: number; batchSize?: number },
): Promise<PeerResult> {
  const batchSize = opts.batchSize ?? 32;
  env.allowRemoteModels = false;
  env.localModelPath = path.dirname(path.resolve(modelDir)) + path.sep;
  const name = path.basename(path.resolve(modelDir));
  const tokenizer = await AutoTokenizer.from_pretrained(name, { local_files_only: true });
  const model = await AutoModel.from_pretrained(name, {
    local_files_only: true,
    subfolder: '',
    model_file_name: 'model',
    dtype: 'fp32',
    session_options: { intraOpNumThreads: opts.threads, interOpNumThreads: 1 },
  });
  let real = 0;
  let padded = 0;
  const runBatch = async (batch: ReadonlyArray<readonly [string, string]>, count: boolean) => {
    const enc = tokenizer(
      batch.map((p) => p[0]),
      { text_pair: batch.map((p) => p[1]), padding: true, truncation: true },
    );
    if (count) {
      const mask = enc['attention_mask'] as { data: BigInt64Array; dims: number[] };
      padded += mask.dims[0]! * mask.dims[1]!;
      for (const v of mask.data) real += Number(v);
    }
    await model(enc);
  };
  try {
    await runBatch(pairs.slice(0, batchSize), false); // warm-up
    const t0 = performance.now();
    for (let i = 0; i < pairs.length; i += batchSize) await runBatch(pairs.slice(i, i + batchSize), true);
    const seconds = (performance.now() - t0) / 1000;
    return { pairsPerSec: pairs.length / seconds, paddingWaste: real > 0 ? (padded - real) / real : 0 };
  } finally {
    await model.dispose();
  }
}
