/**
 * How close is fp32 BERT-base to this machine's plain matmul rate? The dense fp32 matmul
 * throughput of onnxruntime-node itself on a chain of BERT-base's linear shapes, measured here,
 * divided by the FLOPs a forward pass needs (flop-count.ts), gives a pairs/s to read `score`
 * against. It was meant as a bound and is not one: `score` ran at 105% of it on 2026-11-30
 * (the model's own graph, fused by onnxruntime and [CLS]-only in its last layer, runs faster
 * per FLOP than the chain), so it is a yardstick.
 *
 * The peak: a graph built in memory — a Gather from a random table, then MATMUL_BLOCKS × the six
 * linear shapes of a BERT-base layer ([T,768]×[768,768] ×4, [T,768]×[768,3072],
 * [T,3072]×[3072,768]) as one chain, then a mean over the sequence — run through the
 * project's own SessionPool and session worker (same session options as `score`) in both
 * layouts `score` can pick: N sessions × 1 thread and 1 session × N threads, T = 32 rows × 32
 * tokens (a micro-batch at the default 1,024-token budget). GFLOP/s = 2 × multiply-adds of
 * the chain ÷ wall time over a fixed number of runs after one warm-up run per session; the
 * better layout of a round is that round's peak. The weights are random with std 1/√fan-in,
 * so activations keep unit scale down the chain (no denormals to slow it).
 *
 *   npm run build && node dist/scripts/bench/flops.js [rounds=5] [pairs=512]
 *
 * Standalone, the FLOPs per pair come from the batch plan `score` makes for one chunk of the
 * bench's pairs (planBatches, default budget); inside `npm run bench` they come from the
 * micro-batches the timed `score` run reported (scripts/bench/score.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { planBatches } from '../../src/embed/batcher.js';
import { encodeModel, onnx, type TensorProto } from '../../src/embed/onnx-model.js';
import { SessionPool } from '../../src/embed/session-pool.js';
import { defaultBatchTokens } from '../../src/embed/session-layout.js';
import { MODEL_SIZES, makeModel } from '../../src/modelgen/index.js';
import { FLOAT, GraphBuilder, INT64, attr, valueInfo } from '../../src/modelgen/onnx-writer.js';
import { fillNormal } from '../../src/modelgen/prng.js';
import { loadTokenizer } from '../../src/tokenize/index.js';
import { flopsPerPair, unpadded, type BatchShape, type BertShape } from './flop-count.js';
import { loadBenchPairs } from './pairs.js';
import { median, perRoundRatios, summarizeRatios } from './stats.js';

/** The BERT-base the bench makes (make-model base, seqcls head: 3 labels). */
export const BERT_BASE: BertShape = { ...MODEL_SIZES.base, labels: 3 };

/** Chain repeats of one layer's six linear shapes: ~57 MB of weights per session, past any cache, as BERT's are. */
const MATMUL_BLOCKS = 2;
const ROWS = 32;
const SEQ_LEN = 32;
const VOCAB = 64;
const OUTPUT = 'mean_out';

/** [in, out] of every MatMul of the chain, in order. */
function chainShapes(H: number, I: number): Array<[number, number]> {
  const layer: Array<[number, number]> = [
    [H, H],
    [H, H],
    [H, H],
    [H, H],
    [H, I],
    [I, H],
  ];
  return Array.from({ length: MATMUL_BLOCKS }, () => layer).flat();
}

/** The matmul chain as ONNX bytes, and its FLOPs per token (2 per multiply-add). */
function matmulChain(H: number, I: number): { bytes: Uint8Array; flopsPerToken: number } {
  const g = new GraphBuilder();
  const initializer: TensorProto[] = [];
  const weight = (name: string, dims: [number, number], std: number): string => {
    const data = new Float32Array(dims[0] * dims[1]);
    fillNormal(data, std, 1, name);
    initializer.push(onnx.TensorProto.create({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) }));
    return name;
  };
  let x = g.op('Gather', '/embed', [weight('table', [VOCAB, H], 1), 'input_ids']);
  let flopsPerToken = 0;
  chainShapes(H, I).forEach(([k, n], i) => {
    x = g.op('MatMul', `/chain/${i}`, [x, weight(`w${i}`, [k, n], 1 / Math.sqrt(k))]);
    flopsPerToken += 2 * k * n;
  });
  // A mean over every position: no output may be computed from the first token alone.
  g.op('ReduceMean', '/out', [x], [attr.ints('axes', [1]), attr.int('keepdims', 0)], OUTPUT);
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 14 }],
    producerName: 'pairscore bench flops',
    graph: {
      name: 'matmul_chain',
      node: g.nodes,
      initializer,
      input: [valueInfo('input_ids', INT64, ['batch_size', 'sequence_length'])],
      output: [valueInfo(OUTPUT, FLOAT, ['batch_size', H])],
    },
  });
  return { bytes: encodeModel(model), flopsPerToken };
}

