import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseSessionLayout, defaultBatchTokens, describeLayout, MEMORY_SHARE } from '../src/embed/session-layout.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;
const base = { cores: 2, freeMemBytes: 16 * GB, modelBytes: 420 * MB, device: 'cpu' as const };

test('CPU, nothing set: one single-threaded session per core', () => {
  const l = chooseSessionLayout(base);
  assert.deepEqual([l.sessions, l.threads], [2, 1]);
  assert.match(l.reason, /2 cores, model 420 MB, budget 8\.0 GB = 50% of free memory/);
  assert.deepEqual([chooseSessionLayout({ ...base, cores: 8 }).sessions, chooseSessionLayout({ ...base, cores: 1 }).sessions], [8, 1]);
});

test('CPU, nothing set: sessions are cut to the memory budget and the spare cores become threads', () => {
  // 8 cores, 2 GB free → 1 GB budget holds two 420 MB copies: 2 sessions × 4 threads.
  const byFree = chooseSessionLayout({ ...base, cores: 8, freeMemBytes: 2 * GB });
  assert.deepEqual([byFree.sessions, byFree.threads], [2, 4]);
  assert.match(byFree.reason, /2 of 8 sessions fit/);
  // --max-memory replaces the share of free memory.
  const byFlag = chooseSessionLayout({ ...base, cores: 8, maxMemoryBytes: 1300 * MB });
  assert.deepEqual([byFlag.sessions, byFlag.threads], [3, 2]);
  assert.match(byFlag.reason, /--max-memory/);
  // A budget below one copy still runs one session, on every core.
  const tiny = chooseSessionLayout({ ...base, cores: 4, maxMemoryBytes: 10 * MB });
  assert.deepEqual([tiny.sessions, tiny.threads], [1, 4]);
  assert.equal(MEMORY_SHARE, 0.5);
});

test('explicit values win; one given derives the other within the cores', () => {
  const both = chooseSessionLayout({ ...base, sessions: 3, threads: 5, maxMemoryBytes: MB });
  assert.deepEqual([both.sessions, both.threads], [3, 5]);
  assert.match(both.reason, /set by --sessions and --threads; 2 cores, model 420 MB; 3 copies exceed the budget 1 MB \(--max-memory\)/);
  assert.doesNotMatch(chooseSessionLayout({ ...base, sessions: 2, threads: 1 }).reason, /exceed/);
  const s = chooseSessionLayout({ ...base, cores: 8, sessions: 2 });
  assert.deepEqual([s.sessions, s.threads], [2, 4]);
  const s9 = chooseSessionLayout({ ...base, cores: 8, sessions: 9 });
  assert.deepEqual([s9.sessions, s9.threads], [9, 1]);
  const t = chooseSessionLayout({ ...base, cores: 8, threads: 2 });
  assert.deepEqual([t.sessions, t.threads], [4, 2]);
  const t9 = chooseSessionLayout({ ...base, cores: 8, threads: 16 });
  assert.deepEqual([t9.sessions, t9.threads], [1, 16]);
  // A derived session count still respects the budget.
  const tMem = chooseSessionLayout({ ...base, cores: 8, threads: 2, maxMemoryBytes: 900 * MB });
  assert.deepEqual([tMem.sessions, tMem.threads], [2, 2]);
});

test('GPU devices: one session', () => {
  for (const device of ['cuda', 'webgpu'] as const) {
    const l = chooseSessionLayout({ ...base, cores: 8, device });
    assert.deepEqual([l.sessions, l.threads], [1, 8]);
    assert.match(l.reason, new RegExp(device));
  }
  assert.equal(chooseSessionLayout({ ...base, device: 'cuda', sessions: 2 }).sessions, 2);
});

test('batch-token defaults per device, and the start-up line', () => {
  assert.deepEqual([defaultBatchTokens('cpu'), defaultBatchTokens('cuda'), defaultBatchTokens('webgpu')], [1024, 8192, 1024]);
  const line = describeLayout({ ...chooseSessionLayout(base), batchTokens: 1024 });
  assert.match(line, /^sessions 2 × threads 1, batch-tokens 1024 \(2 cores, model 420 MB, budget /);
});
