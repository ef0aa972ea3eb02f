/**
 * A worker's operations port, scraped over HTTP from real `pairscore worker`
 * processes: /metrics counts exactly the rows a real run scored, /healthz and
 * /readyz answer during the run, and /readyz turns 503 (with its reason) when the
 * worker's Redis — a private redis-server, never the shared one — stops.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { cleanPrefix, freePort, REDIS_URL, startPrivateRedis, uniquePrefix, type PrivateRedis } from './helpers/redis.js';
import { pairscoreVersion } from '../src/version.js';
import { startWorker as startWorkerInProcess } from '../src/queue/worker.js';
import { silentLogger } from '../src/log.js';
import { loadTokenizer } from '../src/tokenize/index.js';
import fs from 'node:fs';
import path from 'node:path';
import { get, sample } from './helpers/ops-http.js';

const ROWS = 130;
const CHUNK = 25;
let deployment: Deployment | undefined;
const servers: PrivateRedis[] = [];
const children: Array<ReturnType<typeof startCli>> = [];

before(async () => {
  deployment = await setUpDeployment('ops', { size: 'tiny', count: ROWS, seed: 12 });
});

after(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  for (const s of servers) await s.stop();
  await deployment?.tearDown();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, ms: number, check: () => Promise<boolean>, output: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, `timed out waiting for: ${what}\n${output()}`);
    await sleep(100);
  }
}

/** The value of one series in Prometheus text, e.g. `pairscore_rows_total{task="score",outcome="ok"}`. */
/** The oracle of `pairscore_tokens_total{kind="real"}`: the tokenizer's own lengths of the same pairs. */
async function realTokensOf(pairsFile: string, modelDir: string): Promise<number> {
  const tokenizer = await loadTokenizer(modelDir);
  let sum = 0;
  for (const line of fs.readFileSync(pairsFile, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const p = JSON.parse(line) as { premise: string; hypothesis: string };
    sum += tokenizer.encodePair(p.premise, p.hypothesis).ids.length;
  }
  return sum;
}

function startWorker(env: NodeJS.ProcessEnv, port: number): ReturnType<typeof startCli> {
  const w = startCli(['worker', '--concurrency', '2', '--metrics-port', String(port)], env);
  children.push(w);
  return w;
}

test('metrics: the row counters of a worker scraped during a real run equal the rows it scored', { timeout: 120000 }, async () => {
  const { env, pairs } = deployment!;
  const port = await freePort();
  const w = startWorker({ ...env, PAIRSCORE_BATCH_TOKENS: '64', PAIRSCORE_SESSIONS: '2' }, port);
  await until('/readyz 200', 30000, async () => (await get(port, '/readyz')).status === 200, w.output);
  assert.equal((await get(port, '/healthz')).status, 200);

  const submit = runCli(['submit', pairs, '--model', 'demo', '--run-id', 'ops-run', '--chunk-size', String(CHUNK), '--wait'], env);
  // Scrape while the run goes on: health stays green and the counters only move up.
  const seen: number[] = [];
  const embedded: number[] = [];
  let done = false;
  void submit.then(() => (done = true));
  while (!done) {
    const [m, ready, health] = await Promise.all([get(port, '/metrics'), get(port, '/readyz'), get(port, '/healthz')]);
    assert.equal(ready.status, 200, `not ready during the run: ${ready.body}`);
    assert.equal(health.status, 200);
    seen.push(sample(m.body, 'pairscore_rows_total{task="score",outcome="ok"}') ?? -1);
    embedded.push(sample(m.body, 'pairscore_stage_seconds_count{stage="embed"}') ?? -1);
    await sleep(150);
  }
  const r = await submit;
  assert.equal(r.code, 0, r.stderr);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!, `counter went down: ${seen.join(',')}`);
  assert.equal(embedded[0], 0, `the stage histograms exist (at 0) before the first chunk: ${embedded.join(',')}`);
  for (let i = 1; i < embedded.length; i++) assert.ok(embedded[i]! >= embedded[i - 1]!, `embed count went down: ${embedded.join(',')}`);

  const m = await get(port, '/metrics');
  assert.equal(m.status, 200);
  const ok = sample(m.body, 'pairscore_rows_total{task="score",outcome="ok"}')!;
  const errors = sample(m.body, 'pairscore_rows_total{task="score",outcome="error"}')!;
  assert.equal(ok + errors, ROWS, m.body);
  assert.equal(sample(m.body, 'pairscore_chunks_total{task="score",outcome="ok"}'), Math.ceil(ROWS / CHUNK));
  assert.equal(sample(m.body, 'pairscore_chunks_total{task="score",outcome="error"}'), 0);
  assert.equal(sample(m.body, 'pairscore_chunk_duration_seconds_count{task="score",outcome="ok"}'), Math.ceil(ROWS / CHUNK));
  assert.equal(sample(m.body, 'pairscore_model_load_seconds_count{model="demo",device="cpu"}'), 1);
  assert.equal(sample(m.body, `pairscore_worker_info{version="${pairscoreVersion()}",device="cpu",provider="cpu"}`), 1);
  assert.ok((sample(m.body, 'pairscore_process_resident_memory_bytes') ?? 0) > 0, 'default metrics carry the pairscore_ prefix');
  assert.match(m.body, /^pairscore_nodejs_eventloop_lag_seconds /m);

  // Where the time went: every stage observed once per chunk, every micro-batch timed, and the
  // real-token counter equal to the tokenizer's own count of the same pairs.
  const chunks = Math.ceil(ROWS / CHUNK);
  for (const stage of ['tokenize', 'embed', 'features', 'classify']) {
    assert.equal(sample(m.body, `pairscore_stage_seconds_count{stage="${stage}"}`), chunks, `stage ${stage}\n${m.body}`);
    assert.ok(sample(m.body, `pairscore_stage_seconds_sum{stage="${stage}"}`)! >= 0);
  }
  const batches = sample(m.body, 'pairscore_embed_batch_seconds_count')!;
  // A 64-token budget cuts every 25-row chunk into several micro-batches.
  assert.ok(batches > chunks, `micro-batches ${batches} for ${chunks} chunks`);
  assert.ok(sample(m.body, 'pairscore_embed_batch_seconds_sum')! > 0);
  const real = await realTokensOf(pairs, path.join(deployment!.dir, 'models', 'demo'));
  assert.equal(sample(m.body, 'pairscore_tokens_total{kind="real"}'), real);
  assert.ok(sample(m.body, 'pairscore_tokens_total{kind="padded"}')! >= 0);
  // Sessions pinned to 2 so the gauge's value does not depend on this machine's cores (the default layout does).
  assert.equal(sample(m.body, 'pairscore_sessions'), 2, 'one model loaded with the 2 sessions asked for');

  // BullMQ's own queue series, one family block each (HELP once), for both queues.
  for (const family of ['bullmq_job_count', 'bullmq_job_completed_total', 'bullmq_job_failed_total']) {
    assert.equal(
      m.body.split('\n').filter((l) => l === `# TYPE ${family} ${family === 'bullmq_job_count' ? 'gauge' : 'counter'}`).length,
      1,
      family,
    );
  }
  const bullLabels = (queue: string) => `{queue="${queue}", prefix="${deployment!.prefix}"}`;
  // The score queue also holds the run's own bookkeeping job besides its chunks.
  assert.ok(sample(m.body, `bullmq_job_completed_total${bullLabels('score')}`)! >= chunks, m.body);
  assert.equal(sample(m.body, `bullmq_job_completed_total${bullLabels('aggregate')}`), 1, m.body);
  assert.equal(sample(m.body, `bullmq_job_failed_total${bullLabels('score')}`), 0);
  assert.match(m.body, /^bullmq_job_count\{queue="score", state="active", prefix="[^"]+"\} 0$/m);

  // The heartbeat carries the version, and `status` shows it per worker.
  const st = await runCli(['status', 'ops-run'], env);
  assert.equal(st.code, 0, st.stderr);
  assert.match(st.stdout, new RegExp(`pairscore ${pairscoreVersion().replaceAll('.', '\\.')}  cpu \\[cpu\\]`));
  const json = JSON.parse((await runCli(['status', 'ops-run', '--json'], env)).stdout) as {
    workersSeen: Array<{ info: { version?: string } | null }>;
  };
  assert.ok(
    json.workersSeen.some((ws) => ws.info?.version === pairscoreVersion()),
    JSON.stringify(json.workersSeen),
  );

  w.child.kill('SIGTERM');
  assert.equal(await w.exited, 0, w.output());
  assert.equal((await get(port, '/healthz')).status, 0, 'the port is closed once the worker has stopped');
});

test(
  'readyz: 503 with a reason while its Redis is stopped, 200 again once Redis is back; healthz stays 200',
  { timeout: 90000 },
  async () => {
    const srv = await startPrivateRedis();
    servers.push(srv);
    const port = await freePort();
    const w = startWorker({ ...deployment!.env, REDIS_URL: srv.url, PAIRSCORE_PREFIX: 'ops-ready' }, port);
    await until('/readyz 200', 30000, async () => (await get(port, '/readyz')).status === 200, w.output);

    await srv.stop();
    await until('/readyz 503', 15000, async () => (await get(port, '/readyz')).status === 503, w.output);
    const ready = await get(port, '/readyz');
    assert.equal(ready.status, 503);
    const body = JSON.parse(ready.body) as { status: string; reason: string };
    assert.equal(body.status, 'not ready');
    assert.match(body.reason, /Redis/);
    assert.equal((await get(port, '/healthz')).status, 200, 'the process itself is healthy: only not ready');

    await srv.restart();
    await until('/readyz 200 again', 30000, async () => (await get(port, '/readyz')).status === 200, w.output);

    // SIGTERM after the outage: the worker stops on its own (queue.runWorkerUntilSignal.redis covers the timing).
    w.child.kill('SIGTERM');
    assert.equal(await w.exited, 0, w.output());
  },
);

test('readyz: 503 "shutting down" from the first stop signal, while active chunks may still finish', { timeout: 30000 }, async () => {
  const prefix = uniquePrefix('ops-stop');
  const w = await startWorkerInProcess({
    redis: { url: REDIS_URL },
    prefix,
    modelsRoot: deployment!.dir,
    cacheDir: deployment!.dir,
    concurrency: 1,
    threads: 1,
    sessions: 1,
    batchTokens: 1024,
    device: 'cpu',
    metricsPort: 0,
    log: silentLogger(),
    // No model stages: this test is about the port, not scoring.
    stages: { runnerFor: () => Promise.reject(new Error('unused')), close: () => Promise.resolve() },
  });
  try {
    const port = w.opsPort!;
    assert.equal((await get(port, '/readyz')).status, 200);
    w.shuttingDown();
    const ready = await get(port, '/readyz');
    assert.equal(ready.status, 503);
    assert.deepEqual(JSON.parse(ready.body), { status: 'not ready', reason: 'shutting down' });
    assert.equal((await get(port, '/healthz')).status, 200);
    assert.equal((await get(port, '/nope')).status, 404);
    const m = await get(port, '/metrics');
    assert.match(m.body, /^pairscore_worker_info\{version="[^"]+",device="none",provider="none"\} 1$/m);
  } finally {
    await w.close();
    await cleanPrefix(prefix);
  }
});
