/**
 * Strict chunk payloads: a chunk job may only write the rows its place in the
 * run holds. Refused payloads fail at once (permanent), their chunk's rows are
 * error rows, and no row outside the run is ever written. A re-submit of an
 * ended run id with another input file is refused (exit 2).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { runCli } from './helpers/cli.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from './helpers/redis.js';
import { RunClient, startWorker, submitRun } from '../src/queue/index.js';
import { chunkRange, checkChunkPayload } from '../src/queue/payload-check.js';
import { type RunSpec, type ScoreRow } from '../src/contracts.js';
import { redisNames } from '../src/queue/keys.js';
import { makeModel } from '../src/modelgen/index.js';
import { writeSyntheticPairs } from '../src/synthetic/write.js';
import { silentLogger } from '../src/log.js';
import { InputError } from '../src/errors.js';

let dir = '';
const prefixes: string[] = [];
const redis = { url: REDIS_URL };

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-payload-'));
  await makeModel({ outDir: path.join(dir, 'models', 'demo'), size: 'tiny', head: 'seqcls', seed: 42 });
  await writeSyntheticPairs(path.join(dir, 'pairs.jsonl'), 400, 5);
  await writeSyntheticPairs(path.join(dir, 'other.jsonl'), 400, 6);
});

after(async () => {
  for (const p of prefixes) await cleanPrefix(p);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const spec = { runId: 'r', chunkSize: 50, chunks: 3, input: { rows: 125, file: 'f', sha256: 'x', format: 'jsonl' } } as unknown as RunSpec;
const names = redisNames('unit');
const rowsOf = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => ({ index: from + i, id: String(from + i), premise: 'p', hypothesis: 'h' }));

test('chunkRange: chunk n holds n*chunkSize…, the last one the rest; halves split with the extra row first', () => {
  assert.deepEqual(chunkRange(spec, 0), { from: 0, to: 50 });
  assert.deepEqual(chunkRange(spec, 2), { from: 100, to: 125 });
  assert.deepEqual(chunkRange(spec, 2, 'a'), { from: 100, to: 113 });
  assert.deepEqual(chunkRange(spec, 2, 'b'), { from: 113, to: 125 });
  assert.deepEqual(chunkRange(spec, 2, 'b-a'), { from: 113, to: 119 });
});

test('checkChunkPayload accepts exactly the spec rows and refuses every mismatch with a clear reason', () => {
  checkChunkPayload(spec, names, names.chunkJobId('r', 1), { runId: 'r', chunk: 1, rows: rowsOf(50, 100) });
  checkChunkPayload(spec, names, names.chunkJobId('r', 2, 'b'), { runId: 'r', chunk: 2, part: 'b', rows: rowsOf(113, 125) });
  const refused = (id: string, data: Parameters<typeof checkChunkPayload>[3], why: RegExp) =>
    assert.throws(
      () => checkChunkPayload(spec, names, id, data),
      (e: unknown) => e instanceof InputError && why.test(e.message),
    );
  refused(names.chunkJobId('r', 2), { runId: 'r', chunk: 2, rows: rowsOf(100, 127) }, /row index 125, outside run 'r' \(125 rows: 0…124\)/);
  refused(
    names.chunkJobId('r', 1),
    { runId: 'r', chunk: 1, rows: rowsOf(51, 101) },
    /chunk 1 must hold rows 50…99 in order \(chunk size 50\), it holds 51 … 100 \(50 rows\)/,
  );
  refused(names.chunkJobId('r', 1), { runId: 'r', chunk: 1, rows: rowsOf(50, 60) }, /must hold rows 50…99/);
  refused(names.chunkJobId('r', 3), { runId: 'r', chunk: 3, rows: rowsOf(150, 160) }, /chunk 3 but run 'r' has 3 chunk/);
  refused('some-other-id', { runId: 'r', chunk: 0, rows: rowsOf(0, 50) }, /whose job id is run-r-chunk-0/);
  refused(names.chunkJobId('r', 0), { runId: 'q', chunk: 0, rows: rowsOf(0, 50) }, /names run 'q'/);
});

test('refused payloads fail at the first attempt; their rows become error rows and no field outside the run is written', async () => {
  const p = uniquePrefix('payload');
  prefixes.push(p);
  const n = redisNames(p);
  await submitRun({
    redis,
    prefix: p,
    input: path.join(dir, 'pairs.jsonl'),
    model: 'demo',
    modelsRoot: path.join(dir, 'models'),
    cacheDir: path.join(dir, 'cache'),
    keepSeconds: 3600,
    chunkSize: 50,
    runId: 'pl-1',
  });
  const u = new URL(REDIS_URL);
  const q = new Queue(n.scoreQueue, { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix: n.bullPrefix });
  const shift = async (chunk: number, by: number) => {
    const job = await Job.fromId(q, n.chunkJobId('pl-1', chunk));
    const data = job!.data as { rows: Array<{ index: number }> };
    await job!.updateData({ ...data, rows: data.rows.map((r) => ({ ...r, index: r.index + by })) });
  };
  await shift(2, 1); // 101…150: another chunk's rows
  await shift(7, 10); // 360…409: past the last row (399)
  const w = await startWorker({
    redis,
    prefix: p,
    modelsRoot: path.join(dir, 'models'),
    cacheDir: path.join(dir, 'cache'),
    concurrency: 2,
    threads: 1,
    sessions: 1,
    batchTokens: 1024,
    device: 'cpu',
    log: silentLogger(),
  });
  const client = await RunClient.open({ redis, prefix: p });
  const conn = new Redis(REDIS_URL);
  try {
    const s = await client.wait('pl-1', { timeoutMs: 60000, intervalMs: 200 });
    assert.equal(s.state, 'completed');
    assert.deepEqual(
      s.result!.failedChunks.map((f) => [f.chunk, f.firstIndex, f.rows]),
      [
        [2, 100, 50],
        [7, 350, 50],
      ],
    );
    assert.match(s.result!.failedChunks[0]!.reason, /must hold rows 100…149 in order/);
    assert.match(s.result!.failedChunks[1]!.reason, /row index 400, outside run 'pl-1' \(400 rows: 0…399\)/);
    for (const c of [2, 7]) assert.equal((await Job.fromId(q, n.chunkJobId('pl-1', c)))!.attemptsMade, 1, `chunk ${c} was not retried`);
    assert.equal(await conn.hlen(n.runRows('pl-1')), 400, 'exactly one field per input row');
    const rows: ScoreRow[] = [];
    for await (const r of client.results('pl-1')) rows.push(r);
    assert.deepEqual(
      rows.map((r) => r.index),
      Array.from({ length: 400 }, (_, i) => i),
    );
    assert.ok(rows.slice(100, 150).every((r) => /^chunk 2 failed: .*must hold rows/.test(r.error ?? '')));
    assert.ok(rows.slice(350, 400).every((r) => /^chunk 7 failed: .*outside run/.test(r.error ?? '')));
    assert.ok(rows.slice(0, 100).every((r) => r.error === undefined && r.label !== undefined));

    // The run has ended: the same id with another input file is refused (exit 2), the same file adds nothing.
    const env = {
      REDIS_URL,
      PAIRSCORE_PREFIX: p,
      PAIRSCORE_MODELS_ROOT: path.join(dir, 'models'),
      PAIRSCORE_CACHE_DIR: path.join(dir, 'cache'),
    };
    const other = await runCli(
      ['submit', path.join(dir, 'other.jsonl'), '--model', 'demo', '--run-id', 'pl-1', '--chunk-size', '50', '--wait'],
      env,
    );
    assert.equal(other.code, 2, other.stderr);
    assert.match(
      other.stderr,
      /run 'pl-1' already exists \(completed\) for another input file \(pairs\.jsonl, sha256 [0-9a-f]{12}…; this file [0-9a-f]{12}…\); use a new run id/,
    );
    const same = await runCli(['submit', path.join(dir, 'pairs.jsonl'), '--model', 'demo', '--run-id', 'pl-1', '--chunk-size', '50'], env);
    assert.equal(same.code, 0, same.stderr);
    assert.match(same.stderr, /already exists: nothing added/);
  } finally {
    conn.disconnect();
    await q.close();
    await client.close();
    await w.close();
  }
});
