/** `status` lists each worker seen with its pairscore version, so a mixed-version fleet is visible. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatWorker } from '../src/queue/format.js';
import type { WorkerInfo } from '../src/queue/schemas.js';

const info = (over: Partial<WorkerInfo>): WorkerInfo => ({
  host: 'h',
  pid: 1,
  concurrency: 2,
  threads: 1,
  device: 'cpu',
  requestedDevice: 'cpu',
  executionProviders: ['cpu'],
  onnxruntime: '1.30.0',
  ...over,
});

test('a mixed-version fleet: each worker line names its pairscore version; an older worker without one shows ?', () => {
  const lines = [
    formatWorker({ id: 'a-1', alive: true, info: info({ version: '0.2.0' }) }),
    formatWorker({ id: 'b-2', alive: true, info: info({ version: '0.1.0' }) }),
    formatWorker({ id: 'c-3', alive: true, info: info({}) }),
    formatWorker({ id: 'd-4', alive: false, info: info({ version: '0.2.0', device: null }) }),
  ];
  assert.equal(lines[0], 'a-1  pairscore 0.2.0  cpu [cpu]  onnxruntime 1.30.0  alive');
  assert.equal(lines[1], 'b-2  pairscore 0.1.0  cpu [cpu]  onnxruntime 1.30.0  alive');
  assert.equal(lines[2], 'c-3  pairscore ?  cpu [cpu]  onnxruntime 1.30.0  alive');
  assert.equal(lines[3], 'd-4  pairscore 0.2.0  runs no model (aggregate only)  gone');
});

test('once a model has loaded, the line shows its sessions × threads and the device it really runs on', () => {
  assert.equal(
    formatWorker({ id: 'g-1', alive: true, info: info({ version: '0.2.0', requestedDevice: 'auto', sessions: 1, threads: 2 }) }),
    'g-1  pairscore 0.2.0  cpu [cpu] (asked auto)  1 × 2 threads  onnxruntime 1.30.0  alive',
  );
});
