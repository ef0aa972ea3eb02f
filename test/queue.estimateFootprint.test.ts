/** The Redis footprint estimate of a run, and the verdict against INFO memory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunSpec } from '../src/contracts.js';
import { estimateFootprint, fitsMaxmemory, resultRowBytes } from '../src/queue/footprint.js';

function spec(task: 'score' | 'extract', rows: number, format = 'jsonl'): RunSpec {
  return {
    runId: 'r1',
    version: '0.1.0',
    createdAt: '2026-11-30T00:00:00Z',
    model: { name: 'demo', sha256: 'a'.repeat(64) },
    plan: {
      task,
      featureSelection: 'all',
      features: Array.from({ length: 40 }, (_, i) => `f${i}`),
      labels: task === 'score' ? ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'] : [],
      kinds: ['pooled'],
      maxLength: 128,
      head: null,
      extract:
        task === 'extract' ? { embedding: 'pooled', embeddingDim: 768, logits: true, logitsDim: 3, modelLabels: ['a', 'b', 'c'] } : null,
    },
    input: { file: 'p.jsonl', sha256: 'b'.repeat(64), format, rows },
    chunkSize: 100,
    chunks: Math.ceil(rows / 100),
    keepSeconds: 3600,
  };
}

test('an extract row is dominated by its base64 float32 vectors (≈ 4 KB for 768-d); a score row is small', () => {
  const extract = resultRowBytes(spec('extract', 1));
  assert.ok(extract > 4096 && extract < 4700, String(extract));
  const score = resultRowBytes(spec('score', 1));
  assert.ok(score > 150 && score < 300, String(score));
});

test('the estimate adds queued jobs (the input text, more for compressed Parquet) and stored rows', () => {
  const a = estimateFootprint(spec('score', 20000), 2_600_000);
  assert.ok(a.jobBytes > 2_600_000 && a.jobBytes < 4_500_000, String(a.jobBytes));
  assert.equal(a.bytes, a.jobBytes + 20000 * (a.resultRowBytes + 64));
  assert.ok(estimateFootprint(spec('score', 20000, 'parquet'), 2_600_000).jobBytes > 2.5 * a.jobBytes);
});

test('the verdict: fits under free maxmemory; no maxmemory means no limit; otherwise a message with the numbers and the ways out', () => {
  const s = spec('score', 20000);
  const e = estimateFootprint(s, 2_600_000);
  assert.equal(fitsMaxmemory(e, s, 'used_memory:1000000\r\nmaxmemory:0\r\n', 'Redis').fits, true);
  assert.equal(fitsMaxmemory(e, s, 'used_memory:1000000\r\nmaxmemory:100000000\r\n', 'Redis').fits, true);
  assert.equal(fitsMaxmemory(e, s, '', 'Redis').fits, true, 'INFO refused: nothing to compare');
  const v = fitsMaxmemory(e, s, 'used_memory:1048576\r\nmaxmemory:3145728\r\n', 'Redis at redis://h:6379');
  assert.equal(v.fits, false);
  assert.match(
    v.message!,
    /run r1 needs about [\d.]+ MB .*20000 rows .* Redis at redis:\/\/h:6379 has 2\.0 MB free \(used 1\.0 MB of maxmemory 3\.0 MB\).*--force/,
  );
});
