/** The runs page is a pure function of the status data: what it shows, and that nothing from Redis reaches it unescaped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderRunsPage } from '../src/dashboard/runs-page.js';
import type { DashboardData } from '../src/dashboard/runs-data.js';
import type { RunStatus } from '../src/queue/index.js';

const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)> & 'quoted'`;

const run = (over: Partial<RunStatus>): RunStatus => ({
  runId: 'r1',
  state: 'running',
  createdAt: '2026-11-30T16:00:00.000Z',
  rows: 400,
  done: 100,
  chunks: 8,
  chunkSize: 50,
  chunksAdded: 8,
  failedChunks: 0,
  chunksDone: 2,
  pairsPerSec: 12.5,
  etaSeconds: 24,
  workers: ['w-1'],
  workersAlive: 1,
  workersSeen: [],
  ...over,
});

const data = (over: Partial<DashboardData> = {}): DashboardData => ({
  prefix: 'fleet-a',
  readAt: '2026-11-30T16:01:00.000Z',
  runs: [
    run({}),
    run({
      runId: 'r2',
      state: 'completed',
      done: 400,
      etaSeconds: 0,
      failedChunks: 1,
      result: {
        state: 'completed',
        metrics: null,
        lostRows: 0,
        finishedAt: '2026-11-30T16:05:00.000Z',
        failedChunks: [{ chunk: 2, reason: HOSTILE, firstIndex: 100, rows: 50 }],
      },
    }),
  ],
  workers: [
    {
      id: 'vm-4242-ab12',
      alive: true,
      lastHeartbeat: Date.parse('2026-11-30T16:00:58.000Z'),
      info: {
        host: 'vm',
        pid: 4242,
        concurrency: 2,
        threads: 1,
        device: 'cpu',
        requestedDevice: 'auto',
        executionProviders: ['cpu'],
        onnxruntime: '1.30.0',
        version: '0.1.0',
      },
    },
    { id: 'gone-1', alive: false, info: null },
  ],
  ...over,
});

const opts = { queuesPath: '/queues/', refreshSeconds: 5, actions: false };

test('every run with its state, rows and chunks, a progress bar, pairs/s, created time; every worker with host, pid, version, device, providers, heartbeat', () => {
  const html = renderRunsPage(data(), opts);
  assert.match(html, /<tr data-run="r1">[\s\S]*?<span class="state running">running<\/span>/);
  // r2 completed with a failed chunk: not shown as a plain green "completed".
  assert.match(html, /<tr data-run="r2">[\s\S]*?<span class="state completed with-errors">completed, 1 chunk failed<\/span>/);
  assert.doesNotMatch(html, /<tr data-run="r2">[^]*?<span class="state completed">completed<\/span>/);
  assert.match(html, /style="width:25\.0%"><\/span><\/span>100\/400 rows \(25\.0%\)/);
  assert.match(html, /2\/8 chunks done \(up to 50 rows each\); failed 0/);
  assert.match(html, /<td class="num">12\.5<\/td>/);
  assert.match(html, /<time datetime="2026-11-30T16:00:00.000Z">2026-11-30 16:00:00Z<\/time>/);
  assert.match(html, /chunk 2 \(rows 100–149\): /);
  const worker = /<tr class="alive" data-worker="vm-4242-ab12">([\s\S]*?)<\/tr>/.exec(html)?.[1] ?? '';
  for (const cell of [
    '<td>vm</td>',
    '>4242<',
    '<td>0.1.0</td>',
    'cpu (asked auto)',
    '<td>cpu</td>',
    '1.30.0',
    '2026-11-30 16:00:58Z',
    'alive',
  ]) {
    assert.ok(worker.includes(cell), `worker row lacks ${cell}: ${worker}`);
  }
  assert.match(html, /<tr class="gone" data-worker="gone-1">/);
  assert.match(html, /<meta http-equiv="refresh" content="5">/);
  assert.match(html, /href="\/queues\/">queues \(bull-board, read-only\)/);
});

test('a hostile failure reason, run id, prefix and host name are escaped, never markup', () => {
  const hostile = data({
    prefix: HOSTILE,
    runs: [
      run({
        runId: `"><b>id`,
        chunksDone: undefined,
        result: {
          state: 'failed',
          reason: HOSTILE,
          metrics: null,
          lostRows: 0,
          finishedAt: '',
          failedChunks: [{ chunk: 1, part: '<i>a</i>', reason: HOSTILE, firstIndex: null, rows: null }],
        },
      }),
    ],
    workers: [
      {
        id: '<w>',
        alive: true,
        info: {
          host: HOSTILE,
          pid: 1,
          concurrency: 1,
          threads: 1,
          device: '<d>',
          executionProviders: ['<p>'],
          onnxruntime: '<o>',
          version: '<v>',
        },
      },
    ],
  });
  const html = renderRunsPage(hostile, opts);
  assert.ok(!html.includes('<script>'), 'no script element');
  assert.ok(!html.includes('<img'), 'no img element');
  assert.ok(!/<(b|i|w|d|p|o|v)>/.test(html), 'no injected tags');
  assert.ok(html.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;quoted&#39;'));
  assert.ok(html.includes('data-run="&quot;&gt;&lt;b&gt;id"'));
  assert.match(html, /chunk 1 part &lt;i&gt;a&lt;\/i&gt;: &lt;script&gt;/);
  assert.match(html, /8 chunks \(up to 50 rows each\)/, 'without a done count the total alone');
});

test('no runs, no workers, and a Redis that did not answer are said in words', () => {
  const html = renderRunsPage(data({ runs: [], workers: [], error: 'Redis at redis://127.0.0.1:6379 did not answer within 5000 ms' }), {
    ...opts,
    refreshSeconds: 0,
    actions: true,
  });
  assert.match(html, /no runs under this prefix/);
  assert.match(html, /no worker has sent a heartbeat recently/);
  assert.match(html, /<p class="error">Redis did not answer: Redis at redis:\/\/127.0.0.1:6379 did not answer within 5000 ms<\/p>/);
  assert.ok(!html.includes('http-equiv="refresh"'));
  assert.match(html, /queues \(bull-board, actions allowed\)/);
});
