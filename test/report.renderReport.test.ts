/**
 * The HTML report in a real browser: Debian's Chromium, headless, through playwright-core, opens
 * the file from a file:// URL with every other request aborted. No console errors, every chart
 * rendered SVG marks, the confusion matrix shows the metrics' counts, and a screenshot is left
 * beside the report for a person to look at (its path is printed as a test diagnostic).
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCli } from './helpers/cli.js';
import { BROWSER_MISSING, hasChromium, launchChromium, openOffline } from './helpers/browser.js';
import { evaluatePredictions } from '../src/report/eval.js';
import { fitHead, headJson } from '../src/classify/fit-head.js';
import type { FeatureData } from '../src/classify/features-file.js';
import type { PermutationImportance } from '../src/classify/importance.js';
import { DEFAULT_TRAIN_OPTIONS, Rng } from '../src/classify/train.js';
import type { Metrics } from '../src/report/metrics.js';
import { rng } from '../src/synthetic/pairs.js';

const LABELS = ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'];
const TRICKY = 'A man says </script><b>hello</b> & "bye"';
let dir = '';
let preds = '';
let pairs = '';

/** Predictions of an over-confident classifier that is right ~75% of the time, and the pairs behind them. */
function writeFixture(): void {
  const r = rng(7);
  const predLines: string[] = [];
  const pairLines: string[] = [];
  for (let i = 0; i < 600; i++) {
    const gold = LABELS[i % 3]!;
    pairLines.push(
      JSON.stringify({ id: `p${i}`, premise: i === 1 ? TRICKY : `Premise number ${i}`, hypothesis: `Hypothesis number ${i}`, label: gold }),
    );
    if (i === 5) {
      predLines.push(JSON.stringify({ index: i, id: `p${i}`, gold, error: 'empty hypothesis' }));
      continue;
    }
    const right = r() < 0.75 && i !== 1;
    const predicted = right ? gold : LABELS[(LABELS.indexOf(gold) + 1 + Math.floor(r() * 2)) % 3]!;
    const top = i === 1 ? 0.99 : 0.4 + 0.55 * r() ** 0.5;
    const rest = (1 - top) / 2;
    const probs = Object.fromEntries(LABELS.map((l) => [l, l === predicted ? top : rest]));
    predLines.push(JSON.stringify({ index: i, id: `p${i}`, label: predicted, probs, gold }));
  }
  fs.writeFileSync(preds, `${predLines.join('\n')}\n`);
  fs.writeFileSync(pairs, `${pairLines.join('\n')}\n`);
}

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-report-'));
  preds = path.join(dir, 'preds.jsonl');
  pairs = path.join(dir, 'pairs.jsonl');
  writeFixture();
});

test(
  'report: a self-contained HTML file whose charts render offline in Chromium and match the metrics',
  { skip: hasChromium() ? false : BROWSER_MISSING, timeout: 120_000 },
  async (t) => {
    const html = path.join(dir, 'report.html');
    const r = await runCli(['report', preds, '--input', pairs, '--out', html]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /report → /);
    const text = fs.readFileSync(html, 'utf8');
    // Self-contained: no external script, stylesheet or image outside the inlined library.
    const page0 = text.replace(/<script data-lib="[^"]+">[\s\S]*?<\/script>/g, '<script data-lib></script>');
    assert.equal((page0.match(/<script data-lib>/g) ?? []).length, 3, 'vega, vega-lite and vega-embed inlined');
    assert.doesNotMatch(page0, /<script[^>]+src=|<link[^>]+href=|<img[^>]+src=/i);
    const metrics: Metrics = await evaluatePredictions(preds);

    const browser = await launchChromium();
    try {
      const { page, errors, blocked } = await openOffline(browser, pathToFileURL(html).href);
      // Page code is passed as text: this project compiles without the DOM types.
      const js = <T>(expr: string) => page.evaluate(expr) as Promise<T>;
      await page.waitForFunction('window.__report && window.__report.done === true', null, { timeout: 30_000 });
      const state = await js<{ rendered: string[]; failed: Record<string, string> }>('window.__report');
      assert.deepEqual(state.failed, {});
      assert.deepEqual([...state.rendered].sort(), ['confidence', 'confusion', 'per_class', 'reliability']);
      assert.deepEqual(errors, [], `console errors: ${errors.join('\n')}`);
      assert.deepEqual(blocked, [], `the report tried to fetch: ${blocked.join(', ')}`);

      // Every chart drew its data marks (SVG elements inside Vega's role-mark groups).
      const marks = await js<Record<string, number>>(
        `Object.fromEntries([...document.querySelectorAll('[data-chart]')].map((el) => [el.getAttribute('data-chart'), el.querySelectorAll('svg g.role-mark > *').length]))`,
      );
      const n = metrics.confusion.labels.length;
      t.diagnostic(`marks per chart: ${JSON.stringify(marks)}`);
      assert.equal(marks.confusion, 4 * n * n, 'two heatmaps, each n² cells and n² labels');
      assert.equal(marks.per_class, 3 * n, 'precision, recall and F1 bars per class');
      const filledBins = metrics.calibration.bins.filter((b) => b.count > 0).length;
      assert.equal(marks.reliability, 2 * filledBins + 1, 'a bar and a dot per non-empty bin, and the diagonal');
      assert.equal(marks.confidence, 2 * metrics.calibration.bins.length, 'correct and wrong bars per bin');

      // The counts heatmap shows the metrics' confusion matrix, row-major (gold rows, predicted columns).
      const cells = await js<number[]>(
        `[...document.querySelectorAll('[data-chart=confusion] g.counts_text_marks > text')].map((e) => Number(e.textContent))`,
      );
      assert.deepEqual(cells, metrics.confusion.matrix.flat());
      const axis = await js<string[]>(
        `[...document.querySelectorAll('[data-chart=confusion] g.role-axis-label text')].map((e) => e.textContent)`,
      );
      for (const l of metrics.confusion.labels) assert.ok(axis.includes(l), `axis label ${l}`);

      // Summary numbers, and the most confident error with its sentences (HTML in the data stays text).
      const cards = await js<Record<string, string>>(
        `Object.fromEntries([...document.querySelectorAll('.card')].map((c) => [c.querySelector('.k').textContent, c.querySelector('.v').textContent]))`,
      );
      assert.equal(cards.rows, '600');
      assert.equal(cards.errors, '1');
      assert.equal(cards.accuracy, `${(metrics.accuracy! * 100).toFixed(1)}%`);
      assert.equal(cards.ECE, metrics.ece!.toFixed(4));
      const first = await js<string[]>(
        `[...document.querySelectorAll('#confident-errors tbody tr:first-child td')].map((td) => td.textContent)`,
      );
      assert.deepEqual(first.slice(0, 4), ['1', 'p1', TRICKY, 'Hypothesis number 1']);
      assert.equal(first[6], '99.0%');

      const shot = path.join(dir, 'report.png');
      await page.screenshot({ path: shot, fullPage: true });
      await page.setViewportSize({ width: 800, height: 900 });
      await page.screenshot({ path: path.join(dir, 'report-narrow.png'), fullPage: true });
      t.diagnostic(`report and screenshots kept in ${dir}`);
    } finally {
      await browser.close();
    }
  },
);

