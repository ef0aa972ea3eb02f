/**
 * `submit`, `worker`, `status`, `results`, `cancel`, `pause`, `resume`, `retry` and `extract --redis`:
 * distributed mode on BullMQ + Redis. BullMQ and ioredis (≈ 20 MB of a
 * process) are imported when one of these commands runs, not by every command.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { loadConfig, type Config } from '../config.js';
import { createLogger } from '../log.js';
import { formatMetrics } from '../report/metrics.js';
import type { EmbeddingKind } from '../contracts.js';
import type { ColumnOptions } from '../ingest/index.js';
import type { QueueTarget, RunClient, RunStatus } from '../queue/index.js';
import { formatStatus, statusProgressLine } from '../queue/format.js';
import { redisSettingsOf } from '../queue/redis-settings.js';
import { PRIORITY_MAX } from '../queue/priority.js';
import { int, logLevelOption, ordinal, say } from './options.js';
import { InputError, InterruptedError, RunFailedError, TimeoutError } from '../errors.js';

const queueApi = () => import('../queue/index.js');

export interface RedisFlags {
  redis?: string;
  redisCa?: string;
  redisCert?: string;
  redisKey?: string;
  prefix?: string;
  modelsRoot?: string;
  concurrency?: number;
  threads?: number;
  sessions?: number;
  maxMemory?: number;
  batchTokens?: number;
  device?: string;
  gpuId?: number;
  keep?: number;
  metricsPort?: number;
  logLevel?: string;
}

/** `7d`, `12h`, `30m`, `45s` or plain seconds. */
export function parseDuration(v: string): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(v.trim());
  if (!m) throw new InvalidArgumentError('use a duration like 7d, 12h, 30m or seconds');
  const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * mult;
}

export function redisOptionsOn(cmd: Command): Command {
  return cmd
    .option('--redis <url>', 'Redis URL (redis:// or rediss://; default REDIS_URL or redis://127.0.0.1:6379)')
    .option('--prefix <name>', 'key prefix (default PAIRSCORE_PREFIX or pairscore)')
    .option('--redis-ca <file>', "with rediss://: PEM file of the CA that signed Redis' certificate (default REDIS_CA_FILE)")
    .option('--redis-cert <file>', 'with rediss://: client certificate (PEM) for a Redis with tls-auth-clients (default REDIS_CERT_FILE)')
    .option('--redis-key <file>', "with rediss://: the client certificate's private key (PEM) (default REDIS_KEY_FILE)");
}

export function targetOf(config: Config): QueueTarget {
  return { redis: redisSettingsOf(config), prefix: config.redisPrefix };
}

export function configOf(f: RedisFlags): Config {
  return loadConfig({
    redisUrl: f.redis,
    redisCa: f.redisCa,
    redisCert: f.redisCert,
    redisKey: f.redisKey,
    redisPrefix: f.prefix,
    modelsRoot: f.modelsRoot,
    concurrency: f.concurrency,
    threads: f.threads,
    sessions: f.sessions,
    maxMemoryMb: f.maxMemory,
    batchTokens: f.batchTokens,
    device: f.device,
    gpuId: f.gpuId,
    keepSeconds: f.keep,
    metricsPort: f.metricsPort,
    logLevel: f.logLevel,
  });
}

/**
 * `waiting`: the client rides out Redis outages (submit --wait, status --watch, results,
 * extract --redis), saying so once per outage; otherwise it fails fast (status, cancel).
 */
