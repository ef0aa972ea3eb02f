/**
 * Log lines of a fleet: pid, hostname and version on every line; errors logged as
 * `{ err }` keep type, stack and cause; a Redis password never reaches a log line
 * of a real worker started with it in its URL, at debug level, through a real run.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { freePort, startPrivateRedis, type PrivateRedis } from './helpers/redis.js';
import { repoRoot } from './helpers/shared.js';
import { pairscoreVersion } from '../src/version.js';

let deployment: Deployment | undefined;
let srv: PrivateRedis | undefined;
let worker: ReturnType<typeof startCli> | undefined;

after(async () => {
  if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
  await srv?.stop();
  await deployment?.tearDown();
});

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

test('an error logged as { err } keeps its type, stack and cause; base fields on the line', () => {
  const logJs = path.join(repoRoot, 'dist', 'src', 'log.js');
  const script = `import(${JSON.stringify(logJs)}).then((m) => m.createLogger('info', { role: 't' }).error({ err: new TypeError('outer', { cause: new Error('inner') }) }, 'boom'))`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const line = JSON.parse(lines(r.stderr)[0]!) as Record<string, unknown> & { err: { type: string; message: string; stack: string } };
  assert.equal(line.err.type, 'TypeError');
  assert.match(line.err.stack, /TypeError: outer\n\s+at /);
  // pino's default err serializer folds the cause into message and stack ("caused by: …").
  assert.equal(line.err.message, 'outer: inner');
  assert.match(line.err.stack, /caused by: Error: inner\n\s+at /);
  assert.equal(typeof line.pid, 'number');
  assert.equal(line.hostname, os.hostname());
  assert.equal(line.version, pairscoreVersion());
  assert.equal(line.role, 't');
});

test(
  'a worker started with a password in its Redis URL logs it nowhere; every line has pid, hostname, version; one line per chunk',
  { timeout: 120000 },
  async () => {
    const password = 'Pw-9f3kq-SECRET';
    srv = await startPrivateRedis(['--requirepass', password]);
    deployment = await setUpDeployment('logs', { size: 'tiny', count: 60, seed: 4 });
    const url = `redis://:${password}@127.0.0.1:${srv.port}`;
    const env = { ...deployment.env, REDIS_URL: url };
    const port = await freePort();
    // The deployment's env says PAIRSCORE_LOG_LEVEL=warn: the flag wins.
    worker = startCli(['worker', '--log-level', 'debug', '--metrics-port', String(port)], env);
    const r = await runCli(
      ['submit', deployment.pairs, '--model', 'demo', '--run-id', 'logs-run', '--chunk-size', '20', '--wait', '--timeout', '90s'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0, worker.output());

    const out = worker.output();
    assert.ok(!out.includes(password), 'the password appears in the worker output');
    assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password), 'the password appears in the submit output');
    const parsed = lines(out).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(deployment.env.PAIRSCORE_LOG_LEVEL, 'warn');
    assert.ok(
      parsed.some((l) => l.level === 30),
      '--log-level overrides PAIRSCORE_LOG_LEVEL',
    );
    for (const l of parsed) {
      assert.equal(l.pid, worker.child.pid);
      assert.equal(l.hostname, os.hostname());
      assert.equal(l.version, pairscoreVersion());
    }
    const chunks = parsed.filter((l) => l.msg === 'chunk done');
    assert.equal(chunks.length, 3);
    for (const c of chunks) {
      assert.equal(c.run, 'logs-run');
      assert.equal(typeof c.chunk, 'number');
      assert.equal(typeof c.ms, 'number');
      assert.equal(typeof c.worker, 'string');
      assert.equal(c.errors, 0);
    }
    assert.equal(
      chunks.reduce((n, c) => n + (c.rows as number), 0),
      60,
    );
    assert.ok(parsed.some((l) => l.msg === 'model loaded' && l.model === 'demo' && typeof l.ms === 'number'));
  },
);
