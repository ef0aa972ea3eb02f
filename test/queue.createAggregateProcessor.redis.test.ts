/**
 * The aggregate step's error paths, on the real Redis with real workers:
 * an aggregate attempt that fails (retryably) is retried and the run completes;
 * rows with no result at aggregation become error rows and make `submit --wait`
 * exit 1; `results` of a run that has not finished exits 1 naming the missing
 * rows, and `--partial` writes what exists.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { runCli, startCli } from './helpers/cli.js';
import { QueueFixture } from './helpers/queue-fixture.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunClient, submitRun } from '../src/queue/index.js';
import { type ResultRow } from '../src/contracts.js';
import { redisNames } from '../src/queue/keys.js';

let fx: QueueFixture;
const redis = { url: REDIS_URL };

before(async () => {
  fx = await QueueFixture.create('aggr');
});

after(async () => {
  await fx?.tearDown();
});

/** Events of a BullMQ queue's stream, oldest first, as field maps. */
async function queueEvents(prefix: string, queue: string): Promise<Array<Record<string, string>>> {
  const conn = new Redis(REDIS_URL);
  try {
    const entries = await conn.xrange(`${redisNames(prefix).bullPrefix}:${queue}:events`, '-', '+');
    return entries.map(([, fields]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) o[fields[i]!] = fields[i + 1]!;
      return o;
    });
  } finally {
    conn.disconnect();
  }
}

async function untilScored(client: RunClient, runId: string, rows: number): Promise<void> {
  const deadline = Date.now() + 60000;
  while ((await client.store.rowCount(runId)) < rows) {
    assert.ok(Date.now() < deadline, 'chunks were not scored');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('an aggregate that fails once is retried: the run completes, the aggregate job made 2 attempts', async () => {
  const p = fx.prefix('aggretry');
  await submitRun(fx.submitOpts(p, { runId: 'ar-1' }));
  const lines: Array<{ msg?: string; attempt?: number; run?: string }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as (typeof lines)[number]) });
  const w = await fx.worker(p, { testAggregateFailures: 1, log });
  const client = await RunClient.open({ redis, prefix: p });
  try {
    const s = await client.wait('ar-1', { timeoutMs: 60000, intervalMs: 100 });
    assert.equal(s.state, 'completed', s.result?.reason);
    assert.equal(s.result!.failedChunks.length, 0);
    assert.equal(s.result!.lostRows, 0);
    // The first attempt failed (BullMQ put the job back, delayed: its backoff), the second aggregated.
    const names = redisNames(p);
    const events = (await queueEvents(p, names.aggregateQueue)).filter((e) => e.jobId === names.aggregateJobId('ar-1'));
    assert.equal(events.filter((e) => e.event === 'active').length, 2, JSON.stringify(events));
    assert.equal(events.filter((e) => e.event === 'delayed').length, 1, JSON.stringify(events));
    assert.equal(events.filter((e) => e.event === 'completed').length, 1, JSON.stringify(events));
    const aggregated = lines.filter((l) => l.msg === 'run aggregated' && l.run === 'ar-1');
    assert.deepEqual(
      aggregated.map((l) => l.attempt),
      [2],
      JSON.stringify(lines.filter((l) => l.run === 'ar-1')),
    );
    let n = 0;
    for await (const r of client.results('ar-1')) {
      assert.equal(r.index, n++);
      assert.equal(r.error, undefined);
    }
    assert.equal(n, 400);
  } finally {
    await client.close();
    await w.close();
  }
});

test('rows with no result at aggregation become error rows "no result for row N", the run reports lost rows, submit --wait exits 1; results exits 1 until --partial', async () => {
  const p = fx.prefix('lost');
  const env = { REDIS_URL, PAIRSCORE_PREFIX: p, PAIRSCORE_MODELS_ROOT: fx.modelsRoot, PAIRSCORE_CACHE_DIR: path.join(fx.dir, 'cache') };
  await submitRun(fx.submitOpts(p, { runId: 'lost-1' }));
  const client = await RunClient.open({ redis, prefix: p });
  try {
    const scorer = await fx.worker(p, { aggregate: false });
    await untilScored(client, 'lost-1', 400);
    await scorer.close();
    // Two stored rows vanish before the aggregate runs (e.g. deleted by hand).
    const conn = new Redis(REDIS_URL);
    await conn.hdel(redisNames(p).runRows('lost-1'), '7', '321');
    conn.disconnect();

    // Results of the unfinished run (no aggregator yet): exit 1, naming the missing rows; nothing written.
    const out = path.join(fx.dir, 'lost.jsonl');
    const early = await runCli(['results', 'lost-1', '--out', out], env);
    assert.equal(early.code, 1, early.stderr);
    assert.match(early.stderr, /run lost-1 is (running|queued), not completed: 2 of 400 input rows are missing/);
    assert.ok(!fs.existsSync(out));
    const partial = await runCli(['results', 'lost-1', '--out', out, '--partial'], env);
    assert.equal(partial.code, 0, partial.stderr);
    assert.match(partial.stderr, /2 of 400 input rows are missing/);
    const partialRows = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ResultRow);
    assert.equal(partialRows.length, 398);
    fs.rmSync(out);

    // submit --wait on the same run id waits for it; an aggregate-only worker then finishes it.
    const waiting = startCli(
      ['submit', fx.pairs, '--model', 'demo', '--run-id', 'lost-1', '--chunk-size', '50', '--wait', '--timeout', '60'],
      env,
    );
    const aggregator = await fx.worker(p, { score: false });
    try {
      const code = await waiting.exited;
      assert.equal(code, 1, waiting.output());
      assert.match(waiting.output(), /lost/);
    } finally {
      await aggregator.close();
    }
    const s = await client.status('lost-1');
    assert.equal(s.state, 'completed');
    assert.equal(s.result!.lostRows, 2);
    const rows: ResultRow[] = [];
    for await (const r of client.results('lost-1', { partial: true })) rows.push(r);
    assert.deepEqual(
      rows.map((r) => r.index),
      Array.from({ length: 400 }, (_, i) => i),
    );
    assert.deepEqual(
      rows.filter((r) => r.error !== undefined).map((r) => [r.index, r.error]),
      [
        [7, 'no result for row 7 (chunk 0)'],
        [321, 'no result for row 321 (chunk 6)'],
      ],
    );
    const final = await runCli(['results', 'lost-1', '--out', out], env);
    assert.equal(final.code, 1, final.stderr);
    assert.match(final.stderr, /run lost-1 completed with 0 failed chunks and 2 lost rows: 2 of 400 input rows are error rows/);
    assert.ok(!fs.existsSync(out));
  } finally {
    await client.close();
  }
});
