/**
 * Redis connections. Three kinds:
 * - `worker`: retries forever (`maxRetriesPerRequest: null`), so a Redis
 *   restart pauses workers instead of killing them (as BullMQ requires);
 * - `waiting` (submit --wait, status --watch, results, extract --redis): also
 *   reconnects with backoff and queues commands meanwhile, so a Redis restart
 *   does not end the wait; the caller bounds it (--timeout, RunClient.wait);
 * - `client` (submit, status, cancel): fails fast when Redis is
 *   down, so a command never hangs.
 * Passwords come from the URL or REDIS_PASSWORD and are never logged.
 */
import fs from 'node:fs';
import net from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import type { ConnectionOptions } from 'node:tls';
import { InputError, RetryableError } from '../errors.js';
import { redisNames } from './keys.js';
import type { RedisSettings } from './redis-settings.js';
import { explainRedisError, type ExplainedError } from './redis-errors.js';

export type { RedisSettings } from './redis-settings.js';

export type ConnectionRole = 'worker' | 'waiting' | 'client';

/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    // Not echoed: an unparseable string may still hold a password. Named by where it comes from.
    return '(unparseable; from --redis or REDIS_URL, not shown)';
  }
}

export function redisOptions(settings: RedisSettings, role: ConnectionRole): RedisOptions {
  let u: URL;
  try {
    u = new URL(settings.url);
  } catch (cause) {
    throw new InputError(`invalid Redis URL ${redactUrl(settings.url)}: use redis://host:port or rediss://host:port`, { cause });
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new InputError(`invalid Redis URL ${redactUrl(settings.url)}: the scheme must be redis:// or rediss://`);
  }
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
  const opts: RedisOptions = {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db: Number.isInteger(db) ? db : 0,
    lazyConnect: true,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
  };
  const password = u.password ? decodeURIComponent(u.password) : settings.password;
  if (password) opts.password = password;
  if (u.protocol === 'rediss:') opts.tls = tlsOptions(u.hostname, settings);
  else if (settings.tls?.ca || settings.tls?.cert || settings.tls?.key) {
    throw new InputError(
      `--redis-ca/--redis-cert/--redis-key need a TLS URL: use rediss://${u.host} instead of ${redactUrl(settings.url)}`,
    );
  }
  if (role === 'worker') {
    opts.maxRetriesPerRequest = null;
    opts.enableReadyCheck = false;
  } else if (role === 'waiting') {
    opts.maxRetriesPerRequest = null;
    opts.connectTimeout = 5000;
    // Exponential from 100 ms to 2 s, jittered so many waiting clients do not reconnect in step.
    opts.retryStrategy = (times) => Math.round(Math.min(2000, 100 * 2 ** Math.min(times, 5)) * (0.5 + Math.random() / 2));
  } else {
    opts.maxRetriesPerRequest = 1;
    opts.enableOfflineQueue = false;
    opts.connectTimeout = 5000;
    opts.retryStrategy = (times) => (times > 3 ? null : 200 * times);
  }
  return opts;
}

/**
 * TLS options for ioredis (and BullMQ's own connections). SNI only for host names:
 * Node warns (DEP0123) when `servername` is an IP, and verifies an IP host against the
 * certificate's IP addresses without it.
 */
function tlsOptions(hostname: string, settings: RedisSettings): ConnectionOptions {
  const host = hostname.replace(/^\[|\]$/g, '');
  const { ca, cert, key } = settings.tls ?? {};
  if (Boolean(cert) !== Boolean(key))
    throw new InputError('--redis-cert and --redis-key (REDIS_CERT_FILE, REDIS_KEY_FILE) go together: give both for a client certificate');
  return {
    ...(net.isIP(host) ? {} : { servername: host }),
    ...(ca ? { ca: readPem(ca, '--redis-ca') } : {}),
    ...(cert ? { cert: readPem(cert, '--redis-cert') } : {}),
    ...(key ? { key: readPem(key, '--redis-key') } : {}),
  };
}

function readPem(file: string, flag: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (cause) {
    throw new InputError(`${flag} ${file}: cannot read it (${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message})`, {
      cause,
    });
  }
}

/**
 * Connects and pings. ioredis only says `Connection is closed.`, so the error events
 * seen meanwhile are kept and explained (redis-errors.ts): a wrong or missing password,
 * an untrusted certificate or the wrong scheme fails at once with an InputError naming
 * the fix, for workers too (retrying cannot help); anything else is a RetryableError.
 * A `waiting` connection is returned unconnected: its first command connects, waiting as long
 * as Redis is down — the caller bounds that wait.
 */
