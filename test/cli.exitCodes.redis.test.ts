/**
 * The exit-code table of the README, one row per test, through the real CLI:
 * 0 done; 1 a run that did not give every row (failed chunks, cancelled) or a
 * timeout; 2 bad flags, bad input or a model/head that does not fit.
 * (130 on SIGINT is tested with the whole-or-absent outputs.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';

let deployment: Deployment | undefined;
let dir = '';
let env: NodeJS.ProcessEnv = {};
let modelDir = '';

before(async () => {
  deployment = await setUpDeployment('exit', { size: 'tiny', count: 120, seed: 8 });
  ({ dir, env } = deployment);
  modelDir = path.join(dir, 'models', 'demo');
  // Another model under the same name: a worker with this root cannot run the runs.
  const other = await runCli(
    ['make-model', '--size', 'tiny', '--head', 'seqcls', '--seed', '99', '--out', path.join(dir, 'other', 'demo')],
    env,
  );
  assert.equal(other.code, 0, other.stderr);
});

after(async () => {
  await deployment?.tearDown();
});

test('exit 0: a command that did its work, and --help', async () => {
  const out = path.join(dir, 'ok.jsonl');
  const r = await runCli(['score', deployment!.pairs, '--model', modelDir, '--out', out], env);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(fs.readFileSync(out, 'utf8').trim().split('\n').length, 120);
  assert.equal((await runCli(['score', '--help'], env)).code, 0);
});

test('exit 2: an unknown flag, a missing or invalid option value, a bad input file', async () => {
  const out = path.join(dir, 'never.jsonl');
  const unknown = await runCli(['score', deployment!.pairs, '--model', modelDir, '--out', out, '--bogus'], env);
  assert.equal(unknown.code, 2, unknown.stderr);
  assert.match(unknown.stderr, /unknown option '--bogus'/);
  const missing = await runCli(['score', deployment!.pairs, '--out', out], env);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /required option '--model <dir>' not specified/);
  const invalid = await runCli(['score', deployment!.pairs, '--model', modelDir, '--out', out, '--chunk-size', 'many'], env);
  assert.equal(invalid.code, 2);
  assert.match(invalid.stderr, /--chunk-size must be a positive whole number/);
  const tooLong = await runCli(['score', deployment!.pairs, '--model', modelDir, '--out', out, '--max-length', '100000'], env);
  assert.equal(tooLong.code, 2);
  assert.match(tooLong.stderr, /exceeds the model's limit/);
  const noFile = await runCli(['score', path.join(dir, 'missing.jsonl'), '--model', modelDir, '--out', out], env);
  assert.equal(noFile.code, 2);
  assert.equal((await runCli(['no-such-command'], env)).code, 2);
  assert.ok(!fs.existsSync(out));
});

test('exit 1: submit --wait on a run whose chunks fail on every host', async () => {
  const worker = startCli(['worker', '--models-root', path.join(dir, 'other')], env);
  try {
    // Two attempts keep the host-problem retries short (PAIRSCORE_RETRY_ATTEMPTS, read at submit).
    const r = await runCli(
      ['submit', deployment!.pairs, '--model', 'demo', '--run-id', 'fails', '--chunk-size', '60', '--wait', '--timeout', '2m'],
      { ...env, PAIRSCORE_RETRY_ATTEMPTS: '2' },
    );
    assert.equal(r.code, 1, r.stderr + worker.output());
    assert.match(r.stderr, /completed with 2 failed chunk\(s\)/);
    assert.match(r.stderr, /failed +chunk 0 .*on .*model 'demo' on this worker has sha256/);
  } finally {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
});

test('exit 1: a wait that times out, and a cancelled run watched to its end', async () => {
  const t0 = performance.now();
  const timedOut = await runCli(['submit', deployment!.pairs, '--model', 'demo', '--run-id', 'slow', '--wait', '--timeout', '2'], env);
  assert.equal(timedOut.code, 1, timedOut.stderr);
  assert.match(timedOut.stderr, /did not finish within 2 s .*it goes on/);
  assert.ok(performance.now() - t0 < 30000);
  assert.equal((await runCli(['cancel', 'slow'], env)).code, 0);
  const watched = await runCli(['status', 'slow', '--watch', '--timeout', '30'], env);
  assert.equal(watched.code, 1, watched.stderr);
  assert.match(watched.stdout, /run slow: cancelled/);
  assert.match(watched.stderr, /run slow cancelled/);
  const plain = await runCli(['status', 'slow'], env);
  assert.equal(plain.code, 0, 'status without --watch only reports');
});

test('exit 130: Ctrl-C while submit --wait waits ends the wait, not the run', async () => {
  const waiting = startCli(['submit', deployment!.pairs, '--model', 'demo', '--run-id', 'ctrl-c', '--wait'], env);
  const deadline = Date.now() + 30000;
  while (!/submitted to/.test(waiting.output())) {
    assert.ok(Date.now() < deadline, waiting.output());
    await new Promise((r) => setTimeout(r, 50));
  }
  waiting.child.kill('SIGINT');
  assert.equal(await waiting.exited, 130, waiting.output());
  assert.match(
    waiting.output(),
    /interrupted by SIGINT; the run goes on on the workers \(pairscore status ctrl-c; pairscore cancel ctrl-c stops it\)/,
  );
  const st = await runCli(['status', 'ctrl-c'], env);
  assert.match(st.stdout, /run ctrl-c: queued/);
  assert.equal((await runCli(['cancel', 'ctrl-c'], env)).code, 0);
});
