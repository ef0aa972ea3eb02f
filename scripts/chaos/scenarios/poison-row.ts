/**
 * A row that crashes every worker that scores it (the test crash-marker hook,
 * PAIRSCORE_TEST_CRASH_MARKER): the chunk must be bisected until only that row is an
 * error row (src/queue/bisect.ts).
 */
import type { Scenario, WorkerProc } from '../harness.js';
import { sleep } from '../redis.js';

const MARKER = 'CHAOS-POISON-ROW';
const POISON_INDEX = 1234;

export const poisonRow: Scenario = {
  name: 'poison-row',
  rows: 3000,
  workers: 3,
  lockMs: 5000,
  errorRows: 1,
  workerEnv: { PAIRSCORE_TEST_CRASH_MARKER: MARKER },
  input: (f) => f.pairsWithMarker(3000, POISON_INDEX, MARKER),
  async inject(ctx) {
    // The fault is in the data. A deployment restarts workers that die (compose's restart
    // policy, systemd); here the scenario is that supervisor, until the run ends.
    const replaced = new Set<WorkerProc>();
    const deadline = Date.now() + 280000;
    for (;;) {
      const state = await ctx.state();
      if (state === 'completed' || state === 'failed' || state === 'cancelled' || Date.now() > deadline) break;
      for (const w of [...ctx.workers]) {
        if (w.alive || replaced.has(w)) continue;
        replaced.add(w);
        ctx.startWorker();
      }
      await sleep(250);
    }
    ctx.note(`${replaced.size} worker(s) died on the poison row and were restarted`);
  },
};
