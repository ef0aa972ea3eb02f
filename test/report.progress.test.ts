import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createProgress, formatDuration, progressLine } from '../src/report/progress.js';

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

test('createProgress without a terminal prints a plain line every interval and a last one, never a carriage return', () => {
  const lines: string[] = [];
  const stream = { isTTY: false, write: (s: string) => (lines.push(s), true) };
  const p = createProgress('score', 100, stream, 0);
  p.update(10);
  p.update(60);
  p.finish();
  assert.equal(lines.length, 3);
  assert.ok(
    lines.every((l) => l.endsWith('\n') && !l.includes('\r')),
    JSON.stringify(lines),
  );
  assert.match(lines[1]!, /60\/100 pairs/);
  assert.match(lines[2]!, /60\/100 pairs/);
});

test('createProgress without a terminal stays silent for a run shorter than the interval', () => {
  const lines: string[] = [];
  const p = createProgress('score', 100, { isTTY: false, write: (s: string) => (lines.push(s), true) }, 60_000);
  p.update(50);
  p.update(100);
  p.finish();
  assert.deepEqual(lines, []);
});
