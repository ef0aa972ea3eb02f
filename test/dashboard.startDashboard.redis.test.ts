/**
 * The dashboard against a real run on a real Redis: a small run with one poison chunk,
 * scored by a real worker, then the runs page, /api/runs and bull-board in headless
 * Chromium; bull-board refuses actions unless they were allowed; the CLI prints its URL
 * and exits 0 on SIGTERM and SIGINT.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Job, Queue } from 'bullmq';
import { QueueFixture } from './helpers/queue-fixture.js';
import { freePort, REDIS_URL, startPrivateRedis } from './helpers/redis.js';
import { BROWSER_MISSING, hasChromium, launchChromium, openServed } from './helpers/browser.js';
import { runCli, startCli } from './helpers/cli.js';
import { RunClient, submitRun, type WorkerHandle } from '../src/queue/index.js';
import { redisNames } from '../src/queue/keys.js';
import { silentLogger } from '../src/log.js';
import { startDashboard, type DashboardHandle } from '../src/dashboard/server.js';
import type { DashboardData } from '../src/dashboard/runs-data.js';

const RUN = 'dash-1';
let fx: QueueFixture;
let prefix: string;
let worker: WorkerHandle;
let dashboard: DashboardHandle;

function queueOf(name: string): Queue {
  const u = new URL(REDIS_URL);
  return new Queue(name, { connection: { host: u.hostname, port: Number(u.port || 6379) }, prefix: redisNames(prefix).bullPrefix });
}

before(async () => {
  fx = await QueueFixture.create('dash');
  prefix = fx.prefix('dash');
  await submitRun(fx.submitOpts(prefix, { runId: RUN }));
  // Poison chunk 2: it names a run that does not exist, an InputError, so it fails for good at once.
  const q = queueOf(redisNames(prefix).scoreQueue);
  const job = await Job.fromId(q, redisNames(prefix).chunkJobId(RUN, 2));
  await job!.updateData({ ...(job!.data as object), runId: 'no-such-run' });
  await q.close();
  const before = await RunClient.open({ redis: { url: REDIS_URL }, prefix });
  try {
    assert.equal((await before.status(RUN)).chunksDone, 0, 'no chunk done before any worker');
  } finally {
    await before.close();
  }
  worker = await fx.worker(prefix);
  const client = await RunClient.open({ redis: { url: REDIS_URL }, prefix });
  try {
    const s = await client.wait(RUN, { timeoutMs: 120_000, intervalMs: 200 });
    assert.equal(s.state, 'completed');
  } finally {
    await client.close();
  }
  dashboard = await startDashboard({ redis: { url: REDIS_URL }, prefix, port: 0, actions: false, log: silentLogger() });
});

after(async () => {
  await dashboard?.close();
  await worker?.close();
  await fx?.tearDown();
});

test('/api/runs: the run as `status` sees it (state, rows, the failed chunk and its reason) and the live worker', async () => {
  assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const res = await fetch(`${dashboard.url}/api/runs`);
  assert.equal(res.status, 200);
  const data = (await res.json()) as DashboardData;
  assert.equal(data.prefix, prefix);
  const run = data.runs.find((r) => r.runId === RUN);
  assert.ok(run, JSON.stringify(data.runs.map((r) => r.runId)));
  assert.equal(run.state, 'completed');
  assert.equal(run.rows, 400);
  assert.equal(run.failedChunks, 1);
  assert.equal(run.chunksDone, 7, 'every chunk but the poison one');
  assert.equal(run.result?.failedChunks[0]?.chunk, 2);
  assert.match(run.result?.failedChunks[0]?.reason ?? '', /no-such-run/);
  assert.ok(run.createdAt);
  const w = data.workers.find((x) => x.id === worker.id);
  assert.ok(w, `worker ${worker.id} listed: ${JSON.stringify(data.workers)}`);
  assert.equal(w.alive, true);
  assert.equal(w.info?.pid, process.pid);
  assert.ok(w.lastHeartbeat !== undefined && Date.now() - w.lastHeartbeat < 60_000);
});

test(
  'in flight: every chunk scored but no aggregate worker yet, the run is running with 8/8 chunks done',
  { timeout: 120_000 },
  async () => {
    const p = fx.prefix('dash-inflight');
    await submitRun(fx.submitOpts(p, { runId: 'dash-2' }));
    const scorer = await fx.worker(p, { aggregate: false });
    const d = await startDashboard({ redis: { url: REDIS_URL }, prefix: p, port: 0, actions: false, log: silentLogger() });
    try {
      let run: DashboardData['runs'][number] | undefined;
      // A chunk's rows are written before its job completes: wait for the count, not the rows.
      for (let i = 0; i < 240 && run?.chunksDone !== 8; i++) {
        run = ((await (await fetch(`${d.url}/api/runs`)).json()) as DashboardData).runs[0];
        if (run?.chunksDone !== 8) await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(run?.done, 400);
      assert.equal(run?.state, 'running');
      assert.equal(run?.chunksDone, 8);
    } finally {
      await d.close();
      await scorer.close();
    }
  },
);

test('read-only by default: bull-board refuses actions (405) and the queues are untouched', async () => {
  const add = await fetch(`${dashboard.url}/queues/api/queues/score/add`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'x', data: {} }),
  });
  assert.equal(add.status, 405);
  const pause = await fetch(`${dashboard.url}/queues/api/queues/aggregate/pause`, { method: 'PUT' });
  assert.equal(pause.status, 405);
  const agg = queueOf(redisNames(prefix).aggregateQueue);
  try {
    assert.equal(await agg.isPaused(), false);
  } finally {
    await agg.close();
  }
});

test('--allow-actions: the same pause goes through (and is undone)', async () => {
  const open = await startDashboard({ redis: { url: REDIS_URL }, prefix, port: 0, actions: true, log: silentLogger() });
  const agg = queueOf(redisNames(prefix).aggregateQueue);
  try {
    const pause = await fetch(`${open.url}/queues/api/queues/aggregate/pause`, { method: 'PUT' });
    assert.ok(pause.ok, `pause answered ${pause.status}`);
    assert.equal(await agg.isPaused(), true);
    const resume = await fetch(`${open.url}/queues/api/queues/aggregate/resume`, { method: 'PUT' });
    assert.ok(resume.ok, `resume answered ${resume.status}`);
    assert.equal(await agg.isPaused(), false);
  } finally {
    await agg.close();
    await open.close();
  }
});

test(
  'in Chromium: the runs page lists the run, its state and failed chunk; bull-board shows the queues; no console errors',
  { skip: hasChromium() ? false : BROWSER_MISSING, timeout: 120_000 },
  async () => {
    const browser = await launchChromium();
    try {
      const runs = await openServed(browser, `${dashboard.url}/`);
      const row = runs.page.locator(`tr[data-run="${RUN}"]`);
      assert.equal(await row.count(), 1);
      assert.match(
        await row.innerText(),
        /completed[\s\S]*400\/400 rows[\s\S]*7\/8 chunks done[\s\S]*chunk 2 \(rows 100–149\): [\s\S]*no-such-run/,
      );
      assert.equal(await runs.page.locator(`tr[data-worker="${worker.id}"]`).count(), 1);
      await runs.page.screenshot({ path: path.join(fx.dir, 'runs.png'), fullPage: true });
      assert.deepEqual(runs.errors, []);
      assert.deepEqual(runs.blocked, []);

      const board = await openServed(browser, `${dashboard.url}/queues/`);
      await board.page.getByText('score', { exact: true }).first().waitFor({ timeout: 30_000 });
      await board.page.getByText('aggregate', { exact: true }).first().waitFor({ timeout: 30_000 });
      await board.page.screenshot({ path: path.join(fx.dir, 'queues.png'), fullPage: true });
      assert.deepEqual(board.errors, []);
      assert.deepEqual(board.blocked, []);
      // Where the screenshots are, for whoever wants to look (the temp dir goes at tear-down unless kept).
      if (process.env.PAIRSCORE_KEEP_SCREENSHOTS) {
        const fs = await import('node:fs');
        for (const f of ['runs.png', 'queues.png'])
          fs.copyFileSync(path.join(fx.dir, f), path.join(process.env.PAIRSCORE_KEEP_SCREENSHOTS, f));
      }
    } finally {
      await browser.close();
    }
  },
);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`pairscore dashboard --port 0 prints its URL, serves the run and exits 0 on ${signal}`, { timeout: 60_000 }, async () => {
    const d = startCli(['dashboard', '--port', '0', '--prefix', prefix, '--log-level', 'warn'], { REDIS_URL });
    try {
      let url: string | undefined;
      for (let i = 0; i < 300 && !url; i++) {
        url = /dashboard listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(d.output())?.[1];
        if (!url) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(url, d.output());
      const data = (await (await fetch(`${url}/api/runs`)).json()) as DashboardData;
      assert.ok(data.runs.some((r) => r.runId === RUN));
    } finally {
      d.child.kill(signal);
    }
    assert.equal(await d.exited, 0, d.output());
  });
}

test('an unreachable Redis at start: exit 1 with the reason, as `status`', { timeout: 60_000 }, async () => {
  const r = await runCli(['dashboard', '--port', '0', '--redis', `redis://127.0.0.1:${await freePort()}`]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /cannot reach Redis/);
});

test(
  'a Redis outage after start: pages answer 503 naming it instead of hanging, and 200 once Redis is back',
  { timeout: 120_000 },
  async () => {
    const redis = await startPrivateRedis();
    const d = await startDashboard({
      redis: { url: redis.url },
      prefix: 'outage',
      port: 0,
      actions: false,
      log: silentLogger(),
      readTimeoutMs: 2000,
    });
    try {
      assert.equal((await fetch(`${d.url}/api/runs`)).status, 200);
      await redis.stop();
      const down = await fetch(`${d.url}/api/runs`);
      assert.equal(down.status, 503);
      assert.match(((await down.json()) as DashboardData).error ?? '', /did not answer within 2000 ms/);
      const page = await fetch(`${d.url}/`);
      assert.equal(page.status, 503);
      assert.match(await page.text(), /<p class="error">Redis did not answer: /);
      await redis.restart();
      let status = 0;
      for (let i = 0; i < 60 && status !== 200; i++) {
        status = (await fetch(`${d.url}/api/runs`)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 500));
      }
      assert.equal(status, 200, 'the dashboard reads again once Redis is back');
    } finally {
      await d.close();
      await redis.stop();
    }
  },
);
