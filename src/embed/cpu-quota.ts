/**
 * Cores this process may really use: os.availableParallelism() counts the CPUs of its affinity
 * mask (a cpuset), but a container limited by a CPU quota (`docker run --cpus 2`, Kubernetes
 * `limits.cpu`) sees every core of the host there. One session per "core" would then oversubscribe
 * the quota and run slower than fewer sessions, so the layout takes the smaller of the two.
 * Reads cgroup v2 `cpu.max` and cgroup v1 `cpu.cfs_quota_us`/`cpu.cfs_period_us`; no quota, or
 * files that are absent or unreadable, mean no limit.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Cores a cgroup v2 `cpu.max` ("max 100000" or "150000 100000") allows; undefined: no limit. */
export function coresFromCpuMax(text: string): number | undefined {
  const [quota, period] = text.trim().split(/\s+/);
  if (quota === undefined || quota === 'max') return undefined;
  return coresFromQuota(Number(quota), Number(period ?? 100000));
}

/** Cores a cgroup v1 quota/period pair allows (quota -1: none); a fraction rounds up to a core. */
export function coresFromQuota(quotaUs: number, periodUs: number): number | undefined {
  if (!Number.isFinite(quotaUs) || !Number.isFinite(periodUs) || quotaUs <= 0 || periodUs <= 0) return undefined;
  return Math.max(1, Math.ceil(quotaUs / periodUs));
}

const readText = (file: string): string | undefined => {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/** The quota of this process's cgroup (v2, then v1 at the usual mount points); undefined: none. */
export function cgroupQuotaCores(root = '/sys/fs/cgroup', read: (file: string) => string | undefined = readText): number | undefined {
  const limits: number[] = [];
  const v2 = read(`${root}/cpu.max`);
  if (v2 !== undefined) {
    const n = coresFromCpuMax(v2);
    if (n !== undefined) limits.push(n);
  }
  for (const dir of [`${root}/cpu`, `${root}/cpu,cpuacct`]) {
    const quota = read(`${dir}/cpu.cfs_quota_us`);
    const period = read(`${dir}/cpu.cfs_period_us`);
    if (quota === undefined || period === undefined) continue;
    const n = coresFromQuota(Number(quota.trim()), Number(period.trim()));
    if (n !== undefined) limits.push(n);
  }
  return limits.length > 0 ? Math.min(...limits) : undefined;
}

/** os.availableParallelism(), cut to the cgroup CPU quota when there is one. */
export function usableCores(quota: number | undefined = cgroupQuotaCores(), available = os.availableParallelism()): number {
  return quota === undefined ? available : Math.max(1, Math.min(available, quota));
}
