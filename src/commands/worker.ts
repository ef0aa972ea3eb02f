/** `pairscore worker`: score chunk jobs (and aggregate runs) until SIGTERM/SIGINT. */
import { Command } from 'commander';
import { createLogger } from '../log.js';
import { InputError } from '../errors.js';
import { configFromFlags, settingOption, settingOptions } from './setting-option.js';
import { SESSION_SETTINGS } from './options.js';
import { redisOptionsOn, type RedisFlags } from './redis-command.js';

export function registerWorkerCommand(program: Command): void {
  const worker = program
    .command('worker')
    .description('score chunk jobs (and aggregate runs) until SIGTERM/SIGINT')
    .addOption(settingOption('modelsRoot'))
    .addOption(settingOption('concurrency'));
  redisOptionsOn(
    settingOptions(worker, [...SESSION_SETTINGS, 'gpuId'])
      .option('--no-aggregate', 'do not run aggregate jobs in this process')
      .option('--no-score', 'do not run chunk jobs: only aggregate runs (an aggregator beside workers started with --no-aggregate)')
      .addOption(settingOption('metricsPort'))
      .addOption(settingOption('logLevel')),
  ).action(async (f: RedisFlags & { aggregate: boolean; score: boolean }) => {
    if (!f.aggregate && !f.score) throw new InputError('--no-score with --no-aggregate leaves this worker nothing to do: drop one of them');
    const config = configFromFlags(f);
    const log = createLogger(config.logLevel, { role: 'worker' });
    const { runWorkerUntilSignal, workerOptionsFrom } = await import('../queue/lifecycle.js');
    await runWorkerUntilSignal(workerOptionsFrom(config, log, { aggregate: f.aggregate, score: f.score }));
    // The worker has stopped; a BullMQ connection still reconnecting to an unreachable Redis
    // must not keep the process alive (the timer does not either: unref).
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
