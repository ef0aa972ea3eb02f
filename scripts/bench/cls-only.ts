/**
 * Is a [CLS]-only last encoder layer (src/embed/cls-only-graph.ts) faster? The full derived
 * graph against the cls-only one on a BERT-base-shaped export (make-model base, seqcls head),
 * fp32 and int8 (pairscore quantize), 1 session × `threads` threads each, the same
 * length-sorted micro-batches (the embedder's planner, 1,024-token budget) fetching the same
 * outputs (last hidden state, pooled, logits — what a cls + pooled + logits run reads).
 * Interleaved per batch: within a round every batch runs on both graphs back to back (which
 * goes first alternates), so both see the same load; the figure is the median per-round
 * speed-up time(full) / time(cls-only) with its min–max spread (process CPU time beside it).
 *
 *   npm run build && node dist/scripts/bench/cls-only.js [rounds=7] [pairs=256] [threads=2] [--no-int8]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ort from 'onnxruntime-node';
import type { EmbeddingSources } from '../../src/contracts.js';
import { planBatches, type MicroBatch } from '../../src/embed/batcher.js';
import { clsOnlyGraph } from '../../src/embed/cls-only-graph.js';
import { inspectModel } from '../../src/embed/inspect.js';
import { decodeModel, encodeModel } from '../../src/embed/onnx-model.js';
import { quantizeModel } from '../../src/embed/quantize.js';
import { makeModel } from '../../src/modelgen/index.js';
import { loadTokenizer } from '../../src/tokenize/index.js';
import { loadBenchPairs } from './pairs.js';
import { summarizeRatios, formatRatio } from './stats.js';

const args = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const rounds = Number(args[0] ?? 7);
const pairCount = Number(args[1] ?? 256);
const threads = Number(args[2] ?? 2);
const withInt8 = !process.argv.includes('--no-int8');

const log = (msg: string) => process.stderr.write(`[cls-only] ${msg}\n`);

async function session(bytes: Uint8Array): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
}

function feeds(s: ort.InferenceSession, b: MicroBatch): Record<string, ort.Tensor> {
  const n = b.ids.length;
  const ids = new BigInt64Array(n);
  const types = new BigInt64Array(n);
  const mask = new BigInt64Array(n);
  const rows = b.rows.length;
  for (let r = 0; r < rows; r++) {
    for (let t = 0; t < b.seqLen; t++) {
      const i = r * b.seqLen + t;
      ids[i] = BigInt(b.ids[i]!);
      types[i] = BigInt(b.typeIds[i]!);
      mask[i] = t < b.lengths[r]! ? 1n : 0n;
    }
  }
  const dims = [rows, b.seqLen];
  const out: Record<string, ort.Tensor> = {};
  for (const name of s.inputNames) {
    out[name] = new ort.Tensor('int64', name === 'attention_mask' ? mask : name === 'token_type_ids' ? types : ids, dims);
  }
  return out;
}

interface PassTimes {
  /** Wall seconds of each graph over every batch. */
  full: number;
  cls: number;
  /** Process CPU seconds (all threads) of each graph: less sensitive to other tenants than wall time. */
  fullCpu: number;
  clsCpu: number;
}

/**
 * One round: every batch runs on both graphs back to back (which goes first alternates by
 * batch and round), so the two graphs share the machine's load second by second.
 */
async function round(
  r: number,
  sFull: ort.InferenceSession,
  sCls: ort.InferenceSession,
  batches: MicroBatch[],
  fetch: string[],
): Promise<PassTimes> {
  const t: PassTimes = { full: 0, cls: 0, fullCpu: 0, clsCpu: 0 };
  const time = async (s: ort.InferenceSession, f: Record<string, ort.Tensor>): Promise<[number, number]> => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await s.run(f, fetch);
    const c = process.cpuUsage(c0);
    return [(performance.now() - t0) / 1000, (c.user + c.system) / 1e6];
  };
  for (const [i, b] of batches.entries()) {
    const f = feeds(sFull, b);
    const order = (i + r) % 2 === 0 ? (['full', 'cls'] as const) : (['cls', 'full'] as const);
    for (const which of order) {
      const [wall, cpu] = await time(which === 'full' ? sFull : sCls, f);
      if (which === 'full') {
        t.full += wall;
        t.fullCpu += cpu;
      } else {
        t.cls += wall;
        t.clsCpu += cpu;
      }
    }
  }
  return t;
}

