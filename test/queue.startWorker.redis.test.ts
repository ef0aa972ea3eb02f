/**
 * A worker proves its device before it takes any job (real worker processes, real Redis,
 * real ONNX Runtime). This machine has onnxruntime-node's CPU build only — no CUDA provider
 * library, no GPU — so `--device cuda` must be refused and `auto` must settle on CPU; both
 * tests skip where a CUDA provider library is actually installed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { createRequire } from 'node:module';
import { Job, Queue } from 'bullmq';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { REDIS_URL } from './helpers/redis.js';
import { redisNames } from '../src/queue/keys.js';
import { CUDA_INSTALL_HINT, probeProviders } from '../src/embed/device.js';
import type { RunStatus } from '../src/queue/index.js';

import { pairscoreVersion } from '../src/version.js';
const ortVersion = (createRequire(import.meta.url)('onnxruntime-node/package.json') as { version: string }).version;
const skip = probeProviders().cuda && 'a CUDA provider library is installed here: cuda would not be refused, auto would not fall back';
const RUN = 'dev-1';
const CHUNKS = 3;

let deployment: Deployment | undefined;
let env: NodeJS.ProcessEnv = {};

before(async () => {
  deployment = await setUpDeployment('dev', { size: 'tiny', count: 300, seed: 21 });
  env = deployment.env;
  const sub = await runCli(['submit', deployment.pairs, '--model', 'demo', '--run-id', RUN, '--chunk-size', '100'], env);
  assert.equal(sub.code, 0, sub.stderr);
  assert.match(sub.stderr, /300 rows in 3 chunks submitted/);
});

after(async () => {
  await deployment?.tearDown();
});

/** Exit code of a child, or 'still running' after `ms` (then it is killed): an old worker never exits by itself. */
async function exitWithin(w: ReturnType<typeof startCli>, ms: number): Promise<number | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const r = await Promise.race([w.exited, new Promise<'still running'>((res) => (timer = setTimeout(() => res('still running'), ms)))]);
  clearTimeout(timer);
  if (r === 'still running') {
    w.child.kill('SIGKILL');
    await w.exited;
  }
  return r;
}

test('worker --device cuda exits 2 with the install instruction before taking any job (no CUDA build here)', { skip }, async () => {
  const w = startCli(['worker', '--device', 'cuda', '--concurrency', '2'], env);
  const code = await exitWithin(w, 30_000);
  assert.equal(code, 2, w.output());
  assert.ok(w.output().includes(CUDA_INSTALL_HINT), w.output());

  const names = redisNames(deployment!.prefix);
  const u = new URL(REDIS_URL);
  const queue = new Queue(names.scoreQueue, { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix: names.bullPrefix });
  try {
    for (let c = 0; c < CHUNKS; c++) {
      const job = await Job.fromId(queue, names.chunkJobId(RUN, c));
      assert.ok(job, `chunk ${c} exists`);
      // Every chunk job has a priority (src/queue/priority.ts): a chunk not yet taken is 'prioritized'.
      assert.equal(await job.getState(), 'prioritized', `chunk ${c} was not taken`);
      assert.equal(job.attemptsMade, 0, `chunk ${c} was never attempted`);
    }
    const counts = await queue.getJobCounts('active', 'failed', 'completed');
    assert.deepEqual(counts, { active: 0, failed: 0, completed: 0 });
  } finally {
    await queue.close();
  }
  const status = await runCli(['status', RUN, '--json'], env);
  const s = JSON.parse(status.stdout) as RunStatus;
  assert.equal(s.state, 'queued');
  assert.deepEqual(s.workers, []);
});

test(
  'worker --device auto starts on CPU with one warning; status shows its device and onnxruntime version',
  { skip, timeout: 180_000 },
  async () => {
    // Log level info: the session layout line is an info log.
    const w = startCli(['worker', '--device', 'auto', '--concurrency', '2'], { ...env, PAIRSCORE_LOG_LEVEL: 'info' });
    try {
      // --watch returns when the run ends: the chunks the cuda worker left are scored here.
      const watched = await runCli(['status', RUN, '--watch'], env);
      assert.equal(watched.code, 0, watched.stderr + w.output());
      assert.match(watched.stdout, /: completed/);

      const json = await runCli(['status', RUN, '--json'], env);
      assert.equal(json.code, 0, json.stderr);
      const s = JSON.parse(json.stdout) as RunStatus;
      assert.equal(s.done, 300);
      assert.equal(s.workersSeen.length, 1);
      const seen = s.workersSeen[0]!;
      assert.equal(seen.alive, true);
      assert.deepEqual(
        {
          device: seen.info?.device,
          requestedDevice: seen.info?.requestedDevice,
          executionProviders: seen.info?.executionProviders,
          onnxruntime: seen.info?.onnxruntime,
        },
        { device: 'cpu', requestedDevice: 'auto', executionProviders: ['cpu'], onnxruntime: ortVersion },
      );

      const text = await runCli(['status', RUN], env);
      assert.ok(
        // PAIRSCORE_THREADS=1 (the deployment's env): one single-thread session per core.
        text.stdout.includes(
          `${seen.id}  pairscore ${pairscoreVersion()}  cpu [cpu] (asked auto)  ${os.availableParallelism()} × 1 threads  onnxruntime ${ortVersion}  alive`,
        ),
        text.stdout,
      );

      // Once at start, not again when the model loaded at the first chunk.
      const warnings = w.output().match(/device 'auto': using CPU/g) ?? [];
      assert.equal(warnings.length, 1, w.output());
      // The session layout chosen for the model, logged once when it loaded (src/embed/session-layout.ts).
      const layouts = w.output().match(/sessions \d+ × threads \d+, batch-tokens 1024 \(/g) ?? [];
      assert.equal(layouts.length, 1, w.output());
    } finally {
      w.child.kill('SIGTERM');
      assert.equal(await w.exited, 0, 'the worker exits 0 on SIGTERM');
    }
  },
);
