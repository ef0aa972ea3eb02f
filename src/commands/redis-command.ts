/**
 * What every Redis-backed command shares: the Redis flags and the config they make,
 * a client that rides out outages while waiting, the progress line, Ctrl-C handling
 * of a wait, and the exit-1 rule for a run that did not give every row.
 */
import { Command } from 'commander';
import type { Config } from '../config.js';
import type { QueueTarget, RunClient, RunStatus } from '../queue/index.js';
import { statusProgressLine } from '../queue/format.js';
import { redisSettingsOf } from '../queue/redis-settings.js';
import { say } from './options.js';
import { settingOption, settingOptions } from './setting-option.js';
import { InterruptedError, RunFailedError } from '../errors.js';

export const queueApi = () => import('../queue/index.js');

/** The flags of a Redis command that feed the configuration are read by configFromFlags. */
export interface RedisFlags {
  redis?: string;
  prefix?: string;
  [flag: string]: unknown;
}

/**
 * `--redis` and the flags that say how to reach it. `optionalUrl`: the command works without Redis
 * too (`extract`, `report`), so it takes `--redis [url]` with this help and the rest say `with --redis:`.
 */
export function redisOptionsOn(cmd: Command, optionalUrl?: string): Command {
  cmd.addOption(settingOption('redisUrl', optionalUrl ? { optionalValue: true, help: optionalUrl } : {}));
  return settingOptions(cmd, ['redisPrefix', 'redisCa', 'redisCert', 'redisKey'], optionalUrl ? WITH_REDIS : {});
}

/** The help prefix of a flag that only matters with `--redis [url]`. */
export const WITH_REDIS = { prefix: 'with --redis: ' };

export function targetOf(config: Config): QueueTarget {
  return { redis: redisSettingsOf(config), prefix: config.redisPrefix };
}

/**
 * `waiting`: the client rides out Redis outages (submit --wait, status --watch, results,
 * extract --redis), saying so once per outage; otherwise it fails fast (status, cancel).
 * `'reachable-first'` (results, status --watch): the same, but a Redis that does not answer at the start fails fast.
 */
export async function withClient<T>(
  config: Config,
  fn: (c: RunClient) => Promise<T>,
  waiting: boolean | 'reachable-first' = false,
): Promise<T> {
  const { RunClient, redactUrl } = await queueApi();
  const url = redactUrl(config.redisUrl);
  const client = await RunClient.open(
    targetOf(config),
    waiting
      ? {
          waitThroughOutages: true,
          reachableFirst: waiting === 'reachable-first',
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
export function statusPrinter(): (s: RunStatus) => void {
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

/**
 * Runs a wait for a run under Ctrl-C/SIGTERM handling: the signal ends the wait
 * (exit 130/143) and removes any partial output, never the run itself.
 */
export async function whileWaiting<T>(runId: string | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
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
export function failIfIncomplete(s: RunStatus): void {
  const lost = s.result?.lostRows ?? 0;
  if (s.state === 'completed' && s.failedChunks === 0 && lost === 0) return;
  const why =
    s.state !== 'completed'
      ? `run ${s.runId} ${s.state}${s.result?.reason ? `: ${s.result.reason}` : ''}`
      : `run ${s.runId} completed with ${s.failedChunks} failed chunk(s) and ${lost} lost row(s); their rows are error rows`;
  throw new RunFailedError(why);
}

export function timeoutMs(seconds: number | undefined): { timeoutMs?: number } {
  return seconds !== undefined ? { timeoutMs: seconds * 1000 } : {};
}

/** `--timeout`; `when` says when it applies (`with --wait`). */
export function timeoutOn(cmd: Command, when?: string): Command {
  return cmd.addOption(settingOption('timeout', when ? { prefix: `${when}: ` } : {}));
}
