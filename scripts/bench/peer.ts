/**
 * The peer a Node user has today: transformers.js (AutoTokenizer with text_pair, then
 * AutoModel) on the same model directory, batches of 32 pairs in file order, each padded
 * to its longest pair. Same onnxruntime-node, same intra-op thread count as ours.
 *
 * `dtype: 'q8'` is transformers.js' own convention for an int8 model: it loads
 * `model_quantized.onnx` from the folder. `int8PeerDir` lays out such a folder whose
 * `model_quantized.onnx` is a symlink to pairscore's int8 `model.onnx`, so both sides run the
 * very same int8 file (like for like), not two different quantizations.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AutoModel, AutoTokenizer, env } from '@huggingface/transformers';

export interface PeerResult {
  pairsPerSec: number;
  /** Padding share of its file-order batches: padding tokens ÷ padded (real + padding) tokens. */
  paddingShare: number;
}

export async function benchTransformersJs(
  pairs: ReadonlyArray<readonly [string, string]>,
  modelDir: string,
  opts: { threads: number; batchSize?: number; dtype?: 'fp32' | 'q8' },
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
    dtype: opts.dtype ?? 'fp32',
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
    return { pairsPerSec: pairs.length / seconds, paddingShare: padded > 0 ? (padded - real) / padded : 0 };
  } finally {
    await model.dispose();
  }
}

/**
 * A transformers.js-style folder for the int8 model in `int8Dir`: every file symlinked, with
 * `model.onnx` appearing as `model_quantized.onnx` (what `dtype: 'q8'` loads). Returns the folder.
 */
export function int8PeerDir(int8Dir: string, outDir: string): string {
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of fs.readdirSync(int8Dir)) {
    const target = path.resolve(int8Dir, name);
    if (!fs.statSync(target).isFile()) continue;
    const link = path.join(outDir, name === 'model.onnx' ? 'model_quantized.onnx' : name);
    fs.rmSync(link, { force: true });
    fs.symlinkSync(target, link);
  }
  return outDir;
}
