/** What a run lacks for a whole `results` file, and how it is said (pure; no Redis). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeShortfall, runShortfall } from '../src/run/shortfall.js';
import type { RunStatus } from '../src/queue/index.js';

const base: RunStatus = {
  runId: 'r1',
  state: 'completed',
  rows: 100_000,
  done: 100_000,
  chunks: 391,
  chunkSize: 256,
  chunksAdded: 391,
  failedChunks: 0,
  pairsPerSec: 0,
  etaSeconds: 0,
  workers: [],
  workersSeen: [],
  workersAlive: 0,
  result: { state: 'completed', metrics: null, failedChunks: [], lostRows: 0, finishedAt: '' },
};

test('a run completed with every row has no shortfall', () => {
  assert.equal(runShortfall(base), null);
});

test('a cancelled, failed or unfinished run is short of the rows not done', () => {
  for (const state of ['cancelled', 'failed', 'running', 'queued'] as const) {
    const g = runShortfall({ ...base, state, done: 84_480 })!;
    assert.equal(g.missing, 15_520, state);
    assert.equal(describeShortfall(g), `run r1 is ${state}, not completed: 15,520 of 100,000 input rows are missing`);
  }
  // With --partial the count written decides (an unfinished run may have moved on).
  assert.match(
    describeShortfall(runShortfall({ ...base, state: 'running', done: 50_000 })!, 60_000),
    /40,000 of 100,000 input rows are missing/,
  );
});

test('a completed run with failed chunks or lost rows is short of its error rows', () => {
  const g = runShortfall({
    ...base,
    failedChunks: 2,
    result: {
      ...base.result!,
      failedChunks: [
        { chunk: 1, reason: 'x', firstIndex: 256, rows: 256 },
        { chunk: 9, reason: 'y', firstIndex: null, rows: null },
      ],
      lostRows: 256,
    },
  })!;
  assert.deepEqual([g.missing, g.errorRows, g.lostRows], [0, 512, 256]);
  assert.equal(describeShortfall(g), 'run r1 completed with 2 failed chunks and 256 lost rows: 512 of 100,000 input rows are error rows');
  const lostOnly = runShortfall({ ...base, result: { ...base.result!, lostRows: 3 } })!;
  assert.equal(lostOnly.errorRows, 3);
});
