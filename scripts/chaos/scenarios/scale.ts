/** No fault, at size: 4 workers × 20k rows; reports peak Redis used_memory and peak worker RSS. */
import type { Scenario } from '../harness.js';

const mb = (b: number) => (b / 1048576).toFixed(0);

export const scale: Scenario = {
  name: 'scale-4x20k',
  rows: 20000,
  workers: 4,
  timeoutMs: 900000,
  async inject() {
    // Nothing: the measurement is the scenario.
  },
  extra: (m) => ({ peak_redis_mb: mb(m.peakRedisBytes), peak_worker_rss_mb: mb(m.peakWorkerRssBytes), seconds: m.seconds.toFixed(0) }),
};

/** The same without a fault, small: proves the harness itself (every row ok). */
export const noFault: Scenario = {
  name: 'no-fault',
  rows: 2000,
  workers: 2,
  async inject() {
    // Nothing.
  },
};
