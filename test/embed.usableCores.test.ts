/**
 * The session layout's core count honours a cgroup CPU quota (a container run with `--cpus`), which
 * os.availableParallelism() does not see: cgroup v2 `cpu.max`, cgroup v1 quota/period, and none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cgroupQuotaCores, coresFromCpuMax, coresFromQuota, usableCores } from '../src/embed/cpu-quota.js';
import { chooseSessionLayout } from '../src/embed/session-layout.js';

test('cpu.max and cfs quota/period: cores allowed, a fraction rounds up, no quota is no limit', () => {
  assert.equal(coresFromCpuMax('max 100000\n'), undefined);
  assert.equal(coresFromCpuMax('200000 100000\n'), 2);
  assert.equal(coresFromCpuMax('150000 100000'), 2);
  assert.equal(coresFromCpuMax('50000 100000'), 1);
  assert.equal(coresFromQuota(-1, 100000), undefined);
  assert.equal(coresFromQuota(400000, 100000), 4);
});

test('a cgroup tree on disk: v2 and v1 files are read, the smaller limit wins, a missing tree is no limit', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-cgroup-'));
  try {
    assert.equal(cgroupQuotaCores(root), undefined);
    fs.writeFileSync(path.join(root, 'cpu.max'), '300000 100000\n');
    assert.equal(cgroupQuotaCores(root), 3);
    fs.mkdirSync(path.join(root, 'cpu'));
    fs.writeFileSync(path.join(root, 'cpu', 'cpu.cfs_quota_us'), '100000\n');
    fs.writeFileSync(path.join(root, 'cpu', 'cpu.cfs_period_us'), '100000\n');
    assert.equal(cgroupQuotaCores(root), 1);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('a 2-CPU quota on a 16-core host gives 2 sessions × 1 thread, not 16 sessions', () => {
  const cores = usableCores(2, 16);
  assert.equal(cores, 2);
  assert.equal(usableCores(undefined, 16), 16);
  assert.equal(usableCores(32, 16), 16, 'a quota above the affinity mask does not add cores');
  const layout = chooseSessionLayout({ cores, freeMemBytes: 64e9, modelBytes: 440e6, device: 'cpu' });
  assert.deepEqual([layout.sessions, layout.threads], [2, 1]);
});
