/**
 * Waiting on Redis without hanging for ever: a worker waits for it without end
 * (but a signal ends the wait), a command waits up to its --timeout. ioredis
 * queues commands while it reconnects; these helpers bound how long a caller
 * waits for them.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { redactUrl, redisOptions, type RedisSettings } from './redis.js';

/** Log a recurring condition at most once per `everyMs`. */
export function throttled(everyMs: number): (fn: () => void) => void {
  let last = -Infinity;
  return (fn) => {
    const now = Date.now();
    if (now - last < everyMs) return;
    last = now;
    fn();
  };
}

/** Rejects with `signal.reason` when the signal aborts first. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** `promise`, or `onTimeout()` thrown once `ms` have passed (ms undefined: no limit). */
export function withinMs<T>(promise: Promise<T>, ms: number | undefined, onTimeout: () => Error): Promise<T> {
  if (ms === undefined || !Number.isFinite(ms)) return promise;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), Math.max(0, ms));
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits `ms` at most, then goes on (for closing things that may hang while Redis is down). */
export async function atMost(promise: Promise<unknown> | undefined, ms: number): Promise<boolean> {
  if (!promise) return true;
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms);
    }),
  ]);
  clearTimeout(timer);
  return done;
}

/**
 * A worker's connection: retries for ever (`maxRetriesPerRequest: null`, ioredis'
 * reconnect with a 2 s cap), logging the wait every 30 s, and resolves once Redis
 * answers a PING. Aborting `signal` (SIGTERM/SIGINT at start) disconnects and rejects.
 */
export async function connectWorkerRedis(settings: RedisSettings, log: Logger, signal?: AbortSignal): Promise<Redis> {
  const redis = new Redis(redisOptions(settings, 'worker'));
  const url = redactUrl(settings.url);
  const warn = throttled(30000);
  let down = false;
  redis.on('error', (err: Error) => {
    down = true;
    warn(() => log.warn({ redis: url, err }, 'Redis unreachable: waiting for it (workers retry for ever)'));
  });
  redis.on('ready', () => {
    if (down) log.info({ redis: url }, 'Redis reachable again');
    down = false;
  });
  try {
    await abortable(redis.ping(), signal);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  return redis;
}

/**
 * Resolves once `redis` has been continuously not ready for `ms` (checked every
 * 250 ms), or never, until `stop` aborts. Tells a stopping worker that waiting for
 * BullMQ to close cleanly is pointless.
 */
export function unreachableFor(redis: Redis, ms: number, stop: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let since: number | undefined;
    const t = setInterval(() => {
      if (redis.status === 'ready') since = undefined;
      else since ??= Date.now();
      if (since !== undefined && Date.now() - since >= ms) {
        clearInterval(t);
        resolve();
      }
    }, 250);
    stop.addEventListener('abort', () => clearInterval(t), { once: true });
  });
}