export interface PeakLayout {
  label: string;
  sessions: number;
  threads: number;
}

/** What `score` picks between on `cores` cores (one layout when there is one core). */
export function peakLayouts(cores: number): PeakLayout[] {
  const many = { label: `${cores} sessions × 1 thread`, sessions: cores, threads: 1 };
  return cores > 1
    ? [many, { label: `1 session × ${cores} threads`, sessions: 1, threads: cores }]
    : [{ ...many, label: '1 session × 1 thread' }];
}

/** GFLOP/s of one layout: `runs` chain runs spread over its sessions, timed after one warm-up run per session. */
async function layoutGflops(modelPath: string, layout: PeakLayout, flopsPerRun: number): Promise<number> {
  const pool = await SessionPool.start(
    { modelPath, threads: layout.threads, executionProviders: ['cpu'], sources: { pooled: OUTPUT } },
    layout.sessions,
  );
  try {
    const batch = () => ({
      rows: ROWS,
      seqLen: SEQ_LEN,
      ids: Int32Array.from({ length: ROWS * SEQ_LEN }, (_, i) => (i * 7919) % VOCAB),
      typeIds: new Int32Array(ROWS * SEQ_LEN),
      lengths: new Int32Array(ROWS).fill(SEQ_LEN),
      kinds: ['pooled' as const],
    });
    await Promise.all(Array.from({ length: layout.sessions }, () => pool.run(batch())));
    // The same total work for every layout: ~1 s a layout at ~200 GFLOP/s.
    const runs = 8;
    const batches = Array.from({ length: runs }, batch);
    const t0 = performance.now();
    await Promise.all(batches.map((b) => pool.run(b)));
    return (runs * flopsPerRun) / ((performance.now() - t0) / 1000) / 1e9;
  } finally {
    await pool.close();
  }
}

export interface PeakRound {
  /** GFLOP/s per layout, in peakLayouts order. */
  gflops: number[];
  /** The better layout's GFLOP/s. */
  peak: number;
}

export interface MatmulPeak {
  layouts: PeakLayout[];
  /** One round over every layout; which goes first alternates by round. */
  measure(round: number): Promise<PeakRound>;
}

/** Writes the chain model into `dir` (the pools load it from a file, as `score` does). */
export function prepareMatmulPeak(dir: string, cores: number, shape: BertShape = BERT_BASE): MatmulPeak {
  const { bytes, flopsPerToken } = matmulChain(shape.hidden, shape.intermediate);
  fs.mkdirSync(dir, { recursive: true });
  const modelPath = path.join(dir, 'matmul-chain.onnx');
  fs.writeFileSync(modelPath, bytes);
  const layouts = peakLayouts(cores);
  const flopsPerRun = flopsPerToken * ROWS * SEQ_LEN;
  return {
    layouts,
    async measure(round) {
      const gflops = new Array<number>(layouts.length);
      const order = layouts.map((_, i) => i);
      if (round % 2 === 1) order.reverse();
      for (const i of order) gflops[i] = await layoutGflops(modelPath, layouts[i]!, flopsPerRun);
      return { gflops, peak: Math.max(...gflops) };
    },
  };
}

export interface FlopBoundInput {
  layouts: PeakLayout[];
  /** Per round: that round's PeakRound. */
  peaks: PeakRound[];
  /** Per round: FLOPs per pair of the default fp32 `score` run (its micro-batches as they ran). */
  flopsPerPair: number[];
  /** FLOPs per pair with no padding at all (each pair alone at its own length). */
  unpaddedFlopsPerPair: number;
  /** Per round: `score` fp32 with default flags, pairs/s. */
  score: number[];
  /** Per round: transformers.js fp32, pairs/s. */
  tjs: number[];
}

export interface FlopBound {
  /** Per round: pairs/s at that round's peak. */
  bound: number[];
  /** Per round: that rate / transformers.js fp32 (a yardstick, not a bound: see the header). */
  vsTjs: number[];
  note: string;
}

const pctRange = (xs: number[]) => {
  const s = summarizeRatios(xs);
  const p = (v: number) => `${(v * 100).toFixed(0)}%`;
  return s.rounds > 1 ? `${p(s.median)} (${p(s.min)}–${p(s.max)})` : p(s.median);
};

