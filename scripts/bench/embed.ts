/**
 * Embedding benchmark: pairscore's embedder (worker sessions, length-sorted
 * micro-batches under a token budget) against raw onnxruntime-node on the main
 * thread with batches of 32 in file order — same pairs, same process, same threads.
 *
 *   node --import tsx scripts/bench/embed.ts [pairs=1024] [batchTokens=1024] [modelDir...]
 *
 * Pairs: SICK_train from ../shared (tokenized with transformers.js AutoTokenizer from
 * the model directory). Model dirs default to the shared tiny models.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer } from '@huggingface/transformers';
import ort from 'onnxruntime-node';
import type { EmbeddingKind, Encoding } from '../../src/contracts.js';
import { createEmbedder } from '../../src/embed/index.js';
import { planBatches } from '../../src/embed/batcher.js';
import type { EmbedderOptions } from '../../src/embed/types.js';
import { loadBenchPairs, sharedDir } from './pairs.js';

export interface EmbedBenchOptions extends EmbedderOptions {
  /** Required here: the bench compares fixed layouts. */
  threads: number;
  batchTokens: number;
  /** Kinds our embedder computes (default: the model's first available, e.g. cls). */
  kinds?: EmbeddingKind[];
  /** Raw ORT batch size (default 32). */
  rawBatchSize?: number;
}

/** Minimum timed duration per measurement; passes over the encodings repeat until reached. */
const MIN_MS = 1500;

async function pairsPerSecond(count: number, pass: () => Promise<void>): Promise<number> {
  let done = 0;
  const t0 = performance.now();
  do {
    await pass();
    done += count;
  } while (performance.now() - t0 < MIN_MS);
  return done / ((performance.now() - t0) / 1000);
}

export interface EmbedBenchResult {
  pairsPerSec: number;
  /** Padding tokens ÷ padded tokens of our plan. */
  paddingShare: number;
  rawOrtFileOrderPairsPerSec: number;
}

/** Raw onnxruntime-node, user's model file, file-order batches padded to their longest row. */
export async function rawOrtFileOrder(
  encodings: readonly Encoding[],
  modelDir: string,
  threads: number,
  batchSize: number,
): Promise<number> {
  const session = await ort.InferenceSession.create(path.join(modelDir, 'model.onnx'), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const runBatch = async (rows: readonly Encoding[]) => {
    const seqLen = Math.max(...rows.map((r) => r.ids.length));
    const ids = new BigInt64Array(rows.length * seqLen);
    const types = new BigInt64Array(rows.length * seqLen);
    const mask = new BigInt64Array(rows.length * seqLen);
    rows.forEach((r, i) => {
      for (let t = 0; t < r.ids.length; t++) {
        ids[i * seqLen + t] = BigInt(r.ids[t]!);
        types[i * seqLen + t] = BigInt(r.typeIds[t]!);
        mask[i * seqLen + t] = 1n;
      }
    });
    const dims = [rows.length, seqLen];
    const all: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, dims),
      attention_mask: new ort.Tensor('int64', mask, dims),
      token_type_ids: new ort.Tensor('int64', types, dims),
    };
    const feeds = Object.fromEntries(session.inputNames.map((n) => [n, all[n]!]));
    await session.run(feeds);
  };
  await runBatch(encodings.slice(0, batchSize)); // warm-up
  const rate = await pairsPerSecond(encodings.length, async () => {
    for (let i = 0; i < encodings.length; i += batchSize) await runBatch(encodings.slice(i, i + batchSize));
  });
  await session.release();
  return rate;
}

export async function benchEmbed(encodings: readonly Encoding[], modelDir: string, opts: EmbedBenchOptions): Promise<EmbedBenchResult> {
  if (encodings.length === 0) throw new Error('benchEmbed needs at least one encoding');
  const embedder = await createEmbedder(modelDir, opts);
  let pairsPerSec: number;
  try {
    const kinds = opts.kinds ?? embedder.info.available.slice(0, 1);
    await embedder.embed(encodings.slice(0, 256), kinds); // warm-up
    pairsPerSec = await pairsPerSecond(encodings.length, async () => {
      await embedder.embed(encodings, kinds);
    });
  } finally {
    await embedder.close();
  }
  // planBatches reports padding ÷ real tokens; the bench reports the share of padded tokens.
  const { paddingWaste } = planBatches(encodings, { batchTokens: opts.batchTokens, padId: 0 });
  const paddingShare = paddingWaste / (1 + paddingWaste);
  const rawOrtFileOrderPairsPerSec = await rawOrtFileOrder(encodings, modelDir, opts.threads, opts.rawBatchSize ?? 32);
  return { pairsPerSec, paddingShare, rawOrtFileOrderPairsPerSec };
}

async function tokenize(pairs: ReadonlyArray<[string, string]>, modelDir: string): Promise<Encoding[]> {
  const tokenizer = await AutoTokenizer.from_pretrained(path.resolve(modelDir), { local_files_only: true });
  return pairs.map(([a, b]) => {
    const enc = tokenizer(a, { text_pair: b, truncation: true, max_length: 512 });
    const ids = enc.input_ids.data as BigInt64Array;
    const types = (enc.token_type_ids?.data ?? new BigInt64Array(ids.length)) as BigInt64Array;
    return { ids: Int32Array.from(ids, Number), typeIds: Int32Array.from(types, Number) };
  });
}

async function main(): Promise<void> {
  const [nArg, budgetArg, ...dirArgs] = process.argv.slice(2);
  const shared = sharedDir();
  const modelDirs =
    dirArgs.length > 0 ? dirArgs : shared ? ['bert-tiny-random', 'bert-tiny-sick-seqcls'].map((m) => path.join(shared, 'models', m)) : [];
  if (modelDirs.length === 0) throw new Error('no model directory given and ../shared is absent');
  const { source, pairs } = loadBenchPairs(Number(nArg ?? 1024));
  const threads = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const batchTokens = Number(budgetArg ?? 1024);
  const cacheDir = path.join(os.tmpdir(), 'pairscore-bench-cache');
  console.log(`pairs: ${source}, ${pairs.length} used; threads ${threads}; batchTokens ${batchTokens}`);
  for (const dir of modelDirs) {
    const encodings = await tokenize(pairs, dir);
    const realTokens = encodings.reduce((s, e) => s + e.ids.length, 0);
    const result = await benchEmbed(encodings, dir, { threads, sessions: 1, batchTokens, cacheDir, device: 'cpu' });
    console.log(
      `${path.basename(dir)} (mean ${(realTokens / encodings.length).toFixed(1)} tokens): ` +
        `ours ${result.pairsPerSec.toFixed(0)} pairs/s (padding share ${(result.paddingShare * 100).toFixed(1)}%), ` +
        `raw ORT file order ×32 ${result.rawOrtFileOrderPairsPerSec.toFixed(0)} pairs/s, ` +
        `ratio ${(result.pairsPerSec / result.rawOrtFileOrderPairsPerSec).toFixed(2)}`,
    );
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
