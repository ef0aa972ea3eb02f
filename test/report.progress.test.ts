import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, progressLine } from '../src/report/progress.js';

test('progressLine shows pairs, rate and ETA', () => {
  const line = progressLine('score', 50, 200, 10);
  assert.match(line, /50\/200 pairs/);
  assert.match(line, /25\.0%/);
  assert.match(line, /5\.0 pairs\/s/);
  assert.match(line, /ETA 30s/);
  assert.match(progressLine('score', 5, undefined, 1), /5 pairs  5\.0 pairs\/s/);
});

test('formatDuration', () => {
  assert.equal(formatDuration(5), '5s');
  assert.equal(formatDuration(125), '2m05s');
  assert.equal(formatDuration(3725), '1h02m');
  assert.equal(formatDuration(Number.NaN), '--');
});
