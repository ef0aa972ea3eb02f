/**
 * `npm run bench [-- --quick]`: every stage against its peer, in one process, on the
 * same pairs (SICK train from ../shared when present, else the built-in generator) and
 * the same model files (made here by make-model: tiny, and base = 12×768), printed as
 * Markdown tables for the README.
 *
 *   tokenizer   pairscore WordPiece vs transformers.js AutoTokenizer (text_pair)
 *   features    all hand-crafted features, one thread; peer: the transformers.js tokenizer
 *   embed tiny  pairscore embedder vs raw onnxruntime-node in file order, batches of 32
 *   BERT-base   transformers.js (AutoTokenizer + AutoModel, batches of 32 in file order —
 *               what a Node user writes today) vs raw onnxruntime-node in file order vs
 *               `pairscore score` (the whole pipeline on a file) fp32 and int8 (`pairscore
 *               quantize`), each with 1 session × all cores and with 2 sessions × 1 thread.
 *               Rounds are interleaved; the table shows the best round and the spread of
 *               the per-round ratios against transformers.js.
 *   quality     fp32 vs int8 cosine of [CLS]/pooled (mean, min) on 512 pairs; label agreement
 *               of the SICK-tuned model's logits (../shared/models/bert-tiny-sick-seqcls)
 *   memory      peak RSS of `pairscore score` (a worker's footprint) on base fp32 and int8,
 *               against 1.5 × model size + 300 MB; `score` on a 1M-row generated file
 *               and `submit` of the same file to Redis (streams: both < 300 MB; skipped with
 *               --quick or --no-million)
 *   training    benchTrain() from scripts/bench/train.ts
 *   distributed (when Redis answers at REDIS_URL) 2 worker processes × 1 thread on the
 *               BERT-base int8 pairs, per round, against transformers.js and against
 *               local `score` int8 with 1 session × all cores; and the queue overhead:
 *               chunk jobs/s with a no-op scorer vs bare BullMQ (scripts/bench/queue.ts)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { quantizeModel } from '../src/embed/quantize.js';
import { makeModel } from '../src/modelgen/index.js';
import { loadTokenizer } from '../src/tokenize/index.js';
import { writeSyntheticPairs } from '../src/synthetic/write.js';
import { loadBenchPairs, sharedDir } from './bench/pairs.js';
import { benchTokenizer } from './bench/tokenize.js';
import { benchFeatures } from './bench/features.js';
import { benchEmbed, rawOrtFileOrder } from './bench/embed.js';
import { benchOverhead } from './bench/overhead.js';
import { benchTransformersJs } from './bench/peer.js';
import { benchScore, writePairsFile, type PairsPerSecProbe } from './bench/score.js';
import { compareModels, type QualityResult } from './bench/quality.js';
import { canMeasureRss, pairscoreRss } from './bench/rss.js';
import { benchTrain } from './bench/train.js';
import { benchQueueOverheadInChild, distributedPairsPerSec, redisReachable } from './bench/queue.js';
import { deletePrefixKeys } from '../src/queue/redis.js';

/**
 * Scale-out rows: each probe gets the BERT-base pairs file and the int8 base model
 * directory and returns pairs/s; the row is printed with its ratio to transformers.js.
 */
const DISTRIBUTED_STAGE = 'distributed int8, 2 worker processes × 1 thread';
async function scaleOutProbes(cacheDir: string): Promise<Array<{ stage: string; probe: PairsPerSecProbe }>> {
  if (!(await redisReachable())) return [];
  return [{ stage: DISTRIBUTED_STAGE, probe: (file, dir) => distributedPairsPerSec(file, dir, { workers: 2, cacheDir }) }];
}

interface Row {
  stage: string;
  ours: number;
  peerName: string;
  peer?: number;
  note?: string;
  /** Per-round ratios ours/peer (spread shown in the note). */
  ratios?: number[];
}

const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const mb = (bytes: number) => bytes / 1e6;
const max = (xs: number[]) => Math.max(...xs);
const spread = (xs: number[]) => (xs.length > 1 ? `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}×` : `${xs[0]!.toFixed(2)}×`);

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

