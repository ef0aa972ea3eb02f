/**
 * The report of a distributed run: `submit --wait --report` on a real Redis with one worker
 * process, and `report RUN --redis` afterwards. (Rendering itself is checked in
 * report.renderReport; here: the run's metrics, workers and errors reach the page.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { BROWSER_MISSING, hasChromium, launchChromium, openOffline } from './helpers/browser.js';
import { throughputOf } from '../src/report/run-throughput.js';
import { pathToFileURL } from 'node:url';

let d: Deployment;

before(async () => {
  d = await setUpDeployment('runreport', { size: 'tiny', count: 150, seed: 5 });
});

after(async () => {
  await d?.tearDown();
});

const specsOf = (html: string) =>
  JSON.parse(/<script type="application\/json" id="report-specs">([\s\S]*?)<\/script>/.exec(html)![1]!) as Record<
    string,
    { data: { values: Array<{ count: number; worker: string; pairs_per_s: number }> }; title: { subtitle: string } }
  >;

test('throughputOf: pairs/s per worker in equal bins; every row counted once, zeros kept', () => {
  const t0 = 1_000_000;
  const t = throughputOf(
    [
      { worker: 'b', rows: 50, at: t0 + 1500, ms: 500 },
      { worker: 'a', rows: 40, at: t0 + 2500, ms: 1000 },
      { worker: 'a', rows: 60, at: t0 + 4200, ms: 1000 },
    ],
    4,
  )!;
  assert.equal(t.chunks, 3);
  assert.equal(t.binSeconds, 1); // span 3.2 s (first start t0+1000 … t0+4200) over 4 bins → 0.8 s, up to a multiple of 250 ms
  assert.deepEqual(
    t.points.filter((p) => p.worker === 'a').map((p) => p.t),
    [0.5, 1.5, 2.5, 3.5],
  );
  assert.equal(throughputOf([{ worker: 'a', rows: 10, at: t0 + 600, ms: 600 }])!.binSeconds, 0.25, 'a short run gets 250 ms bins');
  assert.deepEqual(
    t.points.filter((p) => p.worker === 'a').map((p) => p.pairs_per_s),
    [0, 40, 0, 60],
  );
  assert.deepEqual(
    t.points.filter((p) => p.worker === 'b').map((p) => p.pairs_per_s),
    [50, 0, 0, 0],
  );
  assert.equal(throughputOf([]), null);
});

test('submit --wait --report writes the run report; report RUN --redis writes it again from Redis', { timeout: 180_000 }, async () => {
  const workers = [startCli(['worker', '--concurrency', '1'], d.env), startCli(['worker', '--concurrency', '1'], d.env)];
  try {
    const reportFile = path.join(d.dir, 'run.html');
    const runId = `rr-${Date.now()}`;
    const r = await runCli(
      ['submit', d.pairs, '--model', 'demo', '--run-id', runId, '--chunk-size', '50', '--wait', '--timeout', '150', '--report', reportFile],
      d.env,
    );
    assert.equal(r.code, 0, r.stderr + workers.map((w) => w.output()).join('\n'));
    assert.match(r.stderr, /report → .*run\.html/);
    const html = fs.readFileSync(reportFile, 'utf8');
    const status = JSON.parse((await runCli(['status', runId, '--json'], d.env)).stdout) as {
      result: { metrics: { confusion: { matrix: number[][] }; calibration: { rows: number } } };
    };
    const metrics = status.result.metrics;
    assert.equal(metrics.calibration.rows, 150, "the aggregate stored calibration metrics from the rows' probs");
    assert.deepEqual(
      specsOf(html).confusion!.data.values.map((c) => c.count),
      metrics.confusion.matrix.flat(),
    );
    assert.match(html, /<table id="run-workers">/);
    assert.match(html, /No chunk failed\./);
    assert.match(html, /id="confident-errors"/);
    assert.match(html, new RegExp(`Run ${runId}`));
    // Throughput from the queue's completed-chunk events: all 3 chunks, every row once.
    const tp = specsOf(html).throughput!;
    assert.match(tp.title.subtitle, /from 3 completed chunk/);
    const binSeconds = Number(/in ([\d.]+)-s bins/.exec(tp.title.subtitle)![1]);
    assert.equal(Math.round(tp.data.values.reduce((s, p) => s + p.pairs_per_s * binSeconds, 0)), 150);

    if (hasChromium()) {
      const browser = await launchChromium();
      try {
        const { page, errors, blocked } = await openOffline(browser, pathToFileURL(reportFile).href);
        await page.waitForFunction('window.__report && window.__report.done === true', null, { timeout: 30_000 });
        const state = (await page.evaluate('window.__report')) as { rendered: string[]; failed: Record<string, string> };
        assert.deepEqual(state.failed, {});
        assert.ok(state.rendered.includes('throughput'));
        assert.deepEqual(errors, []);
        assert.deepEqual(blocked, []);
        await page.screenshot({ path: path.join(d.dir, 'run.png'), fullPage: true });
      } finally {
        await browser.close();
      }
    } else {
      process.stderr.write(`${BROWSER_MISSING}\n`);
    }

    const again = path.join(d.dir, 'again.html');
    const r2 = await runCli(['report', runId, '--redis', '--out', again, '--input', d.pairs], d.env);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(
      specsOf(fs.readFileSync(again, 'utf8')).confusion!.data.values.map((c) => c.count),
      metrics.confusion.matrix.flat(),
    );

    const missing = await runCli(['report', 'no-such-run', '--redis', '--out', path.join(d.dir, 'x.html')], d.env);
    assert.notEqual(missing.code, 0);
    assert.equal(fs.existsSync(path.join(d.dir, 'x.html')), false);
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
  }
});
