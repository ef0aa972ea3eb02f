/**
 * Distributed-mode benchmarks, against the Redis at REDIS_URL (default
 * 127.0.0.1:6379), under a throw-away key prefix.
 *
 *   benchQueueOverhead  the real producer, chunk processor, row store and
 *                       aggregator with a no-op scorer: chunk jobs/s, i.e. the
 *                       coordination headroom one Redis gives to many hosts.
 *   benchDistributed    2 worker processes × 1 thread vs `score` in this
 *                       process with 2 threads, same file, same model.
 *
 *   node dist/scripts/bench/queue.js [chunks=4000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Job, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { IngestRow, ScoreRow } from '../../src/contracts.js';
import { loadConfig } from '../../src/config.js';
import { silentLogger } from '../../src/log.js';
import { makeModel } from '../../src/modelgen/index.js';
import { openStages } from '../../src/stages.js';
import { runScore } from '../../src/run/local.js';
import { RunClient, startWorker, submitRun } from '../../src/queue/index.js';
import { writeSyntheticPairs } from '../../src/synthetic/write.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function dropPrefix(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

const noopRunner = async (rows: readonly IngestRow[]): Promise<ScoreRow[]> =>
  rows.map((r) => ({ index: r.index, id: r.id, label: 'A', probs: { A: 1, B: 0 } }));

export interface QueueOverheadResult {
  chunks: number;
  /** Chunk jobs per second from the first job added to the run aggregated. */
  chunkJobsPerSec: number;
  submitSeconds: number;
  /** The peer: bare BullMQ, the same number of no-op flow children under one parent, same concurrency. */
  rawBullmqJobsPerSec: number;
}

