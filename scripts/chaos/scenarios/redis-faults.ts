/** Faults of Redis itself: SIGKILL and a restart from the AOF; writes refused (maxmemory below used). */
import type { Scenario } from '../harness.js';
import { sleep } from '../redis.js';

/** kill -9 Redis mid-run, start it again from its AOF (appendfsync everysec) after `downMs`. */
export function redisRestart(name: string, downMs: number): Scenario {
  return {
    name, rows: 6000, workers: 2,
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
    name, rows: 6000, workers: 2,
    async inject(ctx) {
      await ctx.waitForProgress(0.25);
      const used = (await ctx.redis.usedMemory()) ?? 0;
      await ctx.redis.command('CONFIG', 'SET', 'maxmemory', String(Math.max(1 << 20, Math.floor(used / 2))));
      await sleep(refuseMs);
      await ctx.redis.command('CONFIG', 'SET', 'maxmemory', '0');
    },
  };
}
