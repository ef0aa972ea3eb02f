/** Faults of Redis itself: SIGKILL and a restart from the AOF; writes refused (maxmemory below used). */
import type { Scenario } from '../harness.js';
import { sleep } from '../redis.js';

/** kill -9 Redis mid-run, start it again from its AOF (appendfsync everysec) after `downMs`. */
export function redisRestart(name: string, downMs: number): Scenario {
  return {
    name,
    rows: 6000,
    workers: 2,
    async inject(ctx) {
      await ctx.waitForProgress(0.25);
      await ctx.redis.kill9();
      await sleep(downMs);
      await ctx.redis.restart();
    },
  };
}

/** `CONFIG SET maxmemory` below used memory (noeviction: every write gets OOM) for `refuseMs`, then lifted. */
export function redisRefusesWrites(name: string, refuseMs: number): Scenario {
  return {
    name,
    rows: 6000,
    workers: 2,
    async inject(ctx) {
      await ctx.waitForProgress(0.25);
      const used = (await ctx.redis.usedMemory()) ?? 0;
      await ctx.redis.command('CONFIG', 'SET', 'maxmemory', String(Math.max(1 << 20, Math.floor(used / 2))));
      await sleep(refuseMs);
      await ctx.redis.command('CONFIG', 'SET', 'maxmemory', '0');
    },
  };
}

/**
 * While Redis is down: a worker sent SIGTERM exits within 15 s, and a worker started
 * then waits for Redis (workers retry forever) and takes chunks once it is back.
 */
export const workersWhileRedisDown: Scenario = {
  name: 'workers-while-redis-down',
  rows: 4000,
  workers: 2,
  async inject(ctx) {
    await ctx.waitForProgress(0.25);
    await ctx.redis.kill9();
    const stopped = ctx.workers[0]!;
    const t0 = Date.now();
    stopped.signal('SIGTERM');
    const late = ctx.startWorker();
    const exit = await Promise.race([stopped.exited, sleep(15000).then(() => 'timeout')]);
    if (exit === 'timeout') {
      ctx.fail('a worker sent SIGTERM while Redis was down did not exit within 15 s');
      stopped.signal('SIGKILL');
    } else ctx.note(`SIGTERM while Redis was down: exited ${exit} after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await sleep(Math.max(0, 5000 - (Date.now() - t0)));
    if (!late.alive)
      ctx.fail(
        `a worker started while Redis was down exited (${await late.exited}) instead of waiting for it: ${late.output().trim().split('\n').slice(-1)[0] ?? ''}`,
      );
    await ctx.redis.restart();
  },
};
