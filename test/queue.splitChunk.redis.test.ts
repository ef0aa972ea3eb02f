/**
 * Poison-row bisection with real crashes: a row that kills every worker that
 * scores it (the test-only crash marker makes the worker SIGKILL itself) is
 * isolated by splitting its chunk in halves; only that row becomes an error
 * row naming the crashes, every other row is scored exactly once.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { REDIS_URL } from './helpers/redis.js';
import { RunClient } from '../src/queue/index.js';
import { crashVerdict, isSuspect } from '../src/queue/bisect.js';
import { SoloGate } from '../src/queue/solo-gate.js';
import type { ScoreRow } from '../src/contracts.js';

const ROWS = 300;
const POISON = 77;
const MARKER = 'XX-crash-the-worker-XX';

let deployment: Deployment | undefined;

before(async () => {
  // The shortest lock BullMQ takes here (1 s), so each crash is noticed within seconds.
  deployment = await setUpDeployment('split', {
    size: 'mini',
    count: ROWS,
    seed: 31,
    env: { PAIRSCORE_LOCK_MS: '1000', PAIRSCORE_TEST_CRASH_MARKER: MARKER },
  });
  const lines = fs.readFileSync(deployment.pairs, 'utf8').trimEnd().split('\n');
  const row = JSON.parse(lines[POISON]!) as { premise: string };
  row.premise = `${row.premise} ${MARKER}`;
  lines[POISON] = JSON.stringify(row);
  fs.writeFileSync(deployment.pairs, `${lines.join('\n')}\n`);
});

after(async () => {
  await deployment?.tearDown();
});

test('crashVerdict: run until the lineage crashed twice, then split; a lone row is given up after two crashes of its own', () => {
  const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ index: i, id: String(i) }));
  assert.deepEqual(crashVerdict({ rows: rows(32) }, 0), { action: 'run' });
  assert.deepEqual(crashVerdict({ rows: rows(32) }, 1), { action: 'run' }, 'one crash may be a kill -9 unrelated to the rows');
  assert.deepEqual(crashVerdict({ rows: rows(32) }, 2), { action: 'split', crashes: 2 });
  assert.deepEqual(crashVerdict({ rows: rows(16), crashes: 2 }, 0), { action: 'run' });
  assert.deepEqual(crashVerdict({ rows: rows(16), crashes: 2 }, 1), { action: 'split', crashes: 3 });
  assert.deepEqual(crashVerdict({ rows: rows(1), crashes: 6 }, 1, 1), { action: 'run' });
  assert.deepEqual(
    crashVerdict({ rows: rows(1), crashes: 6 }, 2, 1),
    { action: 'run' },
    'one stall came while it only waited beside another suspect',
  );
  assert.deepEqual(crashVerdict({ rows: rows(1), crashes: 6 }, 2, 2), { action: 'give-up', crashes: 8 });
  assert.equal(isSuspect({}, 0), false);
  assert.equal(isSuspect({ crashes: 2 }, 0), true);
  assert.equal(isSuspect({}, 1), true);
});

test('SoloGate: a suspect chunk starts only when no other chunk runs, and none starts beside it', async () => {
  const gate = new SoloGate();
  const log: string[] = [];
  const job = (name: string, ms: number) => async () => {
    log.push(`+${name}`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`-${name}`);
  };
  const a = gate.shared(job('a', 40));
  const s = gate.exclusive(job('s', 40));
  await new Promise((r) => setTimeout(r, 5));
  const b = gate.shared(job('b', 10));
  await Promise.all([a, s, b]);
  assert.deepEqual(log, ['+a', '-a', '+s', '-s', '+b', '-b']);
});

test('a poison row that crashes its worker every time: the run completes, exactly that row is an error row naming the crashes, every other row scored once', async (t) => {
  const { env, prefix, pairs } = deployment!;
  const sub = await runCli(['submit', pairs, '--model', 'demo', '--run-id', 'poison-row', '--chunk-size', '32'], env);
  assert.equal(sub.code, 0, sub.stderr);
  // One supervised worker at the default concurrency (2), so the two halves of a split chunk are
  // taken by the same process: an innocent half running beside the poison one would die with it
  // and be blamed (row 76 was, before suspect chunks ran alone). A worker that dies is started
  // again, as systemd or Docker would.
  let crashes = 0;
  let stopping = false;
  const outputs: string[] = [];
  const running = new Set<ReturnType<typeof startCli>>();
  const launch = (): void => {
    const w = startCli(['worker', '--concurrency', '2'], env);
    running.add(w);
    w.child.on('exit', (_code, signal) => {
      running.delete(w);
      outputs.push(w.output());
      if (signal === 'SIGKILL') crashes++;
      if (!stopping) launch();
    });
  };
  launch();
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix });
  try {
    const s = await client.wait('poison-row', { timeoutMs: 120000, intervalMs: 250 });
    assert.equal(s.state, 'completed');
    assert.deepEqual(s.result!.failedChunks, [], 'no chunk failed: the crashing row was isolated, not its chunk');
    assert.equal(s.result!.lostRows, 0);
    const rows: ScoreRow[] = [];
    for await (const r of client.results('poison-row')) rows.push(r);
    assert.deepEqual(
      rows.map((r) => r.index),
      Array.from({ length: ROWS }, (_, i) => i),
      'every row exactly once',
    );
    const bad = rows.filter((r) => r.error !== undefined);
    assert.equal(bad.length, 1, JSON.stringify(bad.slice(0, 3)));
    const m = /^row 77 crashed the worker (\d+) times$/.exec(bad[0]!.error!);
    assert.ok(m && bad[0]!.index === POISON, bad[0]!.error);
    const reported = Number(m[1]);
    t.diagnostic(`workers killed by the poison row: ${crashes}; crashes reported for row 77: ${reported}`);
    // The crashes were real: workers died by SIGKILL, each while holding a chunk with row 77.
    assert.ok(crashes >= 2, `workers crashed ${crashes} time(s)`);
    assert.ok(reported >= crashes, `reported ${reported} crashes, saw ${crashes}`);
    assert.ok(rows.filter((r) => r.index !== POISON).every((r) => r.label !== undefined));
    assert.match(outputs.join('\n') + [...running].map((w) => w.output()).join('\n'), /split in two/);
  } finally {
    await client.close();
    stopping = true;
    const left = [...running];
    for (const w of left) w.child.kill('SIGTERM');
    for (const w of left) assert.equal(await w.exited, 0);
  }
});
