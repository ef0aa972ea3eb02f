/**
 * The producer dies after its last chunk is queued and before the run is sealed
 * (crash-submit.ts kills itself there with SIGKILL). Recovery as documented: run the same
 * `submit` again; the run must then end with every row. Two crash points:
 * - before the run is marked queued (state `submitting`);
 * - after it is marked queued, before the seal job is promoted: the state the producer
 *   leaves there is made by setting `queued` exactly as submit would have next.
 */
import path from 'node:path';
import { Redis } from 'ioredis';
import { redisNames } from '../../../src/queue/keys.js';
import { repoRoot, runNode, type Scenario, type ScenarioContext } from '../harness.js';
import { sleep } from '../redis.js';

async function crashThenResubmit(ctx: ScenarioContext, afterQueued: boolean): Promise<void> {
  const script = path.join(repoRoot, 'dist', 'scripts', 'chaos', 'crash-submit.js');
  const r = await runNode([script, ctx.input, ctx.runId], ctx.env);
  if (r.code !== 137) ctx.note(`crash-submit exited ${r.code} (expected SIGKILL): ${r.stderr.trim().slice(-300)}`);
  if (afterQueued) {
    const redis = new Redis(ctx.redis.url);
    await redis.hset(redisNames(String(ctx.env.PAIRSCORE_PREFIX)).runMeta(ctx.runId), 'state', 'queued');
    redis.disconnect();
  }
  await sleep(5000);
  ctx.note(`after the crash: state ${await ctx.state()}, ${await ctx.done()} rows done; submitting again`);
  const again = await ctx.submit();
  ctx.note(`second submit exited ${again.code}: ${again.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
}

export const producerCrashBeforeQueued: Scenario = {
  name: 'producer-crash-before-queued',
  rows: 3000,
  workers: 2,
  submitsItself: true,
  timeoutMs: 90000,
  inject: (ctx) => crashThenResubmit(ctx, false),
};

export const producerCrashBeforeSeal: Scenario = {
  name: 'producer-crash-before-seal',
  rows: 3000,
  workers: 2,
  submitsItself: true,
  timeoutMs: 90000,
  inject: (ctx) => crashThenResubmit(ctx, true),
};
