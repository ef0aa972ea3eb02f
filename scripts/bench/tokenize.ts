/**
 * Tokenizer benchmark: pairscore's pair tokenizer against the transformers.js tokenizer given
 * its fastest documented call — `return_tensor: false` (plain arrays, no tensor building), once
 * per pair or as one batch call over a slice of pairs, whichever the warm-up measured faster —
 * on the same pairs, in the same process, timed the same way: strings in, token ids out.
 * Rounds are interleaved (ours, peer, ours, peer, …) after warming both up; the result is the
 * median of each side and of the per-round ratios (scripts/bench/stats.ts).
 *
 *   node dist/scripts/bench/tokenize.js [modelDir]
 *
 * Pairs: SICK_train from ../shared when present, else the built-in synthetic pairs.
 * modelDir defaults to ../shared/models/bert-tiny-random.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { loadTokenizer, type PairTokenizer } from '../../src/tokenize/index.js';
import { loadBenchPairs, sharedDir } from './pairs.js';
import { median, perRoundRatios, summarizeRatios, type RatioSummary } from './stats.js';

export interface TokenizerBenchResult {
  pairs: number;
  /** Medians over the rounds. */
  oursPairsPerSec: number;
  peerPairsPerSec: number;
  /** ours / peer per round: median and spread. */
  ratio: RatioSummary;
  /** The transformers.js call that was timed. */
  peerCall: string;
}

/** Minimum timed duration per measurement; passes over the pairs repeat until it is reached. */
const MIN_MS = 1500;
/** Pairs per transformers.js batch call. */
const PEER_BATCH = 256;

type Pass = (pairs: Array<[string, string]>) => number;

function timeIt(pairs: Array<[string, string]>, pass: Pass, minMs = MIN_MS): number {
  let done = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    if (pass(pairs) !== pairs.length) throw new Error('an encoder returned the wrong number of rows');
    done += pairs.length;
    elapsed = performance.now() - t0;
  } while (elapsed < minMs);
  return (done / elapsed) * 1000;
}

export async function benchTokenizer(
  pairs: Array<[string, string]>,
  modelDir: string,
  opts: { rounds?: number } = {},
): Promise<TokenizerBenchResult> {
  if (pairs.length === 0) throw new Error('benchTokenizer needs at least one pair');
  const rounds = opts.rounds ?? 3;
  const ours: PairTokenizer = await loadTokenizer(modelDir);
  const peer: PreTrainedTokenizer = await AutoTokenizer.from_pretrained(path.resolve(modelDir), { local_files_only: true });
  const oursPass: Pass = (ps) => {
    let n = 0;
    for (const [a, b] of ps) if (ours.encodePair(a, b).ids.length > 0) n++;
    return n;
  };
  const peerSingle: Pass = (ps) => {
    let n = 0;
    for (const [a, b] of ps) if (peer(a, { text_pair: b, return_tensor: false }) !== undefined) n++;
    return n;
  };
  const peerBatch: Pass = (ps) => {
    let n = 0;
    for (let i = 0; i < ps.length; i += PEER_BATCH) {
      const slice = ps.slice(i, i + PEER_BATCH);
      const enc = peer(
        slice.map((p) => p[0]),
        { text_pair: slice.map((p) => p[1]), return_tensor: false },
      );
      n += (enc['input_ids'] as unknown[]).length;
    }
    return n;
  };

  const warm = pairs.slice(0, 2000);
  for (let i = 0; i < 3; i++) {
    oursPass(warm);
    peerSingle(warm);
    peerBatch(warm);
  }
  // The peer's faster call, measured on the warm-up pairs.
  const single = timeIt(warm, peerSingle, 500);
  const batch = timeIt(warm, peerBatch, 500);
  const peerPass = batch > single ? peerBatch : peerSingle;
  const peerCall = batch > single ? `batch calls of ${PEER_BATCH}, return_tensor: false` : 'one call per pair, return_tensor: false';

  const oursRuns: number[] = [];
  const peerRuns: number[] = [];
  for (let round = 0; round < rounds; round++) {
    oursRuns.push(timeIt(pairs, oursPass));
    peerRuns.push(timeIt(pairs, peerPass));
  }
  return {
    pairs: pairs.length,
    oursPairsPerSec: median(oursRuns),
    peerPairsPerSec: median(peerRuns),
    ratio: summarizeRatios(perRoundRatios(oursRuns, peerRuns)),
    peerCall,
  };
}

async function main(): Promise<void> {
  const shared = sharedDir();
  const modelDir = process.argv[2] ?? (shared && path.join(shared, 'models', 'bert-tiny-random'));
  if (modelDir === undefined) {
    console.log('no model directory: pass one as the first argument (../shared is absent)');
    return;
  }
  const { source, pairs } = loadBenchPairs();
  const r = await benchTokenizer(pairs, modelDir);
  console.log(`tokenizer bench — ${source}, model ${modelDir}`);
  console.log(`  pairscore        ${Math.round(r.oursPairsPerSec).toLocaleString('en-US')} pairs/s`);
  console.log(`  transformers.js  ${Math.round(r.peerPairsPerSec).toLocaleString('en-US')} pairs/s`);
  console.log(
    `  ratio            ${r.ratio.median.toFixed(2)}× (rounds ${r.ratio.min.toFixed(2)}–${r.ratio.max.toFixed(2)}×); peer call: ${r.peerCall}`,
  );
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
