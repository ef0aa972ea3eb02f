/**
 * Does sharing out the end of the work keep the sessions busy (src/embed/session-pool.ts,
 * batch-split.ts)? The same length-sorted micro-batches (the embedder's planner, 1,024-token
 * budget, one chunk of `pairs` bench pairs — what `score` queues for a small file) run on a
 * pool of `sessions` × 1 thread with the tail shared out and without (the pool before it:
 * depth-only prefetch, no halving), interleaved round by round, which goes first alternating.
 * Per run: wall seconds from queueing the batches to the last result, and the busy share =
 * session seconds ÷ (sessions × wall). The figure is the median per-round speed-up
 * wall(without) / wall(with), with its min–max spread.
 *
 *   npm run build && node dist/scripts/bench/busy.js [rounds=3] [pairs=512] [sessions=2] [tiny]   (BERT-base unless tiny)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { planBatches } from '../../src/embed/batcher.js';
import { clsOnlyModel } from '../../src/embed/cls-only-model.js';
import { inspectModel } from '../../src/embed/inspect.js';
import { SessionPool } from '../../src/embed/session-pool.js';
import { makeModel } from '../../src/modelgen/index.js';
import { loadTokenizer } from '../../src/tokenize/index.js';
import { loadBenchPairs } from './pairs.js';
import { formatRatio, median, summarizeRatios } from './stats.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--') && !['base', 'tiny'].includes(a));
const rounds = Number(args[0] ?? 3);
const pairCount = Number(args[1] ?? 512);
const sessions = Number(args[2] ?? 2);
const size = process.argv.includes('tiny') ? 'tiny' : 'base';
const log = (msg: string) => process.stderr.write(`[busy] ${msg}\n`);

interface Pass {
  wall: number;
  busy: number;
  runs: number;
}

async function pass(pool: SessionPool, batches: ReturnType<typeof planBatches>['batches']): Promise<Pass> {
  let busy = 0;
  const runsBefore = pool.stats.runs;
  const t0 = performance.now();
  await Promise.all(
    batches.map((b) =>
      pool.run(
        // Fresh arrays each pass: the pool transfers a running batch's arrays to its thread.
        {
          rows: b.rows.length,
          seqLen: b.seqLen,
          ids: b.ids.slice(),
          typeIds: b.typeIds.slice(),
          lengths: b.lengths.slice(),
          kinds: ['cls'],
        },
        (s) => (busy += s),
      ),
    ),
  );
  const wall = (performance.now() - t0) / 1000;
  return { wall, busy: busy / (sessions * wall), runs: pool.stats.runs - runsBefore };
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-busy-'));
  try {
    log(`make-model ${size}`);
    const dir = path.join(tmp, size);
    await makeModel({ outDir: dir, size, head: 'seqcls' });
    const inspected = await inspectModel(dir, { cacheDir: tmp });
    const copy = await clsOnlyModel(inspected, tmp);
    const modelPath = copy.path ?? inspected.modelPath;
    const tokenizer = await loadTokenizer(dir);
    const { source, pairs } = loadBenchPairs(pairCount);
    const encodings = pairs.map(([a, b]) => tokenizer.encodePair(a, b, inspected.info.maxLength));
    const { batches, paddedTokens } = planBatches(encodings, { batchTokens: 1024, padId: inspected.padId });
    const spec = { modelPath, threads: 1, executionProviders: ['cpu'], sources: inspected.info.sources, clsOnly: copy.path !== null };
    const shared = await SessionPool.start(spec, sessions, { minPieceTokens: 128 });
    const fifo = await SessionPool.start(spec, sessions, { shareTail: false });
    try {
      await pass(shared, batches.slice(0, 2)); // warm-up: first runs allocate
      await pass(fifo, batches.slice(0, 2));
      const withTail: Pass[] = [];
      const without: Pass[] = [];
      for (let r = 0; r < rounds; r++) {
        log(`round ${r + 1}/${rounds}`);
        const order = r % 2 === 0 ? ([shared, fifo] as const) : ([fifo, shared] as const);
        for (const pool of order) (pool === shared ? withTail : without).push(await pass(pool, batches));
      }
      const speedup = summarizeRatios(withTail.map((w, i) => without[i]!.wall / w.wall));
      const pct = (xs: Pass[]) => `${(median(xs.map((p) => p.busy)) * 100).toFixed(1)}%`;
      console.log(
        `${size}, ${source}, ${pairs.length} pairs, ${batches.length} micro-batches (${paddedTokens} padded tokens), ` +
          `${sessions} sessions × 1 thread, [CLS]-only last layer: ${spec.clsOnly}, ${os.availableParallelism()} cores`,
      );
      console.log(`| tail | wall s (median) | busy share (median) | session runs | `);
      console.log(`|---|---:|---:|---:|`);
      console.log(`| shared out | ${median(withTail.map((p) => p.wall)).toFixed(2)} | ${pct(withTail)} | ${withTail[0]!.runs} |`);
      console.log(
        `| not shared (FIFO, depth-only prefetch) | ${median(without.map((p) => p.wall)).toFixed(2)} | ${pct(without)} | ${without[0]!.runs} |`,
      );
      console.log(`speed-up, median per round (min–max): ${formatRatio(speedup)}`);
    } finally {
      await Promise.all([shared.close(), fifo.close()]);
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
