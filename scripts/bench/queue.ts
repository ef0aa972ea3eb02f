/**
 * Distributed-mode benchmarks, against the Redis at REDIS_URL (default
 * 127.0.0.1:6379), under a throw-away key prefix.
 *
 *   benchQueueOverhead  the real producer, chunk processor, row store and
 *                       aggregator with a no-op scorer: chunk jobs/s, i.e. the
 *                       coordination headroom one Redis gives to many hosts.
 *   benchDistributed    2 worker processes × 1 thread vs `score` in this
 *                       process with 2 sessions × 1 thread, same file, same
 *                       model, same start and end: input file → output file.
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
import { silentLogger } from '../../src/log.js';
import { makeModel } from '../../src/modelgen/index.js';
import { writeRunResults } from '../../src/run/remote.js';
import { RunClient, startWorker, submitRun } from '../../src/queue/index.js';
import { deletePrefixKeys } from '../../src/queue/redis.js';
import { writeSyntheticPairs } from '../../src/synthetic/write.js';
import { benchScore } from './score.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

const dropPrefix = (prefix: string) => deletePrefixKeys({ url: REDIS_URL }, prefix);

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
    await flow.add({
      name: 'p',
      queueName: 'parents',
      opts: { jobId: 'p' },
      children: [{ name: 's', queueName: 'children', opts: { jobId: 's', delay: 1e9 } }],
    });
    for (let i = 0; i < chunks; i += 200) {
      await children.addBulk(
        Array.from({ length: Math.min(200, chunks - i) }, (_, k) => ({
          name: 'c',
          data: { i: i + k },
          opts: { jobId: `c-${i + k}`, parent: { id: 'p', queue: parents.qualifiedName }, removeOnComplete: true },
        })),
      );
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
  fs.mkdirSync(dir, { recursive: true });
  const prefix = `bench-q-${process.pid}-${Date.now()}`;
  const modelsRoot = path.join(dir, 'models');
  if (!fs.existsSync(path.join(modelsRoot, 'demo', 'model.onnx')))
    await makeModel({ outDir: path.join(modelsRoot, 'demo'), size: 'tiny', head: 'seqcls' });
  const input = path.join(dir, `pairs-${chunks}.jsonl`);
  await writeSyntheticPairs(input, chunks);
  const target = { redis: { url: REDIS_URL }, prefix };
  const worker = await startWorker({
    ...target,
    modelsRoot,
    cacheDir: path.join(dir, 'cache'),
    concurrency: 50,
    threads: 1,
    sessions: 1,
    batchTokens: 1024,
    device: 'cpu',
    log: silentLogger(),
    stages: { runnerFor: async () => noopRunner, close: async () => undefined },
  });
  const client = await RunClient.open(target);
  try {
    const t0 = performance.now();
    const sub = await submitRun({
      ...target,
      input,
      model: 'demo',
      modelsRoot,
      cacheDir: path.join(dir, 'cache'),
      keepSeconds: 3600,
      chunkSize: 1,
      runId: 'q',
    });
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

async function stopAll(procs: ChildProcess[]): Promise<void> {
  await Promise.all(
    procs.map((p) => new Promise<void>((res) => (p.exitCode !== null ? res() : (p.once('exit', () => res()), p.kill('SIGTERM'))))),
  );
}

export interface DistributedOptions {
  workers?: number;
  /** Rows per chunk job (default: what `submit` plans for the workers alive, src/queue/chunk-plan.ts). */
  chunkSize?: number;
  /** Features computed by the workers, as `score` computes them in the local rows (default 'all'). */
  features?: string;
  cacheDir?: string;
}

/**
 * `workers` worker processes × 1 thread each score `input` with the model in
 * `modelDir` (its parent folder is the models root). A small warm-up run first
 * makes every worker load its session and WordNet — as benchScore opens its
 * stages and warms up before its clock starts. The clock then covers what local
 * `score` covers, input file to output file: `submit` (scan, read, enqueue), the
 * workers scoring, the aggregate, and the results written to `out` in input order.
 */
