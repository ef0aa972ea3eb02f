/**
 * What every Redis-backed command shares: the Redis flags and the config they make,
 * a client that rides out outages while waiting, the progress line, Ctrl-C handling
 * of a wait, and the exit-1 rule for a run that did not give every row.
 */
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from '../config.js';
import type { QueueTarget, RunClient, RunStatus } from '../queue/index.js';
import { statusProgressLine } from '../queue/format.js';
import { redisSettingsOf } from '../queue/redis-settings.js';
import { say } from './options.js';
import { InterruptedError, RunFailedError } from '../errors.js';

export const queueApi = () => import('../queue/index.js');

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
 * `'reachable-first'` (results): the same, but a Redis that does not answer at the start fails fast.
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

export function timeoutOn(cmd: Command, what: string): Command {
  return cmd.option(
    '--timeout <duration>',
    `give up waiting ${what} after this long (30m, 2h, seconds; the run goes on) and exit 1`,
    parseDuration,
  );
}
