/**
 * `npm run bench [-- --quick]`: every stage against its peer, in one process,
 * on the same pairs (SICK train from ../shared when present, else the built-in
 * generator), printed as a Markdown table for the README.
 *
 *   tokenizer   pairscore WordPiece vs transformers.js AutoTokenizer (text_pair)
 *   features    all hand-crafted features, one thread (target ≥ 20k pairs/s per core);
 *               peer: the transformers.js tokenizer, i.e. features cost vs. merely tokenizing
 *   embed       pairscore embedder (token-budget batches, worker thread) vs raw
 *               onnxruntime-node in file order, batches of 32, on a make-model tiny export
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeModel } from '../src/modelgen/index.js';
import { loadTokenizer } from '../src/tokenize/index.js';
import { loadBenchPairs } from './bench/pairs.js';
import { benchTokenizer } from './bench/tokenize.js';
import { benchFeatures } from './bench/features.js';
import { benchEmbed } from './bench/embed.js';

interface Row {
  stage: string;
  ours: number;
  peerName: string;
  peer?: number;
  note?: string;
}

const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const { source, pairs } = loadBenchPairs(quick ? 1000 : undefined);
  const threads = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-bench-'));
  const rows: Row[] = [];
  try {
    const modelDir = path.join(work, 'tiny');
    await makeModel({ outDir: modelDir, size: 'tiny', head: 'seqcls' });

    const tok = await benchTokenizer(pairs, modelDir);
    rows.push({ stage: 'tokenizer (pairs/s)', ours: tok.oursPairsPerSec, peerName: 'transformers.js AutoTokenizer', peer: tok.peerPairsPerSec });

    const feats = await benchFeatures(pairs);
    rows.push({
      stage: 'features, all, 1 thread (pairs/s)', ours: feats.pairsPerSec, peerName: 'transformers.js tokenizer (same pairs)', peer: tok.peerPairsPerSec,
      note: `WordNet load ${(feats.loadMs / 1000).toFixed(2)} s`,
    });

    const tokenizer = await loadTokenizer(modelDir);
    const embedPairs = quick ? pairs.slice(0, 512) : pairs.slice(0, 2048);
    const encodings = embedPairs.map(([a, b]) => tokenizer.encodePair(a, b));
    const emb = await benchEmbed(encodings, modelDir, {
      threads, sessions: 1, batchTokens: 1024, cacheDir: path.join(work, 'cache'), device: 'cpu', kinds: ['pooled'],
    });
    rows.push({
      stage: `embed, tiny 2×128, ${threads} threads (pairs/s)`, ours: emb.pairsPerSec, peerName: 'raw onnxruntime-node, file order ×32', peer: emb.rawOrtFileOrderPairsPerSec,
      note: `padding waste ${(emb.paddingWaste * 100).toFixed(1)}%`,
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  console.log(`\npairs: ${source}${quick ? ' (--quick)' : ''}; node ${process.version}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'})\n`);
  console.log('| stage | pairscore | peer | peer value | ratio | note |');
  console.log('|---|---:|---|---:|---:|---|');
  for (const r of rows) {
    const ratio = r.peer ? `${(r.ours / r.peer).toFixed(2)}×` : '';
    console.log(`| ${r.stage} | ${fmt(r.ours)} | ${r.peerName} | ${r.peer ? fmt(r.peer) : ''} | ${ratio} | ${r.note ?? ''} |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
