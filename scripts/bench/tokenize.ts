/**
 * Tokenizer benchmark: pairscore's pair tokenizer against the transformers.js tokenizer
 * (AutoTokenizer called once per pair with text_pair — what a Node user writes), on the
 * same pairs in the same process, after warming both up.
 *
 *   node --import tsx scripts/bench/tokenize.ts [modelDir]
 *
 * Pairs: SICK_train from ../shared when present, else the built-in synthetic pairs.
 * modelDir defaults to ../shared/models/bert-tiny-random.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoTokenizer, type PreTrainedTokenizer } from '@huggingface/transformers';
import { loadTokenizer, type PairTokenizer } from '../../src/tokenize/index.js';
import { loadBenchPairs, sharedDir } from './pairs.js';

export interface TokenizerBenchResult {
  pairs: number;
  oursPairsPerSec: number;
  peerPairsPerSec: number;
  /** ours / peer. */
  ratio: number;
}

/** Minimum timed duration per measurement; passes over the pairs repeat until it is reached. */
const MIN_MS = 1500;

function timeIt(pairs: Array<[string, string]>, encode: (a: string, b: string) => unknown): number {
  let done = 0;
  let sink = 0;
  const t0 = performance.now();
  let elapsed = 0;
  do {
    for (const [a, b] of pairs) if (encode(a, b) !== undefined) sink++;
    done += pairs.length;
    elapsed = performance.now() - t0;
  } while (elapsed < MIN_MS);
  if (sink !== done) throw new Error('an encoder returned nothing');
  return (done / elapsed) * 1000;
}

export async function benchTokenizer(pairs: Array<[string, string]>, modelDir: string): Promise<TokenizerBenchResult> {
  if (pairs.length === 0) throw new Error('benchTokenizer needs at least one pair');
  const ours: PairTokenizer = await loadTokenizer(modelDir);
  const peer: PreTrainedTokenizer = await AutoTokenizer.from_pretrained(path.resolve(modelDir), { local_files_only: true });
  const encodeOurs = (a: string, b: string): unknown => ours.encodePair(a, b);
  const encodePeer = (a: string, b: string): unknown => peer(a, { text_pair: b });

  const warm = pairs.slice(0, 2000);
  for (let i = 0; i < 3; i++) {
    for (const [a, b] of warm) {
      encodeOurs(a, b);
      encodePeer(a, b);
    }
  }
  // Two interleaved rounds each; the better round counts (less noise from GC and the other process).
  let oursPairsPerSec = 0;
  let peerPairsPerSec = 0;
  for (let round = 0; round < 2; round++) {
    oursPairsPerSec = Math.max(oursPairsPerSec, timeIt(pairs, encodeOurs));
    peerPairsPerSec = Math.max(peerPairsPerSec, timeIt(pairs, encodePeer));
  }
  return { pairs: pairs.length, oursPairsPerSec, peerPairsPerSec, ratio: oursPairsPerSec / peerPairsPerSec };
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
  console.log(`  ratio            ${r.ratio.toFixed(2)}×`);
  // For reference: transformers.js returning plain arrays instead of tensors (its fastest call).
  const peer = await AutoTokenizer.from_pretrained(path.resolve(modelDir), { local_files_only: true });
  const encodePlain = (a: string, b: string): unknown => peer(a, { text_pair: b, return_tensor: false });
  const plain = Math.max(timeIt(pairs, encodePlain), timeIt(pairs, encodePlain));
  console.log(`  transformers.js with return_tensor: false  ${Math.round(plain).toLocaleString('en-US')} pairs/s`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