export async function connectRedis(settings: RedisSettings, role: ConnectionRole): Promise<Redis> {
  const options = redisOptions(settings, role);
  const redis = new Redis(options);
  const ctx = {
    url: settings.url,
    tls: Boolean(options.tls),
    caGiven: Boolean(settings.tls?.ca),
    certGiven: Boolean(settings.tls?.cert),
  };
  let explained: ExplainedError | undefined;
  let lastRaw: Error | undefined;
  let fail: (e: Error) => void = () => undefined;
  const permanent = new Promise<never>((_, reject) => (fail = reject));
  permanent.catch(() => undefined);
  // Kept for the rest of the connection's life: without a listener ioredis prints "Unhandled error event".
  redis.on('error', (err: Error & { code?: string }) => {
    lastRaw = err;
    const e = explainRedisError(err, ctx);
    if (!e) return;
    explained = e;
    if (e.permanent) fail(new InputError(e.message, { cause: err }));
  });
  if (role === 'waiting') return redis;
  try {
    await Promise.race([redis.connect().then(() => redis.ping()), permanent]);
  } catch (cause) {
    redis.disconnect();
    if (cause instanceof InputError) throw cause;
    if (explained)
      throw explained.permanent
        ? new InputError(explained.message, { cause })
        : new RetryableError(`cannot reach ${explained.message}`, { cause });
    const detail =
      lastRaw && lastRaw.message !== (cause as Error).message
        ? `${lastRaw.message} (${(cause as Error).message})`
        : (cause as Error).message;
    throw new RetryableError(`cannot reach Redis at ${redactUrl(settings.url)}: ${detail}`, { cause });
  }
  return redis;
}

/**
 * `maxmemory_policy` from the text of `INFO` / `INFO memory` (`field:value` lines, CRLF),
 * or undefined when the reply has no such field.
 */
export function parseMaxmemoryPolicy(info: string): string | undefined {
  for (const line of info.split(/\r?\n/)) {
    if (line.startsWith('maxmemory_policy:')) return line.slice('maxmemory_policy:'.length).trim() || undefined;
  }
  return undefined;
}

/**
 * BullMQ loses jobs if Redis evicts keys: refuse any policy but noeviction.
 * The policy is read from `INFO memory`, as BullMQ does, because managed Redis services
 * block `CONFIG` (it used to pass silently there). When the policy cannot be read (INFO
 * refused, field absent) this returns a warning for the caller to log or print, so an
 * unchecked Redis is never mistaken for a checked one; undefined means noeviction was seen.
 */
export async function checkEvictionPolicy(redis: Redis, url: string): Promise<string | undefined> {
  let info: string;
  try {
    info = await redis.info('memory');
  } catch (cause) {
    return (
      `could not check the eviction policy of Redis at ${redactUrl(url)} (INFO refused: ${(cause as Error).message}); ` +
      'make sure maxmemory-policy is noeviction, or jobs can silently disappear'
    );
  }
  return evictionVerdict(parseMaxmemoryPolicy(info), url);
}

/** The decision on a policy read from INFO: throws for an evicting policy, warns when unknown. */
export function evictionVerdict(policy: string | undefined, url: string): string | undefined {
  if (policy === undefined) {
    return (
      `could not check the eviction policy of Redis at ${redactUrl(url)} (INFO memory has no maxmemory_policy); ` +
      'make sure maxmemory-policy is noeviction, or jobs can silently disappear'
    );
  }
  if (policy !== 'noeviction') {
    throw new InputError(
      `Redis at ${redactUrl(url)} has maxmemory-policy ${policy}; BullMQ needs noeviction or jobs can silently disappear. ` +
        'Fix: redis-cli CONFIG SET maxmemory-policy noeviction (and set maxmemory-policy noeviction in redis.conf; ' +
        "on a managed service, set it in the service's parameter settings)",
    );
  }
  return undefined;
}

/**
 * Deletes every key of a deployment (`{prefix}…`: queues, jobs, runs, workers)
 * with SCAN, never KEYS, so a big Redis is not blocked. For tests and
 * benchmarks that use throw-away prefixes; returns the number of keys deleted.
 */
export async function deletePrefixKeys(settings: RedisSettings, prefix: string): Promise<number> {
  const redis = await connectRedis(settings, 'client');
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisNames(prefix).bullPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}
