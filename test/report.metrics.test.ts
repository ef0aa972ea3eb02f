import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsAccumulator, formatMetrics } from '../src/report/metrics.js';

test('MetricsAccumulator computes accuracy, per-class P/R/F1, macro-F1 and the confusion matrix', () => {
  const acc = new MetricsAccumulator(['E', 'N', 'C']);
  const rows: Array<[string, string]> = [
    ['E', 'E'], ['E', 'N'], ['N', 'N'], ['N', 'N'], ['C', 'C'], ['C', 'E'],
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
  assert.deepEqual(m.confusion, { labels: ['E', 'N', 'C'], matrix: [[1, 1, 0], [0, 2, 0], [1, 0, 1]] });
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