export async function distributedPairsPerSec(
  input: string,
  modelDir: string,
  opts: DistributedOptions & { out?: string } = {},
): Promise<{ pairsPerSec: number; rows: number; seconds: number; note: string }> {
  const workers = opts.workers ?? 2;
  const prefix = `bench-d-${process.pid}-${Date.now()}`;
  const cacheDir = opts.cacheDir ?? path.join(os.tmpdir(), 'pairscore-bench-cache');
  const modelsRoot = path.dirname(path.resolve(modelDir));
  const model = path.basename(modelDir);
  const out = opts.out ?? path.join(os.tmpdir(), `pairscore-bench-dist-${process.pid}.jsonl`);
  const env = {
    REDIS_URL,
    PAIRSCORE_PREFIX: prefix,
    PAIRSCORE_MODELS_ROOT: modelsRoot,
    PAIRSCORE_CACHE_DIR: cacheDir,
    PAIRSCORE_THREADS: '1',
    PAIRSCORE_SESSIONS: '1',
    PAIRSCORE_LOG_LEVEL: 'warn',
  };
  const procs = Array.from({ length: workers }, () => startWorkerProcess(env));
  const target = { redis: { url: REDIS_URL }, prefix };
  const client = await RunClient.open(target);
  const warmFile = path.join(os.tmpdir(), `pairscore-bench-warm-${process.pid}${path.extname(input)}`);
  try {
    const lines = fs.readFileSync(input, 'utf8').split('\n');
    fs.writeFileSync(warmFile, `${lines.slice(0, 4 * workers * 2 + 1).join('\n')}\n`);
    const common = { ...target, model, modelsRoot, cacheDir, keepSeconds: 3600, features: opts.features ?? 'all' };
    // Chunks of 2 rows, 2 per worker slot: a worker busy loading its model leaves the rest to the others.
    await submitRun({ ...common, input: warmFile, chunkSize: 2, runId: 'warm' });
    await client.wait('warm', { intervalMs: 100 });
    const t0 = performance.now();
    const sub = await submitRun({ ...common, input, ...(opts.chunkSize !== undefined ? { chunkSize: opts.chunkSize } : {}), runId: 'd' });
    // As `submit --wait` waits: status once a second, back as soon as the run ends (run-end.ts).
    const s = await client.wait('d');
    if (s.state !== 'completed') throw new Error(`distributed bench run ended ${s.state}`);
    const written = await writeRunResults(client, 'd', out);
    const seconds = (performance.now() - t0) / 1000;
    return {
      pairsPerSec: written / seconds,
      rows: written,
      seconds,
      note: `${workers} workers × 1 thread, ${sub.chunks} chunks of ${s.chunkSize}; workers seen ${s.workers.length}; submit → results file`,
    };
  } finally {
    fs.rmSync(warmFile, { force: true });
    if (opts.out === undefined) fs.rmSync(out, { force: true });
    await client.close();
    await stopAll(procs);
    await dropPrefix(prefix);
  }
}

export interface DistributedResult {
  rows: number;
  distributedPairsPerSec: number;
  localPairsPerSec: number;
  ratio: number;
}

/**
 * `workers` worker processes × 1 thread against local `score` with `workers` sessions × 1
 * thread (like for like: the same cores, the same copies of the weights), on the same file
 * and model, each timed from input file to output file (scripts/bench/score.ts).
 */
export async function benchDistributed(input: string, modelsRoot: string, model: string, workers = 2): Promise<DistributedResult> {
  const cacheDir = path.join(os.tmpdir(), 'pairscore-bench-cache');
  const local = await benchScore(input, path.join(modelsRoot, model), {
    sessions: workers,
    threads: 1,
    batchTokens: 1024,
    cacheDir,
    outFile: path.join(os.tmpdir(), `pairscore-bench-local-${process.pid}.jsonl`),
  });
  const d = await distributedPairsPerSec(input, path.join(modelsRoot, model), { workers, chunkSize: 256, cacheDir });
  return {
    rows: d.rows,
    distributedPairsPerSec: d.pairsPerSec,
    localPairsPerSec: local.pairsPerSec,
    ratio: d.pairsPerSec / local.pairsPerSec,
  };
}

/** True when the Redis at REDIS_URL answers within a second. */
export async function redisReachable(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 0, connectTimeout: 1000, lazyConnect: true, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return (await redis.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/**
 * benchQueueOverhead in a fresh Node process: a process that has just run
 * transformers.js and ONNX sessions carries a big heap whose GC slows the
 * event loop, which is not the queue's cost.
 */
export function benchQueueOverheadInChild(chunks: number): Promise<QueueOverheadResult> {
  const self = fileURLToPath(import.meta.url);
  const args = path.extname(self) === '.ts' ? ['--import', 'tsx', self] : [self];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...args, '--overhead-json', String(chunks)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`queue overhead bench exited ${code}: ${err.slice(-400)}`));
      resolve(JSON.parse(out) as QueueOverheadResult);
    });
  });
}

async function main(): Promise<void> {
  const json = process.argv.indexOf('--overhead-json');
  if (json >= 0) {
    process.stdout.write(JSON.stringify(await benchQueueOverhead(Number(process.argv[json + 1] ?? 4000))));
    return;
  }
  const chunks = Number(process.argv[2] ?? 4000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-qbench-'));
  try {
    const q = await benchQueueOverhead(chunks, dir);
    console.log(
      `queue overhead: ${q.chunks} chunk jobs, ${q.chunkJobsPerSec.toFixed(0)} chunk jobs/s end to end (submit took ${q.submitSeconds.toFixed(2)} s); bare BullMQ ${q.rawBullmqJobsPerSec.toFixed(0)} jobs/s; ratio ${(q.chunkJobsPerSec / q.rawBullmqJobsPerSec).toFixed(2)}`,
    );
    const input = path.join(dir, 'pairs-4000.jsonl');
    await writeSyntheticPairs(input, 4000);
    const d = await benchDistributed(input, path.join(dir, 'models'), 'demo');
    console.log(
      `distributed 2×1 thread: ${d.distributedPairsPerSec.toFixed(0)} pairs/s; local 2 sessions × 1 thread: ${d.localPairsPerSec.toFixed(0)} pairs/s; ratio ${d.ratio.toFixed(2)}`,
    );
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
