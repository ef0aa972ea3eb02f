/**
 * `submit`, `status`, `results` and `extract --redis`: distributed mode on BullMQ + Redis
 * (`worker` is in worker.ts; `cancel`, `pause`, `resume`, `retry` in run-control.ts).
 * BullMQ and ioredis (≈ 20 MB of a process) are imported when one of these commands
 * runs, not by every command.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { formatMetrics } from '../report/metrics.js';
import type { EmbeddingKind } from '../contracts.js';
import type { ColumnOptions } from '../ingest/index.js';
import { formatStatus } from '../queue/format.js';
import { PRIORITY_MAX } from '../queue/priority.js';
import { columnOptions, say } from './options.js';
import { configFromFlags, settingOption } from './setting-option.js';
import { RunFailedError, TimeoutError } from '../errors.js';
import {
  failIfIncomplete,
  queueApi,
  redisOptionsOn,
  statusPrinter,
  targetOf,
  timeoutMs,
  timeoutOn,
  whileWaiting,
  withClient,
  type RedisFlags,
} from './redis-command.js';
import { registerWorkerCommand } from './worker.js';
import { registerRunControlCommands } from './run-control.js';

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
  /** Undefined: planned by submit (src/queue/chunk-plan.ts). */
  chunkSize?: number;
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
  const config = configFromFlags({ ...f, redis: f.redis === true ? undefined : f.redis });
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
      ...(f.chunkSize !== undefined ? { chunkSize: f.chunkSize } : {}),
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

/** `--priority`: a whole number 0 (none) … PRIORITY_MAX (priority.ts); anything else is a bad flag (exit 2). */
function parsePriority(v: string): number {
  const n = Number(v.trim());
  if (!/^\d+$/.test(v.trim()) || n > PRIORITY_MAX) {
    throw new InvalidArgumentError(`use a whole number from 1 (most urgent) to ${PRIORITY_MAX}, or 0 for none`);
  }
  return n;
}

export function registerQueueCommands(program: Command): void {
  redisOptionsOn(
    timeoutOn(
      columnOptions(
        program
          .command('submit <input>')
          .description('add a run to Redis: one chunk job per --chunk-size rows and an aggregate job; workers score it'),
      )
        .requiredOption('--model <name>', 'model folder name under --models-root (the same name on every worker host)')
        .addOption(settingOption('modelsRoot'))
        .option('--mlp <head.json>', "MLP head file (stored in the run; default: the model's own logits)")
        .option('--features <list>', "hand-crafted features (default: the head's)")
        .addOption(settingOption('maxLength'))
        .option('--run-id <id>', 'run id (letters, digits, . _ -); submitting an existing id adds nothing')
        .option(
          '--priority <n>',
          'run priority: 1 is the most urgent; its chunks go before those of runs with a larger number or none (default: none)',
          parsePriority,
        )
        .addOption(settingOption('chunkJobRows'))
        .addOption(settingOption('keepSeconds'))
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
        chunkSize?: number;
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
      const config = configFromFlags(f);
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
        ...(f.chunkSize !== undefined ? { chunkSize: f.chunkSize } : {}),
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

  registerWorkerCommand(program);

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
    const config = configFromFlags(f);
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
      // Like results: an outage once it has connected is waited for, a Redis never reached fails it fast.
      f.watch === true && runId !== undefined ? 'reachable-first' : false,
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
    const config = configFromFlags(f);
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
          'reachable-first',
        ),
      say,
    );
    say(`wrote ${n} rows of run ${runId} → ${f.out}`);
    if (gap) say(`warning: ${describeShortfall(gap, n)} (--partial)`);
  });

  registerRunControlCommands(program);
}
