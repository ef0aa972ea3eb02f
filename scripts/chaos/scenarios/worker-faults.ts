/** Faults of worker processes: SIGKILL, SIGSTOP past the job lock, SIGTERM with chunks in flight. */
import type { Scenario, ScenarioContext } from '../harness.js';
import { sleep } from '../redis.js';

/** SIGKILL a worker holding chunks `times` times, spread over the run, each replaced by a fresh one. */
export function killWorkers(name: string, times: number, rows: number): Scenario {
  return {
    name,
    rows,
    workers: 3,
    lockMs: 5000,
    async inject(ctx: ScenarioContext) {
      for (let i = 0; i < times; i++) {
        await ctx.waitForProgress((i + 1) / (times + 2));
        const victim = ctx.workers.filter((w) => w.alive)[i % 3];
        if (!victim) break;
        victim.signal('SIGKILL');
        await victim.exited;
        ctx.startWorker();
      }
    },
  };
}

/** SIGSTOP a worker for 2.5 job locks (its chunks are handed to others), then SIGCONT. */
export const sigstopPastLock: Scenario = {
  name: 'sigstop-past-lock',
  rows: 4000,
  workers: 2,
  lockMs: 5000,
  async inject(ctx) {
    await ctx.waitForProgress(0.2);
    const w = ctx.workers[0]!;
    w.signal('SIGSTOP');
    await sleep(12500);
    w.signal('SIGCONT');
  },
};

/** SIGTERM a worker with chunks in flight: it finishes them and exits 0 (within 30 s), the other carries on. */
export const sigtermInFlight: Scenario = {
  name: 'sigterm-in-flight',
  rows: 4000,
  workers: 2,
  async inject(ctx) {
    await ctx.waitForProgress(0.25);
    const w = ctx.workers[0]!;
    const t0 = Date.now();
    w.signal('SIGTERM');
    const exit = await Promise.race([w.exited, sleep(30000).then(() => 'timeout')]);
    if (exit !== 0) ctx.fail(`the worker sent SIGTERM ${exit === 'timeout' ? 'did not exit within 30 s' : `exited ${exit}`}`);
    else ctx.note(`SIGTERM: worker exited 0 after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  },
};