/** Feature rows whose first column carries the label and whose pooled vector is half right. */
function featureData(file: string, n: number, seed: number): FeatureData {
  const g = new Rng(seed);
  const gold: string[] = [];
  const features = new Float32Array(n * 2);
  const embedding = new Float32Array(n * 4);
  for (let r = 0; r < n; r++) {
    const c = r % 3;
    gold.push(LABELS[c]!);
    features[r * 2] = c + g.normal() * 0.4;
    features[r * 2 + 1] = g.normal();
    const said = g.next() < 0.5 ? c : (c + 1) % 3;
    for (let k = 0; k < 4; k++) embedding[r * 4 + k] = (k === said ? 2 : 0) + g.normal() * 0.1;
  }
  return {
    file,
    n,
    gold,
    ids: gold.map((_, i) => String(i)),
    embeddingDim: 4,
    embedding,
    featureNames: ['neg_premise', 'jaccard'],
    features,
    logitsDim: 0,
    logits: null,
    skippedErrors: 0,
    skippedUnlabelled: 0,
    meta: {
      format: 'pairscore-features',
      version: 1,
      model: { sha256: 'ef'.repeat(32), name: 'tiny' },
      embedding: 'pooled',
      embedding_dim: 4,
      features: ['neg_premise', 'jaccard'],
      logits: false,
      logits_dim: 0,
      model_labels: LABELS,
    },
  } as FeatureData;
}

test(
  'report of a head file: training curves and permutation importance render offline',
  { skip: hasChromium() ? false : BROWSER_MISSING, timeout: 120_000 },
  async (t) => {
    const fitted = fitHead(featureData('train.parquet', 300, 1), featureData('val.parquet', 150, 2), {
      ...DEFAULT_TRAIN_OPTIONS,
      hidden: [8],
      epochs: 15,
      lr: 1e-2,
      inputs: ['embedding', 'features'],
      valFraction: 0,
      autoRemedy: false,
    });
    const headFile = path.join(dir, 'head.json');
    fs.writeFileSync(headFile, headJson(fitted.head));
    const html = path.join(dir, 'head.html');
    const r = await runCli(['report', headFile, '--out', html]);
    assert.equal(r.code, 0, r.stderr);
    const importance = fitted.head.training!.importance as PermutationImportance;

    const browser = await launchChromium();
    try {
      const { page, errors, blocked } = await openOffline(browser, pathToFileURL(html).href);
      const js = <T>(expr: string) => page.evaluate(expr) as Promise<T>;
      await page.waitForFunction('window.__report && window.__report.done === true', null, { timeout: 30_000 });
      const state = await js<{ rendered: string[]; failed: Record<string, string> }>('window.__report');
      assert.deepEqual(state.failed, {});
      assert.deepEqual([...state.rendered].sort(), ['curves', 'importance']);
      assert.deepEqual(errors, []);
      assert.deepEqual(blocked, []);
      const marks = await js<Record<string, number>>(
        `Object.fromEntries([...document.querySelectorAll('[data-chart]')].map((el) => [el.getAttribute('data-chart'), el.querySelectorAll('svg g.role-mark > *').length]))`,
      );
      t.diagnostic(`marks per chart: ${JSON.stringify(marks)}`);
      const epochs = fitted.trained.history.length;
      // Three panels (loss, accuracy, macro-F1), each: two lines, a point per epoch and split, the chosen-epoch rule.
      assert.equal(marks.curves, 3 * (2 + 2 * epochs + 1));
      assert.equal(marks.importance, 2 * importance.groups.length, 'accuracy and macro-F1 bars per input group');
      const groups = await js<string[]>(
        `[...document.querySelectorAll('[data-chart=importance] g.role-axis-label text')].map((e) => e.textContent)`,
      );
      for (const g of importance.groups) assert.ok(groups.includes(g.group), `importance axis shows ${g.group}`);
      await page.screenshot({ path: path.join(dir, 'head.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  },
);
