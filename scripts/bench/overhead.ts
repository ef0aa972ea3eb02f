/**
 * Pipeline overhead: `pairscore score` on a tiny model (2 × 128, where inference is cheap
 * and everything around it shows) against raw onnxruntime-node running the very same
 * micro-batches, in the same process and run. The ratio pairscore / raw is the share of
 * the inference floor the whole pipeline keeps (scan, read, tokenize, batch, threads,
 * softmax, write); it can exceed 1 only through overlap. Both use 1 session × 1 thread.
 * Three interleaved rounds; medians.
 *
 *   node dist/scripts/bench/overhead.js [pairs=20000]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { planBatches } from '../../src/embed/batcher.js';
import { makeModel } from '../../src/modelgen/index.js';
import { generatePairs } from '../../src/synthetic/pairs.js';
import { writeSyntheticPairs } from '../../src/synthetic/write.js';
import { loadTokenizer } from '../../src/tokenize/index.js';
import { benchScore } from './score.js';

export interface OverheadResult {
  pairs: number;
  scorePairsPerSec: number;
  rawPairsPerSec: number;
  /** scorePairsPerSec / rawPairsPerSec (medians). */
  ratio: number;
  rounds: Array<{ score: number; raw: number }>;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Raw ORT on the embedder's own micro-batches (1,024-token budget), feeds built before the clock starts. */
async function rawRunner(modelDir: string, pairs: number): Promise<{ run: () => Promise<number>; close: () => Promise<void> }> {
  const tokenizer = await loadTokenizer(modelDir);
  const encodings = [...generatePairs(pairs)].map((p) => tokenizer.encodePair(p.premise, p.hypothesis, 512));
  const plan = planBatches(encodings, { batchTokens: 1024, padId: 0 });
  const session = await ort.InferenceSession.create(path.join(modelDir, 'model.onnx'), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const feeds = plan.batches.map((b) => {
    const dims = [b.rows.length, b.seqLen];
    const mask = new BigInt64Array(b.ids.length);
    b.lengths.forEach((len, r) => mask.fill(1n, r * b.seqLen, r * b.seqLen + len));
    const all: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(b.ids, BigInt), dims),
      attention_mask: new ort.Tensor('int64', mask, dims),
      token_type_ids: new ort.Tensor('int64', BigInt64Array.from(b.typeIds, BigInt), dims),
    };
    return Object.fromEntries(session.inputNames.map((n) => [n, all[n]!]));
  });
  await session.run(feeds[0]!); // warm-up
  return {
    async run() {
      const t0 = performance.now();
      for (const f of feeds) await session.run(f);
      return pairs / ((performance.now() - t0) / 1000);
    },
    close: () => session.release(),
  };
}

export async function benchOverhead(pairs = 20_000, rounds = 3): Promise<OverheadResult> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-overhead-'));
  try {
    const modelDir = path.join(work, 'model');
    await makeModel({ outDir: modelDir, size: 'tiny', head: 'seqcls' });
    const pairsFile = path.join(work, 'pairs.tsv');
    await writeSyntheticPairs(pairsFile, pairs);
    const raw = await rawRunner(modelDir, pairs);
    const results: OverheadResult['rounds'] = [];
    try {
      for (let i = 0; i < rounds; i++) {
        const s = await benchScore(pairsFile, modelDir, {
          threads: 1,
          sessions: 1,
          batchTokens: 1024,
          cacheDir: path.join(work, 'cache'),
          features: 'none',
          outFile: path.join(work, 'out.jsonl'),
        });
        results.push({ score: s.pairsPerSec, raw: await raw.run() });
      }
    } finally {
      await raw.close();
    }
    const score = median(results.map((r) => r.score));
    const rawPps = median(results.map((r) => r.raw));
    return { pairs, scorePairsPerSec: score, rawPairsPerSec: rawPps, ratio: score / rawPps, rounds: results };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchOverhead(Number(process.argv[2] ?? 20_000));
  const f = (n: number) => n.toFixed(0);
  console.log(`pairs ${r.pairs}, tiny 2×128, 1 session × 1 thread, 1,024-token batches`);
  for (const [i, x] of r.rounds.entries())
    console.log(
      `round ${i + 1}: score ${f(x.score)} pairs/s, raw onnxruntime-node ${f(x.raw)} pairs/s, ratio ${(x.score / x.raw).toFixed(3)}`,
    );
  console.log(`median: score ${f(r.scorePairsPerSec)} pairs/s, raw ${f(r.rawPairsPerSec)} pairs/s, pairscore/raw ${r.ratio.toFixed(3)}`);
}
