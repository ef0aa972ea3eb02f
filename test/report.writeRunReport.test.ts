/**
 * `score --report` and `report --metrics` through the real CLI, on a model made by `make-model`
 * (nothing from ../shared): the HTML names the model, head and features, and its chart data
 * equal the metrics JSON of the same run. (Rendering is checked in report.renderReport.)
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import type { Metrics } from '../src/report/metrics.js';

let dir = '';
let env: NodeJS.ProcessEnv = {};
let model = '';
let pairs = '';

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-run-report-'));
  env = { PAIRSCORE_CACHE_DIR: path.join(dir, 'cache'), PAIRSCORE_THREADS: '1' };
  model = path.join(dir, 'model');
  pairs = path.join(dir, 'pairs.jsonl');
  assert.equal((await runCli(['make-model', '--size', 'tiny', '--head', 'seqcls', '--out', model], env)).code, 0);
  assert.equal((await runCli(['generate', '--count', '120', '--out', pairs], env)).code, 0);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The chart specs a report embeds, and its visible text without the inlined library. */
function readReport(file: string): { specs: Record<string, { data?: { values?: Array<Record<string, unknown>> } }>; page: string } {
  const html = fs.readFileSync(file, 'utf8');
  const json = /<script type="application\/json" id="report-specs">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(json, 'the report embeds its chart specs');
  return { specs: JSON.parse(json[1]!) as never, page: html.replace(/<script data-lib="[^"]+">[\s\S]*?<\/script>/g, '') };
}

test('score --report writes the HTML report of the run beside its metrics', async () => {
  const out = path.join(dir, 'preds.csv');
  const metricsFile = path.join(dir, 'metrics.json');
  const reportFile = path.join(dir, 'run.html');
  const r = await runCli(
    ['score', pairs, '--model', model, '--out', out, '--metrics', metricsFile, '--report', reportFile, '--no-progress'],
    env,
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /report → .*run\.html/);
  const m = JSON.parse(fs.readFileSync(metricsFile, 'utf8')) as Metrics;
  assert.equal(m.calibration.rows, 120);
  const { specs, page } = readReport(reportFile);
  assert.deepEqual(Object.keys(specs).sort(), ['confidence', 'confusion', 'per_class', 'reliability']);
  const cells = specs.confusion!.data!.values!;
  assert.deepEqual(
    cells.map((c) => c.count),
    m.confusion.matrix.flat(),
  );
  assert.match(page, /<th>head<\/th><td>the model's own logits<\/td>/);
  assert.match(page, /<title>Scores of pairs\.jsonl<\/title>/);
  assert.match(page, /[0-9a-f]{64}/, 'the model sha256');
  assert.match(page, /<div class="k">ECE<\/div><div class="v">\d\.\d{4}<\/div>/);
  assert.match(page, /<div class="k">pairs\/s<\/div><div class="v">\d+\.\d<\/div>/, "the run's own speed");
  assert.match(page, /id="confident-errors"/);
});

test('report of a predictions file takes pairs/s from --metrics, and a metrics JSON alone gives the summary and charts', async () => {
  const out = path.join(dir, 'preds2.jsonl');
  const metricsFile = path.join(dir, 'metrics2.json');
  assert.equal((await runCli(['score', pairs, '--model', model, '--out', out, '--metrics', metricsFile, '--no-progress'], env)).code, 0);
  const m = JSON.parse(fs.readFileSync(metricsFile, 'utf8')) as Metrics;

  const withMetrics = path.join(dir, 'with-metrics.html');
  const r1 = await runCli(['report', out, '--metrics', metricsFile, '--out', withMetrics], env);
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(readReport(withMetrics).page, new RegExp(`<div class="k">pairs/s</div><div class="v">${m.pairs_per_s.toFixed(1)}</div>`));

  const plain = path.join(dir, 'plain.html');
  assert.equal((await runCli(['report', out, '--out', plain], env)).code, 0);
  assert.match(readReport(plain).page, /<div class="k">pairs\/s<\/div><div class="v">n\/a<\/div>/);
  assert.match(readReport(plain).page, /Sentences are shown when the report knows the input file/);

  const fromMetrics = path.join(dir, 'metrics.html');
  assert.equal((await runCli(['report', metricsFile, '--out', fromMetrics], env)).code, 0);
  const { specs } = readReport(fromMetrics);
  assert.deepEqual(
    specs.confusion!.data!.values!.map((c) => c.count),
    m.confusion.matrix.flat(),
  );
  assert.ok('reliability' in specs);

  const bad = await runCli(['report', pairs.replace('.jsonl', '.txt'), '--out', path.join(dir, 'x.html')], env);
  assert.equal(bad.code, 2);
  assert.equal(fs.existsSync(path.join(dir, 'x.html')), false);
});
