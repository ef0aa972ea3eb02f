/** `pairscore worker`: score chunk jobs (and aggregate runs) until SIGTERM/SIGINT. */
import { Command, Option } from 'commander';
import { createLogger } from '../log.js';
import { InputError } from '../errors.js';
import { int, logLevelOption, ordinal } from './options.js';
import { configOf, redisOptionsOn, type RedisFlags } from './redis-command.js';

export function registerWorkerCommand(program: Command): void {
  redisOptionsOn(
    program
      .command('worker')
      .description('score chunk jobs (and aggregate runs) until SIGTERM/SIGINT')
      .option('--models-root <dir>', 'folder holding the models (default PAIRSCORE_MODELS_ROOT or ./models)')
      .option('--concurrency <n>', 'chunk jobs at once (default 2)', int('--concurrency'))
      .option('--threads <n>', 'intra-op threads per ONNX session (default: chosen, see --sessions)', int('--threads'))
      .option(
        '--sessions <n>',
        'ONNX sessions (worker threads), shared by the concurrent chunk jobs (default on CPU: one per core with 1 thread each, fewer if their weights exceed --max-memory)',
        int('--sessions'),
      )
      .option(
        '--max-memory <MB>',
        "memory the sessions' weights of one model may take when the layout is chosen (default PAIRSCORE_MAX_MEMORY_MB, else half the free memory)",
        int('--max-memory'),
      )
      .option('--batch-tokens <n>', 'padded-token budget per micro-batch (default: 1024 on CPU, 8192 on CUDA)', int('--batch-tokens'))
      .addOption(new Option('--device <device>', 'execution provider (default cpu)').choices(['cpu', 'cuda', 'webgpu', 'auto']))
      .option(
        '--gpu-id <n>',
        'CUDA device ordinal for --device cuda/auto: run one worker per GPU (default PAIRSCORE_GPU_ID or 0)',
        ordinal('--gpu-id'),
      )
      .option('--no-aggregate', 'do not run aggregate jobs in this process')
      .option('--no-score', 'do not run chunk jobs: only aggregate runs (an aggregator beside workers started with --no-aggregate)')
      .option(
        '--metrics-port <port>',
        'serve /metrics, /healthz and /readyz on this port (default PAIRSCORE_METRICS_PORT; off)',
        int('--metrics-port'),
      )
      .addOption(logLevelOption()),
  ).action(async (f: RedisFlags & { aggregate: boolean; score: boolean }) => {
    if (!f.aggregate && !f.score) throw new InputError('--no-score with --no-aggregate leaves this worker nothing to do: drop one of them');
    const config = configOf(f);
    const log = createLogger(config.logLevel, { role: 'worker' });
    const { runWorkerUntilSignal, workerOptionsFrom } = await import('../queue/lifecycle.js');
    await runWorkerUntilSignal(workerOptionsFrom(config, log, { aggregate: f.aggregate, score: f.score }));
    // The worker has stopped; a BullMQ connection still reconnecting to an unreachable Redis
    // must not keep the process alive (the timer does not either: unref).
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
