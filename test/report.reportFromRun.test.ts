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

let d: Deployment;

before(async () => {
  d = await setUpDeployment('runreport', { size: 'tiny', count: 150, seed: 5 });
});

after(async () => {
  await d?.tearDown();
});

const specsOf = (html: string) =>
  JSON.parse(/<script type="application\/json" id="report-specs">([\s\S]*?)<\/script>/.exec(html)![1]!) as Record<string, { data: { values: Array<{ count: number }> } }>;

test('submit --wait --report writes the run report; report RUN --redis writes it again from Redis', { timeout: 180_000 }, async () => {
  const worker = startCli(['worker', '--concurrency', '1'], d.env);
  try {
    const reportFile = path.join(d.dir, 'run.html');
    const runId = `rr-${Date.now()}`;
    const r = await runCli(['submit', d.pairs, '--model', 'demo', '--run-id', runId, '--chunk-size', '50', '--wait', '--timeout', '150', '--report', reportFile], d.env);
    assert.equal(r.code, 0, r.stderr + worker.output());
    assert.match(r.stderr, /report → .*run\.html/);
    const html = fs.readFileSync(reportFile, 'utf8');
    const status = JSON.parse((await runCli(['status', runId, '--json'], d.env)).stdout) as { result: { metrics: { confusion: { matrix: number[][] }; calibration: { rows: number } } } };
    const metrics = status.result.metrics;
    assert.equal(metrics.calibration.rows, 150, 'the aggregate stored calibration metrics from the rows\' probs');
    assert.deepEqual(specsOf(html).confusion!.data.values.map((c) => c.count), metrics.confusion.matrix.flat());
    assert.match(html, /<table id="run-workers">/);
    assert.match(html, /No chunk failed\./);
    assert.match(html, /id="confident-errors"/);
    assert.match(html, new RegExp(`Run ${runId}`));

    const again = path.join(d.dir, 'again.html');
    const r2 = await runCli(['report', runId, '--redis', '--out', again, '--input', d.pairs], d.env);
    assert.equal(r2.code, 0, r2.stderr);
    assert.deepEqual(specsOf(fs.readFileSync(again, 'utf8')).confusion!.data.values.map((c) => c.count), metrics.confusion.matrix.flat());

    const missing = await runCli(['report', 'no-such-run', '--redis', '--out', path.join(d.dir, 'x.html')], d.env);
    assert.notEqual(missing.code, 0);
    assert.equal(fs.existsSync(path.join(d.dir, 'x.html')), false);
  } finally {
    worker.child.kill('SIGTERM');
    await worker.exited;
  }
});
