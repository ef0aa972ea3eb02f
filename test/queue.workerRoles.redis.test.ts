/**
 * Worker roles with real `pairscore worker` processes on the shared Redis (a unique prefix):
 * a `--no-score` worker takes no chunk job, yet it is the one that aggregates the run
 * once `--no-aggregate` workers have scored every chunk (the compose `aggregator` service).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { freePort } from './helpers/redis.js';
import { get, sample } from './helpers/ops-http.js';

const ROWS = 60;
const CHUNK = 20;
let deployment: Deployment | undefined;
const children: Array<ReturnType<typeof startCli>> = [];

before(async () => {
  deployment = await setUpDeployment('roles', { size: 'tiny', count: ROWS, seed: 21 });
});

after(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await deployment?.tearDown();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startReadyWorker(args: string[]): Promise<{ w: ReturnType<typeof startCli>; port: number }> {
  const port = await freePort();
  const w = startCli(['worker', ...args, '--metrics-port', String(port)], deployment!.env);
  children.push(w);
  const deadline = Date.now() + 30000;
  while ((await get(port, '/readyz')).status !== 200) {
    assert.ok(Date.now() < deadline, `worker ${args.join(' ')} not ready\n${w.output()}`);
    await sleep(100);
  }
  return { w, port };
}

interface StatusJson {
  state: string;
  done: number;
  rows: number;
  workers: string[];
  failedChunks: number;
}

async function status(runId: string): Promise<StatusJson> {
  const r = await runCli(['status', runId, '--json'], deployment!.env);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as StatusJson;
}

test('--no-score takes no chunk job but aggregates the run the --no-aggregate workers scored', { timeout: 120000 }, async () => {
  const { env, pairs } = deployment!;
  const aggregator = await startReadyWorker(['--no-score']);

  const submit = await runCli(['submit', pairs, '--model', 'demo', '--run-id', 'roles-run', '--chunk-size', String(CHUNK)], env);
  assert.equal(submit.code, 0, submit.stderr);
  // Long enough for a worker polling the score queue to have taken a chunk, were it to take one.
  await sleep(3000);
  const waiting = await status('roles-run');
  assert.equal(waiting.done, 0, `no chunk scored by a --no-score worker: ${JSON.stringify(waiting)}`);
  assert.notEqual(waiting.state, 'completed');

  const scorer = await startReadyWorker(['--no-aggregate']);
  const watched = await runCli(['status', 'roles-run', '--watch', '--timeout', '90'], env);
  assert.equal(watched.code, 0, `${watched.stderr}\n${aggregator.w.output()}\n${scorer.w.output()}`);
  const done = await status('roles-run');
  assert.equal(done.state, 'completed');
  assert.equal(done.done, ROWS);
  assert.equal(done.failedChunks, 0);
  // Only the scorer wrote chunks; the run ended, so the only process that takes aggregate jobs ran it.
  assert.ok(done.workers.length === 1 && done.workers[0]!.includes(`-${scorer.w.child.pid}-`), JSON.stringify(done.workers));

  const aggMetrics = (await get(aggregator.port, '/metrics')).body;
  assert.equal(sample(aggMetrics, 'pairscore_chunks_total{task="score",outcome="ok"}'), 0, aggMetrics);
  assert.match(aggMetrics, /^pairscore_worker_info\{version="[^"]+",device="none",provider="none"\} 1$/m, 'an aggregator loads no device');
  assert.equal(sample(aggMetrics, 'pairscore_sessions'), 0);
  const scoreMetrics = (await get(scorer.port, '/metrics')).body;
  assert.equal(sample(scoreMetrics, 'pairscore_chunks_total{task="score",outcome="ok"}'), ROWS / CHUNK);

  for (const { w } of [aggregator, scorer]) {
    w.child.kill('SIGTERM');
    assert.equal(await w.exited, 0, w.output());
  }
});
