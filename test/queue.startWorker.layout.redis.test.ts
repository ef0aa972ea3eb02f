/**
 * A worker's heartbeat says what it really runs once a model loads: the sessions × threads its
 * layout chose (here capped by a tiny memory budget) and the device the model's sessions use — not
 * the layout it would start from, nor the device proven before any model (a stale heartbeat after an
 * `auto` fallback). Real worker process, real Redis, real ONNX Runtime.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import type { RunStatus } from '../src/queue/index.js';

let deployment: Deployment | undefined;
let worker: ReturnType<typeof startCli> | undefined;

before(async () => {
  // No threads or sessions given: the layout is chosen, and 1 MB of budget fits one session only.
  deployment = await setUpDeployment('layout', {
    size: 'tiny',
    count: 60,
    seed: 5,
    env: { PAIRSCORE_THREADS: '', PAIRSCORE_MAX_MEMORY_MB: '1' },
  });
});

after(async () => {
  worker?.child.kill('SIGKILL');
  await worker?.exited;
  await deployment?.tearDown();
});

test('after the model loads, status shows the capped layout (1 session × every core) the worker runs', { timeout: 120_000 }, async () => {
  const env = deployment!.env;
  worker = startCli(['worker', '--device', 'auto'], env);
  const sub = await runCli(['submit', deployment!.pairs, '--model', 'demo', '--run-id', 'lay-1', '--wait', '--timeout', '90'], env);
  assert.equal(sub.code, 0, sub.stderr);
  const st = await runCli(['status', 'lay-1', '--json'], env);
  assert.equal(st.code, 0, st.stderr);
  const s = JSON.parse(st.stdout) as RunStatus;
  const infos = s.workersSeen.map((w) => w.info).filter((i) => i !== null && i !== undefined);
  assert.equal(infos.length, 1, st.stdout);
  const info = infos[0]!;
  const cores = os.availableParallelism();
  assert.equal(info.sessions, 1, `heartbeat ${JSON.stringify(info)}`);
  assert.equal(info.threads, cores, `1 session takes every core as threads: ${JSON.stringify(info)}`);
  assert.equal(info.device, 'cpu');
  assert.equal(info.requestedDevice, 'auto');
  const text = await runCli(['status', 'lay-1'], env);
  assert.match(text.stdout, new RegExp(`cpu \\[cpu\\] \\(asked auto\\)  1 × ${cores} threads`));
});