/** Bare BullMQ with the same shape (parent + children added in bulk, concurrency 50, no-op). */
async function rawBullmq(chunks: number): Promise<number> {
  const prefix = `{bench-raw-${process.pid}-${Date.now()}}`;
  const u = new URL(REDIS_URL);
  const connection = { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
  const flow = new FlowProducer({ connection, prefix });
  const children = new Queue('children', { connection, prefix });
  const parents = new Queue('parents', { connection, prefix });
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const w1 = new Worker('children', async () => 0, { connection, prefix, concurrency: 50 });
  const w2 = new Worker('parents', async () => done(), { connection, prefix });
  try {
    const t0 = performance.now();
    await flow.add({ name: 'p', queueName: 'parents', opts: { jobId: 'p' }, children: [{ name: 's', queueName: 'children', opts: { jobId: 's', delay: 1e9 } }] });
    for (let i = 0; i < chunks; i += 200) {
      await children.addBulk(Array.from({ length: Math.min(200, chunks - i) }, (_, k) => ({
        name: 'c', data: { i: i + k }, opts: { jobId: `c-${i + k}`, parent: { id: 'p', queue: parents.qualifiedName }, removeOnComplete: true },
      })));
    }
    await (await Job.fromId(children, 's'))!.promote();
    await finished;
    return chunks / ((performance.now() - t0) / 1000);
  } finally {
    await Promise.all([w1.close(), w2.close()]);
    await children.obliterate({ force: true });
    await parents.obliterate({ force: true });
    await Promise.all([flow.close(), children.close(), parents.close()]);
  }
}

/** One row per chunk, so the figure is about coordination, not row volume. */
export async function benchQueueOverhead(chunks = 4000, workDir?: string): Promise<QueueOverheadResult> {
  const dir = workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-qbench-'));
  const prefix = `bench-q-${process.pid}-${Date.now()}`;
  const modelsRoot = path.join(dir, 'models');
  if (!fs.existsSync(path.join(modelsRoot, 'demo', 'model.onnx'))) await makeModel({ outDir: path.join(modelsRoot, 'demo'), size: 'tiny', head: 'seqcls' });
  const input = path.join(dir, `pairs-${chunks}.jsonl`);
  await writeSyntheticPairs(input, chunks);
  const target = { redis: { url: REDIS_URL }, prefix };
  const worker = await startWorker({
    ...target, modelsRoot, cacheDir: path.join(dir, 'cache'), concurrency: 50, threads: 1, sessions: 1, batchTokens: 1024, device: 'cpu',
    log: silentLogger(), stages: { runnerFor: async () => noopRunner, close: async () => undefined },
  });
  const client = await RunClient.open(target);
  try {
    const t0 = performance.now();
    const sub = await submitRun({ ...target, input, model: 'demo', modelsRoot, cacheDir: path.join(dir, 'cache'), keepSeconds: 3600, chunkSize: 1, runId: 'q' });
    const submitSeconds = (performance.now() - t0) / 1000;
    await client.wait('q', { intervalMs: 50 });
    const seconds = (performance.now() - t0) / 1000;
    const chunkJobsPerSec = sub.chunks / seconds;
    return { chunks: sub.chunks, chunkJobsPerSec, submitSeconds, rawBullmqJobsPerSec: await rawBullmq(sub.chunks) };
  } finally {
    await client.close();
    await worker.close();
    await dropPrefix(prefix);
    if (!workDir) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function startWorkerProcess(env: NodeJS.ProcessEnv): ChildProcess {
  const self = fileURLToPath(import.meta.url);
  const ext = path.extname(self);
  const cli = path.join(path.dirname(self), '..', '..', 'src', `cli${ext}`);
  const args = ext === '.ts' ? ['--import', 'tsx', cli, 'worker'] : [cli, 'worker'];
  return spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
}

export interface DistributedResult {
  rows: number;
  distributedPairsPerSec: number;
  localPairsPerSec: number;
  ratio: number;
}

/** 2 worker processes × 1 thread against local `score` with 2 threads, on the same file and model. */
export async function benchDistributed(input: string, modelsRoot: string, model: string, workers = 2): Promise<DistributedResult> {
  const prefix = `bench-d-${process.pid}-${Date.now()}`;
  const cacheDir = path.join(os.tmpdir(), 'pairscore-bench-cache');
  const config = loadConfig({ threads: workers, cacheDir });
  const stages = await openStages({ modelDir: path.join(modelsRoot, model) }, config);
  let localPairsPerSec: number;
  try {
    const r = await runScore(stages, { input, columns: {}, out: path.join(os.tmpdir(), `pairscore-bench-local-${process.pid}.jsonl`), chunkSize: 1024, progress: false });
    localPairsPerSec = r.metrics.pairs_per_s;
  } finally {
    await stages.embedder.close();
  }
  const env = { REDIS_URL, PAIRSCORE_PREFIX: prefix, PAIRSCORE_MODELS_ROOT: modelsRoot, PAIRSCORE_CACHE_DIR: cacheDir, PAIRSCORE_THREADS: '1', PAIRSCORE_LOG_LEVEL: 'warn' };
  const procs = Array.from({ length: workers }, () => startWorkerProcess(env));
  const target = { redis: { url: REDIS_URL }, prefix };
  const client = await RunClient.open(target);
  try {
    // Let the workers load their sessions first: this measures steady-state scoring.
    await new Promise((r) => setTimeout(r, 3000));
    const sub = await submitRun({ ...target, input, model, modelsRoot, cacheDir, keepSeconds: 3600, chunkSize: 256, runId: 'd' });
    const s = await client.wait('d', { intervalMs: 100 });
    const distributedPairsPerSec = s.result?.metrics?.pairs_per_s ?? 0;
    return { rows: sub.rows, distributedPairsPerSec, localPairsPerSec, ratio: distributedPairsPerSec / localPairsPerSec };
  } finally {
    await client.close();
    await Promise.all(procs.map((p) => new Promise<void>((res) => (p.exitCode !== null ? res() : (p.once('exit', () => res()), p.kill('SIGTERM'))))));
    await dropPrefix(prefix);
  }
}

async function main(): Promise<void> {
  const chunks = Number(process.argv[2] ?? 4000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-qbench-'));
  try {
    const q = await benchQueueOverhead(chunks, dir);
    console.log(`queue overhead: ${q.chunks} chunk jobs, ${q.chunkJobsPerSec.toFixed(0)} chunk jobs/s end to end (submit took ${q.submitSeconds.toFixed(2)} s); bare BullMQ ${q.rawBullmqJobsPerSec.toFixed(0)} jobs/s; ratio ${(q.chunkJobsPerSec / q.rawBullmqJobsPerSec).toFixed(2)}`);
    const input = path.join(dir, 'pairs-4000.jsonl');
    await writeSyntheticPairs(input, 4000);
    const d = await benchDistributed(input, path.join(dir, 'models'), 'demo');
    console.log(`distributed 2×1 thread: ${d.distributedPairsPerSec.toFixed(0)} pairs/s; local 2 threads: ${d.localPairsPerSec.toFixed(0)} pairs/s; ratio ${d.ratio.toFixed(2)}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