/** Largest |Δ| and lowest per-row cosine of each fetched output ([CLS] row of the hidden state). */
async function agreement(sFull: ort.InferenceSession, sCls: ort.InferenceSession, batches: MicroBatch[], fetch: string[]): Promise<string> {
  const worst = fetch.map(() => ({ diff: 0, cos: 1 }));
  for (const b of batches) {
    const f = feeds(sFull, b);
    const [a, c] = [await sFull.run(f, fetch), await sCls.run(f, fetch)];
    fetch.forEach((name, k) => {
      const ta = a[name]!;
      const tc = c[name]!;
      const dim = ta.dims.at(-1)!;
      const rows = b.rows.length;
      const strideA = ta.data.length / rows;
      const strideC = tc.data.length / rows;
      for (let r = 0; r < rows; r++) {
        let d = 0;
        let na = 0;
        let nc = 0;
        for (let j = 0; j < dim; j++) {
          const x = (ta.data as Float32Array)[r * strideA + j]!;
          const y = (tc.data as Float32Array)[r * strideC + j]!;
          worst[k]!.diff = Math.max(worst[k]!.diff, Math.abs(x - y));
          d += x * y;
          na += x * x;
          nc += y * y;
        }
        worst[k]!.cos = Math.min(worst[k]!.cos, d / Math.sqrt(na * nc));
      }
    });
  }
  const kind = ['cls', 'pooled', 'logits'];
  return worst.map((w, k) => `${kind[k]} max |Δ| ${w.diff.toExponential(1)}, min cosine ${w.cos.toFixed(6)}`).join('; ');
}

async function compare(label: string, modelDir: string, cacheDir: string, batches: MicroBatch[], pairs: number): Promise<void> {
  const { info, modelPath } = await inspectModel(modelDir, { cacheDir });
  const full = decodeModel(fs.readFileSync(modelPath));
  const sources: EmbeddingSources = info.sources;
  const derived = clsOnlyGraph(full, sources);
  if (derived.model === null) {
    console.log(`${label}: the graph does not match the cls-only pattern (${derived.reason}); nothing to compare`);
    return;
  }
  const fetch = [sources.lastHiddenState, sources.pooled, sources.logits].filter((n): n is string => !!n);
  const sFull = await session(fs.readFileSync(modelPath));
  const sCls = await session(encodeModel(derived.model));
  // Warm-up over every batch shape (allocator arenas, kernel selection), checking agreement on the way.
  const agree = await agreement(sFull, sCls, batches, fetch);
  console.log(`${label}: cls-only vs full on all ${pairs} pairs — ${agree}`);
  const times: PassTimes[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = await round(r, sFull, sCls, batches, fetch);
    times.push(t);
    log(
      `${label} round ${r + 1}: full ${(pairs / t.full).toFixed(1)} pairs/s, cls-only ${(pairs / t.cls).toFixed(1)} pairs/s, speed-up ${(t.full / t.cls).toFixed(3)} (cpu ${(t.fullCpu / t.clsCpu).toFixed(3)})`,
    );
  }
  await sFull.release();
  await sCls.release();
  const speedups = times.map((t) => t.full / t.cls);
  const cpuSpeedups = times.map((t) => t.fullCpu / t.clsCpu);
  const s = summarizeRatios(speedups);
  const rate = (ts: number[]) => ts.map((t) => (pairs / t).toFixed(1)).join(' ');
  console.log(`${label}: full ${rate(times.map((t) => t.full))} pairs/s`);
  console.log(`${label}: cls-only ${rate(times.map((t) => t.cls))} pairs/s`);
  console.log(`${label}: speed-up time(full)/time(cls-only) per round ${speedups.map((x) => x.toFixed(3)).join(' ')}`);
  console.log(`${label}: median ${formatRatio(s)} over ${s.rounds} rounds (${((s.median - 1) * 100).toFixed(1)}% faster at the median)`);
  console.log(`${label}: process CPU time ratio, median ${formatRatio(summarizeRatios(cpuSpeedups))}`);
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-bench-clsonly-'));
  try {
    const cacheDir = path.join(work, 'cache');
    const baseDir = path.join(work, 'base');
    log('make-model base (~440 MB)');
    await makeModel({ outDir: baseDir, size: 'base', head: 'seqcls' });
    const tok = await loadTokenizer(baseDir);
    const { source, pairs } = loadBenchPairs(pairCount);
    const plan = planBatches(
      pairs.map(([a, b]) => tok.encodePair(a, b)),
      { batchTokens: 1024, padId: 0 },
    );
    const cpu = fs.readFileSync('/proc/cpuinfo', 'utf8');
    console.log(
      `cls-only bench: ${pairs.length} pairs of ${source}, ${plan.batches.length} batches (1,024-token budget, padding waste ${(plan.paddingWaste * 100).toFixed(1)}% of real tokens), ` +
        `1 session × ${threads} threads, ${rounds} interleaved rounds; cpu ${cpu.includes('avx512_vnni') ? 'avx512_vnni' : 'no avx512_vnni'}, ${os.cpus().length} cores, loadavg ${os
          .loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
    );
    await compare('base fp32', baseDir, cacheDir, plan.batches, pairs.length);
    if (withInt8) {
      const int8Dir = path.join(work, 'base-int8');
      log('quantize base');
      await quantizeModel(baseDir, int8Dir);
      await compare('base int8', int8Dir, cacheDir, plan.batches, pairs.length);
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

await main();