async function withClient<T>(config: Config, fn: (c: RunClient) => Promise<T>, waiting = false): Promise<T> {
  const { RunClient, redactUrl } = await queueApi();
  const url = redactUrl(config.redisUrl);
  const client = await RunClient.open(
    targetOf(config),
    waiting
      ? {
          waitThroughOutages: true,
          onOutage: (event, detail) =>
            say(
              event === 'down'
                ? `Redis at ${url} unreachable (${detail}): waiting for it (--timeout bounds the wait)`
                : `Redis at ${url} reachable again`,
            ),
        }
      : {},
  );
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

/** Redraws a progress line on a TTY; prints a line every 10 s otherwise. */
function statusPrinter(): (s: RunStatus) => void {
  const start = performance.now();
  let lastPlain = 0;
  return (s) => {
    const line = statusProgressLine(s, (performance.now() - start) / 1000);
    if (process.stderr.isTTY) process.stderr.write(`\r${line}\u001b[K`);
    else if (performance.now() - lastPlain > 10000) {
      lastPlain = performance.now();
      process.stderr.write(`${line}\n`);
    }
  };
}

/** What `extract --redis` needs beyond the local extract's flags. */
export interface RemoteExtractFlags {
  redis: string | true;
  redisCa?: string;
  redisCert?: string;
  redisKey?: string;
  prefix?: string;
  modelsRoot?: string;
  runId?: string;
  keep?: number;
  model: string;
  features?: string;
  embedding: EmbeddingKind | null;
  logits: boolean;
  maxLength?: number;
  chunkSize: number;
  out: string;
  format?: string;
  columns: ColumnOptions;
  /** Seconds to wait for the run before giving up (exit 1). */
  timeout?: number;
}

/**
 * `extract --redis`: the workers extract, this process submits, shows progress
 * and writes the same feature file the local extract would.
 */
export async function extractViaRedis(input: string, f: RemoteExtractFlags): Promise<void> {
  const config = configOf({ ...f, redis: f.redis === true ? undefined : f.redis });
  const { runRemoteExtract } = await import('../run/remote.js');
  const r = await whileWaiting(f.runId, (signal) =>
    runRemoteExtract({
      signal,
      ...targetOf(config),
      input,
      columns: f.columns,
      model: f.model,
      modelsRoot: config.modelsRoot,
      cacheDir: config.cacheDir,
      chunkSize: f.chunkSize,
      keepSeconds: config.keepSeconds,
      attempts: config.retryAttempts,
      extract: { embedding: f.embedding, logits: f.logits },
      out: f.out,
      onStatus: statusPrinter(),
      onWarning: (m: string) => say(`warning: ${m}`),
      ...(f.features !== undefined ? { features: f.features } : {}),
      ...(f.timeout !== undefined ? { timeoutMs: f.timeout * 1000 } : {}),
      ...(f.format ? { format: f.format } : {}),
      ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
      ...(f.runId ? { runId: f.runId } : {}),
    }),
  );
  if (process.stderr.isTTY) process.stderr.write('\n');
  say(formatStatus(r.status));
  if (r.status.state !== 'completed') throw new RunFailedError(`run ${r.submit.runId} ${r.status.state}; nothing written`);
  say(
    `extracted ${r.rowsWritten} rows (${r.status.result?.metrics?.errors ?? 0} with errors) on ${r.status.workers.length} worker(s) → ${f.out}`,
  );
  failIfIncomplete(r.status);
}

/**
 * Runs a wait for a run under Ctrl-C/SIGTERM handling: the signal ends the wait
 * (exit 130/143) and removes any partial output, never the run itself.
 */
async function whileWaiting<T>(runId: string | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const { withInterrupt } = await import('../run/interrupt.js');
  try {
    return await withInterrupt(fn, say, 'no longer waiting');
  } catch (err) {
    if (!(err instanceof InterruptedError)) throw err;
    const how = runId
      ? `pairscore status ${runId}; pairscore cancel ${runId} stops it`
      : 'pairscore status lists it; pairscore cancel RUN stops it';
    throw new InterruptedError(err.signal, `${err.message}; the run goes on on the workers (${how})`);
  }
}

/** Exit 1 (RunFailedError) unless the run completed with a result for every row. */
function failIfIncomplete(s: RunStatus): void {
  const lost = s.result?.lostRows ?? 0;
  if (s.state === 'completed' && s.failedChunks === 0 && lost === 0) return;
  const why =
    s.state !== 'completed'
      ? `run ${s.runId} ${s.state}${s.result?.reason ? `: ${s.result.reason}` : ''}`
      : `run ${s.runId} completed with ${s.failedChunks} failed chunk(s) and ${lost} lost row(s); their rows are error rows`;
  throw new RunFailedError(why);
}

/** `--priority`: a whole number 0 (none) … PRIORITY_MAX (priority.ts); anything else is a bad flag (exit 2). */
function parsePriority(v: string): number {
  const n = Number(v.trim());
  if (!/^\d+$/.test(v.trim()) || n > PRIORITY_MAX) {
    throw new InvalidArgumentError(`use a whole number from 1 (most urgent) to ${PRIORITY_MAX}, or 0 for none`);
  }
  return n;
}

function timeoutMs(seconds: number | undefined): { timeoutMs?: number } {
  return seconds !== undefined ? { timeoutMs: seconds * 1000 } : {};
}

function timeoutOn(cmd: Command, what: string): Command {
  return cmd.option(
    '--timeout <duration>',
    `give up waiting ${what} after this long (30m, 2h, seconds; the run goes on) and exit 1`,
    parseDuration,
  );
}

export function registerQueueCommands(program: Command): void {
  redisOptionsOn(
    timeoutOn(
      program
        .command('submit <input>')
        .description('add a run to Redis: one chunk job per --chunk-size rows and an aggregate job; workers score it')
        .requiredOption('--model <name>', 'model folder name under --models-root (the same name on every worker host)')
        .option('--models-root <dir>', 'folder holding the models (default PAIRSCORE_MODELS_ROOT or ./models)')
        .option('--mlp <head.json>', "MLP head file (stored in the run; default: the model's own logits)")
        .option('--features <list>', "hand-crafted features (default: the head's)")
        .option('--max-length <n>', 'truncate pairs to this many tokens', int('--max-length'))
        .option('--run-id <id>', 'run id (letters, digits, . _ -); submitting an existing id adds nothing')
        .option(
          '--priority <n>',
          'run priority: 1 is the most urgent; its chunks go before those of runs with a larger number or none (default: none)',
          parsePriority,
        )
        .option('--chunk-size <n>', 'rows per chunk job', int('--chunk-size'), 256)
        .option('--keep <duration>', 'keep run data this long after it ends (default 7d)', parseDuration)
        .option('--premise-col <name>', 'premise column (default: detected)')
        .option('--hypothesis-col <name>', 'hypothesis column (default: detected)')
        .option('--label-col <name>', 'gold label column (default: detected)')
        .option('--id-col <name>', 'id column (default: detected)')
        .addOption(
          new Option('--input-format <fmt>', 'input format (default: from the extension)').choices(['csv', 'tsv', 'jsonl', 'parquet']),
        )
        .option('--wait', 'wait for the run, show progress, print metrics; exit 1 unless every row was scored')
        .option('--force', "submit even when the run's estimated Redis memory exceeds the free maxmemory (a warning instead of exit 2)")
        .option('--report <file.html>', 'with --wait: write the HTML report of the run at its end (also when chunks failed)'),
      'with --wait',
    ),
  ).action(
    async (
      input: string,
      f: RedisFlags & {
        model: string;
        mlp?: string;
        features?: string;
        maxLength?: number;
        runId?: string;
        priority?: number;
        chunkSize: number;
        wait?: boolean;
        timeout?: number;
        force?: boolean;
        report?: string;
        premiseCol?: string;
        hypothesisCol?: string;
        labelCol?: string;
        idCol?: string;
        inputFormat?: 'csv' | 'tsv' | 'jsonl' | 'parquet';
      },
    ) => {
      const config = configOf(f);
      const columns = Object.fromEntries(
        Object.entries({
          premiseCol: f.premiseCol,
          hypothesisCol: f.hypothesisCol,
          labelCol: f.labelCol,
          idCol: f.idCol,
          format: f.inputFormat,
        }).filter(([, v]) => v !== undefined),
      );
      const { submitRun, redactUrl } = await queueApi();
      const r = await submitRun({
        ...targetOf(config),
        input,
        columns,
        model: f.model,
        modelsRoot: config.modelsRoot,
        cacheDir: config.cacheDir,
        chunkSize: f.chunkSize,
        keepSeconds: config.keepSeconds,
        attempts: config.retryAttempts,
        force: f.force === true,
        ...(f.mlp ? { mlpFile: f.mlp } : {}),
        ...(f.features ? { features: f.features } : {}),
        ...(f.maxLength !== undefined ? { maxLength: f.maxLength } : {}),
        ...(f.runId ? { runId: f.runId } : {}),
        ...(f.priority ? { priority: f.priority } : {}),
        onProgress: (added, total) => process.stderr.isTTY && process.stderr.write(`\rsubmitting ${added}/${total} chunks\u001b[K`),
        onWarning: (m) => say(`warning: ${m}`),
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      say(
        r.added
          ? `run ${r.runId}: ${r.rows} rows in ${r.chunks} chunks ${r.resumed ? 'resumed' : 'submitted'} to ${redactUrl(config.redisUrl)} (prefix ${config.redisPrefix})`
          : r.sealed
            ? `run ${r.runId} was queued but never sealed (its submit stopped there): sealed now, it will finish`
            : `run ${r.runId} already exists: nothing added (see: pairscore status ${r.runId})`,
      );
      process.stdout.write(`${r.runId}\n`);
      if (!f.wait) return;
      const s = await whileWaiting(r.runId, (signal) =>
        withClient(config, (c) => c.wait(r.runId, { onStatus: statusPrinter(), signal, ...timeoutMs(f.timeout) }), true),
      );
      if (process.stderr.isTTY) process.stderr.write('\n');
      say(formatStatus(s));
      if (s.result?.metrics) say(formatMetrics(s.result.metrics));
      if (f.report && s.result?.metrics) {
        const { writeRemoteReport } = await import('../report/build-report.js');
        await writeRemoteReport(f.report, targetOf(config), r.runId, { input, columns });
        say(`report → ${f.report}`);
      }
      failIfIncomplete(s);
    },
  );

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

  redisOptionsOn(
    timeoutOn(
      program
        .command('status [runId]')
        .description('rows done/total, failed chunks, pairs/s, ETA and workers of a run (recent runs without an id)')
        .option('--watch', 'redraw every second until the run ends; then exit 1 unless every row was scored')
        .option('--json', 'print JSON'),
      'with --watch',
    ),
  ).action(async (runId: string | undefined, f: RedisFlags & { watch?: boolean; json?: boolean; timeout?: number }) => {
    const config = configOf(f);
    await withClient(
      config,
      async (c) => {
        if (!runId) {
          const ids = await c.store.listRuns();
          for (const id of ids) {
            const s = await c.status(id);
            process.stdout.write(
              `${id}  ${s.state}  ${s.done}/${s.rows} rows  failed chunks ${s.failedChunks}${s.result?.reason ? `  reason: ${s.result.reason}` : ''}\n`,
            );
          }
          if (ids.length === 0) say('no runs');
          return;
        }
        const s = f.watch
          ? await whileWaiting(runId, (signal) => c.wait(runId, { onStatus: statusPrinter(), signal, ...timeoutMs(f.timeout) }))
          : await c.status(runId);
        if (f.watch && process.stderr.isTTY) process.stderr.write('\n');
        process.stdout.write(f.json ? `${JSON.stringify(s, null, 2)}\n` : `${formatStatus(s)}\n`);
        if (f.watch) failIfIncomplete(s);
      },
      f.watch === true && runId !== undefined,
    );
  });

  redisOptionsOn(
    timeoutOn(
      program
        .command('results <runId>')
        .description('stream the rows of a finished run in input order (every input row once); an extract run gives a feature file')
        .requiredOption('--out <file>', 'output file (.jsonl, .csv or .parquet; - for stdout)')
        .addOption(new Option('--format <fmt>', 'output format (default: from the --out extension)').choices(['jsonl', 'csv', 'parquet']))
        .option(
          '--partial',
          'write the rows that exist of a run that did not give every row (unfinished, cancelled, failed chunks), with a warning',
        ),
      'for the rows (a Redis outage is waited through)',
    ),
  ).action(async (runId: string, f: RedisFlags & { out: string; format?: string; partial?: boolean; timeout?: number }) => {
    const config = configOf(f);
    const { writeRunResults } = await import('../run/remote.js');
    const { withInterrupt } = await import('../run/interrupt.js');
    const { describeShortfall } = await import('../run/shortfall.js');
    const { withinMs } = await import('../queue/patience.js');
    // Without --partial an incomplete run throws RunFailedError (exit 1) before any file exists.
    let gap: import('../run/shortfall.js').RunShortfall | undefined;
    const n = await withInterrupt(
      (signal) =>
        withClient(
          config,
          (c) => {
            const writing = writeRunResults(c, runId, f.out, {
              ...(f.format ? { format: f.format } : {}),
              partial: f.partial === true,
              signal,
              onShortfall: (g) => (gap = g),
            });
            // Reads wait through a Redis outage; --timeout bounds the whole command.
            return f.timeout === undefined
              ? writing
              : withinMs(
                  writing,
                  f.timeout * 1000,
                  () =>
                    new TimeoutError(
                      `results of run ${runId} not written within ${f.timeout} s (Redis unreachable or slow); nothing written to ${f.out}`,
                    ),
                );
          },
          true,
        ),
      say,
    );
    say(`wrote ${n} rows of run ${runId} → ${f.out}`);
    if (gap) say(`warning: ${describeShortfall(gap, n)} (--partial)`);
  });

  redisOptionsOn(program.command('cancel <runId>').description('stop a run: remaining chunks are dropped, active ones finish')).action(
    async (runId: string, f: RedisFlags) => {
      const r = await withClient(configOf(f), (c) => c.cancel(runId));
      say(r.removed ? `run ${runId} cancelled` : `run ${runId} had already ended (${r.state})`);
    },
  );

  redisOptionsOn(
    program.command('pause <runId>').description('pause one run: workers park its chunks (active ones finish); other runs keep flowing'),
  ).action(async (runId: string, f: RedisFlags) => {
    const paused = await withClient(configOf(f), (c) => c.pause(runId));
    say(paused ? `run ${runId} paused (chunks being scored finish; pairscore resume ${runId} goes on)` : `run ${runId} was paused already`);
  });

  redisOptionsOn(program.command('resume <runId>').description('resume a paused run: its parked chunks are queued again')).action(
    async (runId: string, f: RedisFlags) => {
      const r = await withClient(configOf(f), (c) => c.resume(runId));
      say(`run ${runId} resumed (${r.promoted} parked chunk(s) queued again)`);
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
    const config = configOf(f);
    const r = await withClient(config, (c) => c.retry(runId));
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