/** The bench row's figures: per-round rate = peak / FLOPs per pair, and what `score` and transformers.js reach of it. */
export function flopBound(input: FlopBoundInput): FlopBound {
  const peak = input.peaks.map((p) => p.peak * 1e9);
  const bound = peak.map((p, i) => p / input.flopsPerPair[i]!);
  const vsTjs = perRoundRatios(bound, input.tjs);
  const ofBound = perRoundRatios(input.score, bound);
  const perLayout = input.layouts.map((l, i) => `${l.label} ${median(input.peaks.map((p) => p.gflops[i]!)).toFixed(0)}`).join(', ');
  const gflop = median(input.flopsPerPair) / 1e9;
  const zero = median(peak) / input.unpaddedFlopsPerPair;
  const note =
    `**\`pairscore score\` fp32 default flags = ${pctRange(ofBound)} of this rate**, transformers.js fp32 = ${pctRange(perRoundRatios(input.tjs, bound))} ` +
    `(median of per-round shares, min–max). Matmul peak, median GFLOP/s: ${perLayout} (the better layout of each round is its peak). ` +
    `FLOPs per pair: ${gflop.toFixed(2)} G as run (the default run's padded micro-batches), ` +
    `${(input.unpaddedFlopsPerPair / 1e9).toFixed(2)} G with no padding (rate ${zero.toFixed(1)} pairs/s). ` +
    "Every MatMul/Gemm FLOP at the rate of a plain chain of BERT-base's linear shapes, everything else free; " +
    "not an upper bound: the model's own graph (fused by onnxruntime, [CLS]-only last layer) can run above it; informational, not a gate";
  return { bound, vsTjs, note };
}

/** The bench's shapes for BERT-base pairs: per-batch FLOPs of what ran and of no padding. */
export function pairFlops(batches: readonly BatchShape[]): number {
  return flopsPerPair(batches, BERT_BASE);
}

export function unpaddedPairFlops(lengths: readonly number[]): number {
  return flopsPerPair(unpadded(lengths), BERT_BASE);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const rounds = Number(args[0] ?? 5);
  const pairCount = Number(args[1] ?? 512);
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-bench-flops-'));
  try {
    const tinyDir = path.join(work, 'tiny');
    await makeModel({ outDir: tinyDir, size: 'tiny', head: 'seqcls' });
    const tok = await loadTokenizer(tinyDir);
    const { source, pairs } = loadBenchPairs(pairCount);
    const enc = pairs.map(([a, b]) => tok.encodePair(a, b));
    const plan = planBatches(enc, { batchTokens: defaultBatchTokens('cpu'), padId: 0 });
    const padded = pairFlops(plan.batches.map((b) => ({ rows: b.rows.length, seqLen: b.seqLen })));
    const zero = unpaddedPairFlops(enc.map((e) => e.ids.length));
    const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8');
    console.log(
      `flops: ${pairs.length} pairs of ${source}, ${plan.batches.length} micro-batches (budget ${defaultBatchTokens('cpu')}, ` +
        `padding ${(((plan.paddedTokens - plan.realTokens) / plan.paddedTokens) * 100).toFixed(1)}% of padded tokens); ` +
        `${cores} cores, ${cpu.includes('avx512_vnni') ? 'avx512_vnni' : 'no avx512_vnni'}, load average ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    const peak = prepareMatmulPeak(work, cores);
    const results: PeakRound[] = [];
    for (let r = 0; r < rounds; r++) {
      const got = await peak.measure(r);
      results.push(got);
      console.log(`round ${r + 1}: ${peak.layouts.map((l, i) => `${l.label} ${got.gflops[i]!.toFixed(1)}`).join(', ')} GFLOP/s`);
    }
    const p = median(results.map((x) => x.peak)) * 1e9;
    const perLayout = peak.layouts.map((l, i) => `${l.label} ${median(results.map((x) => x.gflops[i]!)).toFixed(1)}`).join(', ');
    const peaks = results.map((x) => x.peak);
    console.log(
      `median GFLOP/s: ${perLayout}; peak (better layout per round) ${(p / 1e9).toFixed(1)} (rounds ${Math.min(...peaks).toFixed(1)}–${Math.max(...peaks).toFixed(1)})`,
    );
    console.log(
      `BERT-base fp32: ${(padded / 1e9).toFixed(3)} GFLOP/pair as score plans it → rate ${(p / padded).toFixed(1)} pairs/s; ` +
        `${(zero / 1e9).toFixed(3)} GFLOP/pair with no padding → ${(p / zero).toFixed(1)} pairs/s`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
