/**
 * The producer dies after its last chunk is queued and before the run is sealed
 * (crash-submit.ts kills itself there with SIGKILL). Recovery as documented: run the same
 * `submit` again; the run must then end with every row.
 */
import path from 'node:path';
import { repoRoot, runNode, type Scenario } from '../harness.js';
import { sleep } from '../redis.js';

export const producerCrashBeforeSeal: Scenario = {
  name: 'producer-crash-before-seal', rows: 3000, workers: 2, submitsItself: true,
  async inject(ctx) {
    const script = path.join(repoRoot, 'dist', 'scripts', 'chaos', 'crash-submit.js');
    const r = await runNode([script, ctx.input, ctx.runId], ctx.env);
    if (r.code !== 137) ctx.note(`crash-submit exited ${r.code} (expected SIGKILL): ${r.stderr.trim().slice(-300)}`);
    await sleep(5000);
    ctx.note(`after the crash: state ${await ctx.state()}, ${await ctx.done()} rows done; submitting again`);
    const again = await ctx.submit();
    ctx.note(`second submit exited ${again.code}: ${again.stderr.trim().split('\n').slice(-1)[0] ?? ''}`);
  },
};
