import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsAccumulator, formatMetrics } from '../src/report/metrics.js';

test('MetricsAccumulator computes accuracy, per-class P/R/F1, macro-F1 and the confusion matrix', () => {
  const acc = new MetricsAccumulator(['E', 'N', 'C']);
  const rows: Array<[string, string]> = [
    ['E', 'E'],
    ['E', 'N'],
    ['N', 'N'],
    ['N', 'N'],
    ['C', 'C'],
    ['C', 'E'],
  ];
  for (const [gold, label] of rows) acc.add({ gold, label });
  acc.add({ error: 'empty premise (line 9)', gold: 'E' });
  acc.add({ label: 'E' }); // no gold: scored, not evaluated
  const m = acc.result(2);
  assert.equal(m.rows, 8);
  assert.equal(m.scored, 7);
  assert.equal(m.errors, 1);
  assert.equal(m.evaluated, 6);
  assert.equal(m.accuracy, 4 / 6);
  assert.deepEqual(m.confusion, {
    labels: ['E', 'N', 'C'],
    matrix: [
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ],
  });
  assert.deepEqual(m.per_class.E, { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
  assert.deepEqual(m.per_class.N, { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 });
  assert.deepEqual(m.per_class.C, { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
  assert.ok(Math.abs(m.macro_f1! - (0.5 + 0.8 + 2 / 3) / 3) < 1e-12);
  assert.equal(m.pairs_per_s, 3.5);
  assert.match(formatMetrics(m), /accuracy 66\.67%/);
});

test('MetricsAccumulator matches labels case-insensitively and adds unknown gold labels', () => {
  const acc = new MetricsAccumulator(['ENTAILMENT', 'CONTRADICTION']);
  acc.add({ gold: 'entailment', label: 'ENTAILMENT' });
  acc.add({ gold: 'neutral', label: 'CONTRADICTION' });
  const m = acc.result(1);
  assert.equal(m.accuracy, 0.5);
  assert.deepEqual(m.confusion.labels, ['ENTAILMENT', 'CONTRADICTION', 'neutral']);
  assert.equal(m.per_class.neutral!.support, 1);
});

test('without gold labels accuracy is null', () => {
  const acc = new MetricsAccumulator(['A', 'B']);
  acc.add({ label: 'A' });
  const m = acc.result(1);
  assert.equal(m.accuracy, null);
  assert.equal(m.macro_f1, null);
  assert.match(formatMetrics(m), /no gold labels/);
});

test('ECE, log-loss and Brier equal values computed by hand on a small fixture', () => {
  // Four rows, two labels. Confidence = probability of the predicted label.
  //   gold A, pred A, {A .9, B .1}  conf .9 (bin 9) correct  −ln .9  (.1²+.1²)=.02
  //   gold B, pred A, {A .8, B .2}  conf .8 (bin 8) wrong    −ln .2  (.8²+.8²)=1.28
  //   gold B, pred B, {A .4, B .6}  conf .6 (bin 6) correct  −ln .6  (.4²+.4²)=.32
  //   gold A, pred A, {A .85, B .15} conf .85 (bin 8) correct −ln .85 (.15²+.15²)=.045
  // Bins: 6 → {1 row, acc 1, conf .6}; 8 → {2 rows, acc .5, conf .825}; 9 → {1 row, acc 1, conf .9}
  // ECE = 1/4·|1−.6| + 2/4·|.5−.825| + 1/4·|1−.9| = .1 + .1625 + .025 = .2875
  const acc = new MetricsAccumulator(['A', 'B']);
  acc.add({ gold: 'A', label: 'A', probs: { A: 0.9, B: 0.1 } });
  acc.add({ gold: 'B', label: 'A', probs: { A: 0.8, B: 0.2 } });
  acc.add({ gold: 'b', label: 'B', probs: { A: 0.4, B: 0.6 } }); // case-insensitive like the confusion matrix
  acc.add({ gold: 'A', label: 'A', probs: { A: 0.85, B: 0.15 } });
  acc.add({ label: 'A', probs: { A: 0.7, B: 0.3 } }); // no gold: not in the calibration metrics
  acc.add({ error: 'bad row', gold: 'A' });
  const m = acc.result(1);
  const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} ≉ ${b}`);
  close(m.ece, 0.2875);
  close(m.log_loss, -(Math.log(0.9) + Math.log(0.2) + Math.log(0.6) + Math.log(0.85)) / 4);
  close(m.brier, (0.02 + 1.28 + 0.32 + 0.045) / 4);
  assert.equal(m.calibration.rows, 4);
  assert.equal(m.calibration.bins.length, 10);
  assert.deepEqual(
    m.calibration.bins.map((b) => b.count),
    [0, 0, 0, 0, 0, 0, 1, 0, 2, 1],
  );
  assert.deepEqual(
    m.calibration.bins.map((b) => b.correct),
    [0, 0, 0, 0, 0, 0, 1, 0, 1, 1],
  );
  close(m.calibration.bins[8]!.confidence, 0.825);
  assert.equal(m.calibration.bins[0]!.confidence, null);
  assert.match(formatMetrics(m), /ECE 0\.2875  log-loss 0\.\d{4}  Brier 0\.416\d/);
});

test('log-loss clips p(gold) at 1e-15; a gold label outside the probabilities adds 1 to Brier', () => {
  const acc = new MetricsAccumulator(['A', 'B']);
  acc.add({ gold: 'C', label: 'A', probs: { A: 1, B: 0 } });
  const m = acc.result(1);
  assert.ok(Math.abs(m.log_loss! - -Math.log(1e-15)) < 1e-9);
  assert.equal(m.brier, 1 + 1); // (1−0)² for A, 0 for B, +1 for the missing C
  assert.equal(m.ece, 1); // confidence 1, wrong
});

test('without probabilities the calibration metrics are null', () => {
  const acc = new MetricsAccumulator(['A', 'B']);
  acc.add({ gold: 'A', label: 'A' });
  const m = acc.result(1);
  assert.equal(m.ece, null);
  assert.equal(m.log_loss, null);
  assert.equal(m.brier, null);
  assert.equal(m.calibration.rows, 0);
  assert.doesNotMatch(formatMetrics(m), /ECE/);
});
