/**
 * At-least-once delivery, exactly-once rows: a worker process killed with
 * SIGKILL mid-run loses nothing. Its active chunks are taken over after the
 * lock expires; the accounting at the end is Jepsen-style — no row lost, none
 * duplicated, none unexpected.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunClient } from '../src/queue/index.js';
import type { ScoreRow } from '../src/contracts.js';

let deployment: Deployment | undefined;
let dir = '';
let prefix = '';
let env: NodeJS.ProcessEnv = {};

before(async () => {
  // Small micro-batches make each chunk take long enough to be killed mid-way.
  const fast = { PAIRSCORE_LOCK_MS: '2000', PAIRSCORE_BATCH_TOKENS: '64' };
  deployment = await setUpDeployment('crash', { size: 'mini', count: 3000, seed: 21, env: fast });
  ({ dir, env, prefix } = deployment);
});

after(async () => {
  await deployment?.tearDown();
});

test('a worker killed with SIGKILL mid-run: the run completes, every row exactly once', async () => {
  const sub = await runCli(['submit', path.join(dir, 'pairs.jsonl'), '--model', 'demo', '--run-id', 'crash-1', '--chunk-size', '100'], env);
  assert.equal(sub.code, 0, sub.stderr);
  const victim = startCli(['worker', '--concurrency', '2'], env);
  const survivor = startCli(['worker', '--concurrency', '2'], env);
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix });
  try {
    // Kill one worker once rows are flowing, while it holds chunks.
    for (let i = 0; i < 600; i++) {
      const s = await client.status('crash-1');
      if (s.done >= 300) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    victim.child.kill('SIGKILL');
    await victim.exited;
    const s = await client.wait('crash-1', { timeoutMs: 240000, intervalMs: 250 });
    assert.equal(s.state, 'completed', survivor.output());
    assert.equal(s.result!.failedChunks.length, 0, JSON.stringify(s.result!.failedChunks));
    const rows: ScoreRow[] = [];
    for await (const r of client.results('crash-1')) rows.push(r);
    const seen = new Map<number, number>();
    for (const r of rows) seen.set(r.index, (seen.get(r.index) ?? 0) + 1);
    const lost = Array.from({ length: 3000 }, (_, i) => i).filter((i) => !seen.has(i));
    const duplicated = [...seen].filter(([, n]) => n > 1);
    const unexpected = [...seen.keys()].filter((i) => i < 0 || i >= 3000);
    assert.deepEqual({ lost: lost.length, duplicated: duplicated.length, unexpected: unexpected.length }, { lost: 0, duplicated: 0, unexpected: 0 });
    assert.ok(rows.every((r) => r.error === undefined && r.label !== undefined));
    assert.equal(s.result!.lostRows, 0);
    assert.equal(s.workers.length, 2, 'the killed worker had taken chunks before it died');
  } finally {
    await client.close();
    survivor.child.kill('SIGTERM');
    assert.equal(await survivor.exited, 0);
  }
});