interface Check {
  check: string;
  value: string;
  target: string;
  ok?: boolean;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const { source, pairs } = loadBenchPairs(quick ? 1000 : undefined);
  const threads = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-bench-'));
  const cacheDir = path.join(work, 'cache');
  const rows: Row[] = [];
  const checks: Check[] = [];
  const notes: string[] = [];
  try {
    // ---- tokenizer, features, embed tiny --------------------------------------------------
    const tinyDir = path.join(work, 'tiny');
    await makeModel({ outDir: tinyDir, size: 'tiny', head: 'seqcls' });

    log('tokenizer');
    const tok = await benchTokenizer(pairs, tinyDir);
    rows.push({ stage: 'tokenizer (pairs/s)', ours: tok.oursPairsPerSec, peerName: 'transformers.js AutoTokenizer', peer: tok.peerPairsPerSec });

    log('features');
    const feats = await benchFeatures(pairs);
    rows.push({
      stage: 'features, all, 1 thread (pairs/s)', ours: feats.pairsPerSec, peerName: 'transformers.js tokenizer (same pairs)', peer: tok.peerPairsPerSec,
      note: `WordNet load ${(feats.loadMs / 1000).toFixed(2)} s`,
    });

    log('embed tiny');
    const tokenizer = await loadTokenizer(tinyDir);
    const embedPairs = quick ? pairs.slice(0, 512) : pairs.slice(0, 2048);
    const tinyEnc = embedPairs.map(([a, b]) => tokenizer.encodePair(a, b));
    const emb = await benchEmbed(tinyEnc, tinyDir, { threads, sessions: 1, batchTokens: 1024, cacheDir, device: 'cpu', kinds: ['pooled'] });
    rows.push({
      stage: `embed, tiny 2×128, ${threads} threads (pairs/s)`, ours: emb.pairsPerSec, peerName: 'raw onnxruntime-node, file order ×32', peer: emb.rawOrtFileOrderPairsPerSec,
      note: `padding waste ${pct(emb.paddingWaste)}`,
    });

    log('pipeline overhead (scripts/bench/overhead.ts)');
    const ov = await benchOverhead(quick ? 5000 : 20_000);
    rows.push({ stage: `score vs raw ORT, same batches, tiny, 1×1 thread, ${ov.pairs} pairs (pairs/s)`, ours: ov.scorePairsPerSec, peerName: 'raw onnxruntime-node, same micro-batches', peer: ov.rawPairsPerSec, note: 'median of 3 interleaved rounds' });

    // ---- BERT-base: fp32 and int8 against transformers.js ---------------------------------
    const baseDir = path.join(work, 'base');
    const int8Dir = path.join(work, 'base-int8');
    log('make-model base (~440 MB)');
    const made = await makeModel({ outDir: baseDir, size: 'base', head: 'seqcls' });
    log('quantize base');
    const tq = performance.now();
    const q = await quantizeModel(baseDir, int8Dir);
    const quantizeSeconds = (performance.now() - tq) / 1000;
    notes.push(
      `quantize base: ${q.rewritten.MatMul + q.rewritten.Gemm} linear ops → ${q.op === 'dqmm' ? 'DynamicQuantizeMatMul' : 'MatMulInteger'} ` +
        `(${q.reduceRange ? '7-bit' : '8-bit'} per-column weights), ${fmt(mb(q.bytesIn))} MB → ${fmt(mb(q.bytesOut))} MB in ${quantizeSeconds.toFixed(1)} s`,
    );

    const basePairs = pairs.slice(0, quick ? 96 : 512);
    const pairsFile = path.join(work, 'base-pairs.tsv');
    writePairsFile(pairsFile, basePairs);
    const baseEnc = basePairs.map(([a, b]) => tokenizer.encodePair(a, b));
    const rounds = quick ? 1 : 2;
    const configs = [
      { sessions: 1, threads, label: `1 session × ${threads} threads` },
      ...(threads > 1 ? [{ sessions: threads, threads: 1, label: `${threads} sessions × 1 thread` }] : []),
    ];
    const tjs: number[] = [];
    const raw: number[] = [];
    const score = new Map<string, { pps: number[]; waste: number }>();
    const scaleOut = new Map<string, number[]>();
    const scaleOutNotes = new Map<string, string>();
    const probes = await scaleOutProbes(cacheDir);
    if (probes.length === 0) notes.push(`distributed rows skipped: no Redis answered at ${process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'}`);
    for (let round = 0; round < rounds; round++) {
      log(`BERT-base round ${round + 1}/${rounds}: transformers.js`);
      const peer = await benchTransformersJs(basePairs, baseDir, { threads });
      tjs.push(peer.pairsPerSec);
      if (round === 0) notes.push(`transformers.js file-order batches of 32 waste ${pct(peer.paddingWaste)} on padding`);
      log(`BERT-base round ${round + 1}/${rounds}: raw onnxruntime-node`);
      raw.push(await rawOrtFileOrder(baseEnc, baseDir, threads, 32));
      for (const [kind, dir] of [['fp32', baseDir], ['int8', int8Dir]] as const) {
        for (const c of configs) {
          log(`BERT-base round ${round + 1}/${rounds}: score ${kind}, ${c.label}`);
          const r = await benchScore(pairsFile, dir, { threads: c.threads, sessions: c.sessions, batchTokens: 1024, cacheDir, outFile: path.join(work, 'out.jsonl') });
          const key = `${kind}|${c.label}`;
          const entry = score.get(key) ?? { pps: [], waste: r.paddingWaste };
          entry.pps.push(r.pairsPerSec);
          score.set(key, entry);
        }
      }
      for (const { stage, probe } of probes) {
        log(`BERT-base round ${round + 1}/${rounds}: ${stage}`);
        const r = await probe(pairsFile, int8Dir);
        scaleOut.set(stage, [...(scaleOut.get(stage) ?? []), r.pairsPerSec]);
        if (r.note) scaleOutNotes.set(stage, r.note);
      }
    }
    const base = `BERT-base 12×768`;
    const perRound = (xs: number[]) => xs.map((x, i) => x / tjs[i]!);
    rows.push({ stage: `${base}, transformers.js fp32 (pairs/s)`, ours: max(tjs), peerName: 'transformers.js AutoTokenizer + AutoModel, file order ×32', peer: max(tjs), ratios: perRound(tjs), note: `runs ${tjs.map(fmt).join(', ')}` });
    rows.push({ stage: `${base}, raw onnxruntime-node fp32, file order ×32, ${threads} threads (pairs/s)`, ours: max(raw), peerName: 'transformers.js', peer: max(tjs), ratios: perRound(raw), note: `runs ${raw.map(fmt).join(', ')}` });
    for (const [key, v] of score) {
      const [kind, label] = key.split('|');
      rows.push({
        stage: `${base}, pairscore score ${kind}, ${label} (pairs/s)`, ours: max(v.pps), peerName: 'transformers.js', peer: max(tjs), ratios: perRound(v.pps),
        note: `runs ${v.pps.map(fmt).join(', ')}; padding waste ${pct(v.waste)}; features: all, overlapped`,
      });
    }
    for (const [stage, pps] of scaleOut) {
      rows.push({ stage: `${base}, ${stage} (pairs/s)`, ours: max(pps), peerName: 'transformers.js', peer: max(tjs), ratios: perRound(pps), note: `runs ${pps.map(fmt).join(', ')}; ${scaleOutNotes.get(stage) ?? ''}` });
    }

    const fp32Best = max(score.get(`fp32|${configs[0]!.label}`)!.pps.map((x, i) => x / tjs[i]!));
    const int8Best = max([...score].filter(([k]) => k.startsWith('int8')).flatMap(([, v]) => v.pps.map((x, i) => x / tjs[i]!)));
    checks.push({ check: 'BERT-base score fp32 / transformers.js (default config, best round)', value: `${fp32Best.toFixed(2)}×`, target: '≥ 1.5×', ok: fp32Best >= 1.5 });
    checks.push({ check: 'BERT-base score int8 / transformers.js fp32 (best config and round)', value: `${int8Best.toFixed(2)}×`, target: '≥ 3.5×', ok: int8Best >= 3.5 });
    const dist = scaleOut.get(DISTRIBUTED_STAGE);
    const localInt8 = score.get(`int8|${configs[0]!.label}`)?.pps;
    if (dist && localInt8) {
      const best = max(dist.map((x, i) => x / localInt8[i]!));
      checks.push({ check: `distributed int8 (2 workers × 1 thread) / local score int8 (${configs[0]!.label}), best round`, value: `${best.toFixed(2)}×`, target: '≥ 0.95×', ok: best >= 0.95 });
    }
    const waste = score.get(`fp32|${configs[0]!.label}`)!.waste;
    checks.push({ check: `padding waste, token budget 1,024 (${basePairs.length} pairs in one chunk)`, value: pct(waste), target: '< 5%', ok: waste < 0.05 });

    // ---- quantization quality -----------------------------------------------------------
    log('quality: base fp32 vs int8');
    const qualityEnc = pairs.slice(0, quick ? 128 : 512).map(([a, b]) => tokenizer.encodePair(a, b));
    const addQuality = (name: string, r: QualityResult) => {
      for (const [kind, k] of Object.entries(r.kinds)) {
        checks.push({ check: `${name}: ${kind} cosine fp32 vs int8, ${r.rows} pairs (mean / min)`, value: `${k.meanCosine.toFixed(4)} / ${k.minCosine.toFixed(4)}`, target: 'mean ≥ 0.99', ok: k.meanCosine >= 0.99 });
      }
    };
    addQuality('base (random weights)', await compareModels(baseDir, int8Dir, qualityEnc, { threads, cacheDir }));
    const shared = sharedDir();
    const sickModel = shared && path.join(shared, 'models', 'bert-tiny-sick-seqcls');
    if (sickModel && fs.existsSync(sickModel)) {
      log('quality: SICK-tuned tiny fp32 vs int8');
      const sickInt8 = path.join(work, 'sick-int8');
      await quantizeModel(sickModel, sickInt8);
      const sickTok = await loadTokenizer(sickModel);
      const sickEnc = pairs.slice(0, 512).map(([a, b]) => sickTok.encodePair(a, b));
      const r = await compareModels(sickModel, sickInt8, sickEnc, { threads, cacheDir });
      addQuality('bert-tiny-sick-seqcls', r);
      checks.push({ check: `bert-tiny-sick-seqcls: label agreement fp32 vs int8, ${r.rows} pairs`, value: pct(r.labelAgreement ?? 0), target: '≥ 98%', ok: (r.labelAgreement ?? 0) >= 0.98 });
    } else {
      notes.push('label agreement skipped: ../shared/models/bert-tiny-sick-seqcls is absent');
    }

    // ---- memory -------------------------------------------------------------------------
    if (canMeasureRss()) {
      // One session: the check is one copy of the weights (the default layout would hold one per core).
      const env = { PAIRSCORE_CACHE_DIR: cacheDir, PAIRSCORE_LOG_LEVEL: 'warn', PAIRSCORE_SESSIONS: '1' };
      const rssPairs = path.join(work, 'rss-pairs.tsv');
      writePairsFile(rssPairs, pairs.slice(0, 128));
      for (const [kind, dir] of [['fp32', baseDir], ['int8', int8Dir]] as const) {
        const size = mb(fs.statSync(path.join(dir, 'model.onnx')).size);
        const limit = 1.5 * size + 300;
        // `score` as run (the model's own logits, no features), then with all 30 features (+ WordNet).
        for (const features of ['none', 'all']) {
          log(`memory: score ${kind} base, features ${features}`);
          const r = await pairscoreRss(['score', rssPairs, '--model', dir, '--out', path.join(work, 'rss.jsonl'), '--no-progress', '--features', features], env);
          if (r.code !== 0) throw new Error(`score ${kind} failed: ${r.stderr.slice(-400)}`);
          checks.push({
            check: `worker peak RSS, score base ${kind} (model ${fmt(size)} MB), 1 session, features ${features}`,
            value: `${fmt(r.peakMB)} MB`,
            target: features === 'none' ? `≤ ${fmt(limit)} MB` : '(informational: WordNet adds ~140 MB)',
            ...(features === 'none' ? { ok: r.peakMB <= limit } : {}),
          });
        }
      }
      if (!quick && !process.argv.includes('--no-million')) {
        log('memory: score on 1M generated rows (tiny model; several minutes)');
        const big = path.join(work, 'million.tsv');
        await writeSyntheticPairs(big, 1_000_000);
        const r = await pairscoreRss(['score', big, '--model', tinyDir, '--out', path.join(work, 'million.jsonl'), '--no-progress'], env);
        if (r.code !== 0) throw new Error(`score on 1M rows failed: ${r.stderr.slice(-400)}`);
        checks.push({ check: `score on 1,000,000 rows (tiny model, ${fmt(1e6 / r.seconds)} pairs/s incl. start)`, value: `${fmt(r.peakMB)} MB`, target: '< 300 MB', ok: r.peakMB < 300 });
        if (probes.length > 0) {
          // No workers: the 3,907 chunk jobs only sit in Redis, then the throw-away prefix is deleted.
          log('memory: submit of 1M generated rows to Redis');
          const prefix = `bench-m-${process.pid}-${Date.now()}`;
          try {
            const sub = await pairscoreRss(['submit', big, '--model', path.basename(tinyDir), '--models-root', path.dirname(tinyDir), '--prefix', prefix], env);
            if (sub.code !== 0) throw new Error(`submit of 1M rows failed: ${sub.stderr.slice(-400)}`);
            checks.push({ check: `submit of 1,000,000 rows (${fmt(sub.seconds)} s)`, value: `${fmt(sub.peakMB)} MB`, target: '< 300 MB', ok: sub.peakMB < 300 });
          } finally {
            await deletePrefixKeys({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }, prefix);
          }
        }
        fs.rmSync(big, { force: true });
      }
    } else {
      notes.push('peak RSS skipped: /usr/bin/time is not installed');
    }

    // ---- queue overhead (scripts/bench/queue.ts) ------------------------------------------
    if (probes.length > 0) {
      // 4,000 even with --quick: a few hundred jobs would mostly time submit's fixed costs (model inspection).
      log('queue overhead: 4,000 one-row chunk jobs, no-op scorer');
      const q = await benchQueueOverheadInChild(4000);
      rows.push({
        stage: `queue overhead, no-op scorer, ${q.chunks} chunk jobs (chunk jobs/s, submit → aggregated)`, ours: q.chunkJobsPerSec,
        peerName: 'bare BullMQ, same flow shape, concurrency 50', peer: q.rawBullmqJobsPerSec, note: `submit took ${q.submitSeconds.toFixed(2)} s of it; workers, producer and client in one fresh process`,
      });
      checks.push({ check: 'queue overhead: chunk jobs/s end to end (one process, Redis on this machine)', value: fmt(q.chunkJobsPerSec), target: '≥ 2,000', ok: q.chunkJobsPerSec >= 2000 });
    }

    // ---- training (scripts/bench/train.ts) ----------------------------------------------
    log('training');
    const train = await benchTrain(quick ? { rows: 2000, epochs: 2 } : {});
    rows.push({ stage: `MLP training, ${train.rows} rows × ${train.inputs} inputs (epochs/s)`, ours: train.epochsPerSec, peerName: '', note: 'scripts/bench/train.ts' });
    notes.push(`base model: ${fmt(mb(made.bytes))} MB fp32, ${made.parameters.toLocaleString('en-US')} parameters`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }

  console.log(`\npairs: ${source}${quick ? ' (--quick)' : ''}; node ${process.version}; ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}); load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
  console.log('| stage | pairscore | peer | peer value | ratio | note |');
  console.log('|---|---:|---|---:|---:|---|');
  for (const r of rows) {
    const ratio = r.ratios ? spread(r.ratios) : r.peer ? `${(r.ours / r.peer).toFixed(2)}×` : '';
    console.log(`| ${r.stage} | ${fmt(r.ours)} | ${r.peerName} | ${r.peer ? fmt(r.peer) : ''} | ${ratio} | ${r.note ?? ''} |`);
  }
  console.log('\n| check | value | target | ok |');
  console.log('|---|---:|---|---|');
  for (const c of checks) console.log(`| ${c.check} | ${c.value} | ${c.target} | ${c.ok === undefined ? '' : c.ok ? 'yes' : '**no**'} |`);
  if (notes.length > 0) console.log(`\n${notes.map((n) => `- ${n}`).join('\n')}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
