/** `cancel`, `pause`, `resume` and `retry` of one run (src/queue/run-control.ts does the work). */
import { Command } from 'commander';
import { formatMetrics } from '../report/metrics.js';
import { formatStatus } from '../queue/format.js';
import { say } from './options.js';
import { configFromFlags } from './setting-option.js';
import {
  failIfIncomplete,
  redisOptionsOn,
  statusPrinter,
  timeoutMs,
  timeoutOn,
  whileWaiting,
  withClient,
  type RedisFlags,
} from './redis-command.js';

export function registerRunControlCommands(program: Command): void {
  redisOptionsOn(program.command('cancel <runId>').description('stop a run: remaining chunks are dropped, active ones finish')).action(
    async (runId: string, f: RedisFlags) => {
      const r = await withClient(configFromFlags(f), (c) => c.cancel(runId));
      say(r.removed ? `run ${runId} cancelled` : `run ${runId} had already ended (${r.state})`);
    },
  );

  redisOptionsOn(
    program.command('pause <runId>').description('pause one run: workers park its chunks (active ones finish); other runs keep flowing'),
  ).action(async (runId: string, f: RedisFlags) => {
    const paused = await withClient(configFromFlags(f), (c) => c.pause(runId));
    say(paused ? `run ${runId} paused (chunks being scored finish; pairscore resume ${runId} goes on)` : `run ${runId} was paused already`);
  });

  redisOptionsOn(program.command('resume <runId>').description('resume a paused run: its parked chunks are queued again')).action(
    async (runId: string, f: RedisFlags) => {
      const r = await withClient(configFromFlags(f), (c) => c.resume(runId));
      say(
        r.already
          ? `run ${runId} was resumed already; ${r.promoted} chunk(s) still parked queued again`
          : `run ${runId} resumed (${r.promoted} parked chunk(s) queued again)`,
      );
    },
  );

  redisOptionsOn(
    timeoutOn(
      program
        .command('retry <runId>')
        .description('queue the failed chunks of a run that ended again, under the same run id; rows already scored stay')
        .option('--wait', 'wait for the run, show progress, print metrics; exit 1 unless every row was scored'),
      'with --wait',
    ),
  ).action(async (runId: string, f: RedisFlags & { wait?: boolean; timeout?: number }) => {
    const config = configFromFlags(f);
    const r = await withClient(config, (c) => c.retry(runId));
    if (r.resumed) say(`run ${runId}: finishing a retry of it that was stopped half-way`);
    say(
      r.chunks.length > 0
        ? `run ${runId} (${r.from}): ${r.chunks.length} failed chunk(s) queued again, ${r.rowsReset} error row(s) cleared; it is running`
        : `run ${runId} (${r.from}): its aggregate queued again; it is running`,
    );
    if (!f.wait) return;
    const s = await whileWaiting(runId, (signal) =>
      withClient(config, (c) => c.wait(runId, { onStatus: statusPrinter(), signal, ...timeoutMs(f.timeout) }), true),
    );
    if (process.stderr.isTTY) process.stderr.write('\n');
    say(formatStatus(s));
    if (s.result?.metrics) say(formatMetrics(s.result.metrics));
    failIfIncomplete(s);
  });
}
