/**
 * `submit --priority N` with a real worker process (concurrency 1) and a real Redis:
 * runs submitted later with a priority finish their chunks before an earlier run's,
 * the most urgent (1) first, and a run without --priority comes last (priority.ts).
 * Completion order is read from the score queue's event stream. Bad values exit 2.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { REDIS_URL } from './helpers/redis.js';
import { redisNames } from '../src/queue/keys.js';

let d: Deployment;

before(async () => {
  d = await setUpDeployment('prio', { size: 'tiny', count: 200, seed: 5 });
});

after(async () => {
  await d?.tearDown();
});

/** Run ids of the chunk jobs in the order they completed (the queue's `completed` events). */
async function completionOrder(prefix: string): Promise<string[]> {
  const redis = new Redis(REDIS_URL);
  try {
    const entries = await redis.xrange(redisNames(prefix).scoreEvents, '-', '+');
    const runs: string[] = [];
    for (const [, fields] of entries) {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
      const m = /^run-(.+)-chunk-\d+$/.exec(f.get('jobId') ?? '');
      if (f.get('event') === 'completed' && m) runs.push(m[1]!);
    }
    return runs;
  } finally {
    redis.disconnect();
  }
}

test('--priority: bad values exit 2 before anything is queued', async () => {
  for (const bad of ['-1', '1.5', 'abc', '2097151']) {
    const r = await runCli(['submit', d.pairs, '--model', 'demo', '--run-id', 'bad', '--priority', bad], d.env);
    assert.equal(r.code, 2, `--priority ${bad}: ${r.stderr}`);
    assert.match(r.stderr, /priority/);
  }
  const redis = new Redis(REDIS_URL);
  try {
    assert.equal(await redis.exists(redisNames(d.prefix).runMeta('bad')), 0, 'no run was created');
  } finally {
    redis.disconnect();
  }
});

test('later runs with a priority overtake an earlier run on one worker, the most urgent first', async () => {
  const submit = async (runId: string, chunkSize: number, priority?: number) => {
    const r = await runCli(
      [
        'submit',
        d.pairs,
        '--model',
        'demo',
        '--run-id',
        runId,
        '--chunk-size',
        String(chunkSize),
        ...(priority !== undefined ? ['--priority', String(priority)] : []),
      ],
      d.env,
    );
    assert.equal(r.code, 0, r.stderr);
  };
  // Queued before any worker runs, in this order: the big run first, the most urgent last.
  await submit('big', 20);
  await submit('soon', 40, 5);
  await submit('urgent', 40, 1);
  const w = startCli(['worker', '--concurrency', '1'], d.env);
  try {
    for (const run of ['big', 'soon', 'urgent']) {
      const r = await runCli(['status', run, '--watch', '--timeout', '120'], d.env);
      assert.equal(r.code, 0, r.stderr + w.output());
    }
    const order = await completionOrder(d.prefix);
    assert.deepEqual(order, [...Array(5).fill('urgent'), ...Array(5).fill('soon'), ...Array(10).fill('big')]);
    const s = JSON.parse((await runCli(['status', 'urgent', '--json'], d.env)).stdout) as { priority?: number; state: string };
    assert.deepEqual([s.state, s.priority], ['completed', 1]);
    const text = await runCli(['status', 'soon'], d.env);
    assert.match(text.stdout, /control +priority 5/);
  } finally {
    w.child.kill('SIGTERM');
    assert.equal(await w.exited, 0, w.output());
  }
});
