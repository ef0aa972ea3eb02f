/**
 * `pairscore score` as a user runs it, timed end to end on a pairs file: openStages
 * (not timed: model load, WordNet) → runScore (timed: file scan, read, tokenize,
 * embed on the worker session(s), features, classify, write), after a short warm-up.
 *
 * Sessions and threads left undefined are not passed at all: the layout is whatever
 * src/config.ts resolves for `pairscore score` with default flags (the headline rows), and
 * the result says which layout that was. The timed run's micro-batch shapes are recorded
 * through the pipeline's observer, so work counted from them (flop-count.ts) is what ran.
 */
import fs from 'node:fs';
import { loadConfig } from '../../src/config.js';
import type { OnnxEmbedder } from '../../src/embed/index.js';
import { createScorer } from '../../src/pipeline.js';
import { runScore } from '../../src/run/local.js';
import { openStages } from '../../src/stages.js';
import type { IngestRow } from '../../src/contracts.js';
import type { StageObserver } from '../../src/stage-observer.js';
import type { BatchShape } from './flop-count.js';

export interface ScoreBenchOptions {
  /** Undefined: the default src/config.ts resolves (no flag passed). */
  threads?: number;
  /** Undefined: the default src/config.ts resolves (no flag passed). */
  sessions?: number;
  batchTokens: number;
  cacheDir: string;
  /** Feature selection computed alongside (overlapping inference); default 'all'. */
  features?: string;
  outFile: string;
}

export interface ScoreBenchResult {
  pairsPerSec: number;
  rows: number;
  seconds: number;
  /** Padding tokens ÷ padded tokens of the micro-batches. */
  paddingShare: number;
  batches: number;
  /** The layout the run used (resolved by src/config.ts when not given). */
  sessions: number;
  threads: number;
  /** Rows × padded length of every micro-batch of the timed run, in the order they finished. */
  batchShapes: BatchShape[];
}

/** Writes pairs as a TSV with a premise/hypothesis header (SICK text has no tabs or newlines). */
export function writePairsFile(file: string, pairs: ReadonlyArray<readonly [string, string]>): void {
  const clean = (s: string) => s.replace(/[\t\r\n]+/g, ' ');
  fs.writeFileSync(file, ['premise\thypothesis', ...pairs.map(([a, b]) => `${clean(a)}\t${clean(b)}`)].join('\n') + '\n');
}

export async function benchScore(pairsFile: string, modelDir: string, opts: ScoreBenchOptions): Promise<ScoreBenchResult> {
  const config = loadConfig({ threads: opts.threads, sessions: opts.sessions, batchTokens: opts.batchTokens, cacheDir: opts.cacheDir });
  const stages = await openStages({ modelDir, features: opts.features ?? 'all' }, config);
  try {
    const warm: IngestRow[] = fs
      .readFileSync(pairsFile, 'utf8')
      .split('\n')
      .slice(1, 33)
      .filter((l) => l.length > 0)
      .map((l, index) => {
        const [premise = '', hypothesis = ''] = l.split('\t');
        return { index, id: String(index), premise, hypothesis };
      });
    await createScorer(stages).scoreChunk(warm);
    const embedder = stages.embedder as OnnxEmbedder;
    const before = { ...embedder.stats };
    const batchShapes: BatchShape[] = [];
    const observer: StageObserver = {
      stage: () => undefined,
      embedBatch: (b) => batchShapes.push({ rows: b.rows, seqLen: (b.realTokens + b.paddingTokens) / b.rows }),
    };
    const t0 = performance.now();
    const r = await runScore(
      { ...stages, observer },
      { input: pairsFile, columns: {}, out: opts.outFile, chunkSize: 1024, progress: false },
    );
    const seconds = (performance.now() - t0) / 1000;
    const s = embedder.stats;
    const real = s.realTokens - before.realTokens;
    const padded = s.paddedTokens - before.paddedTokens;
    return {
      pairsPerSec: r.rows / seconds,
      rows: r.rows,
      seconds,
      paddingShare: padded > 0 ? (padded - real) / padded : 0,
      batches: s.batches - before.batches,
      sessions: embedder.layout.sessions,
      threads: embedder.layout.threads,
      batchShapes,
    };
  } finally {
    await stages.embedder.close();
    fs.rmSync(opts.outFile, { force: true });
  }
}
