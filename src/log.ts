/**
 * pino root logger, created on demand (no import-time side effects). Logs go to
 * stderr so that command output on stdout stays machine-readable.
 *
 * Every line carries pid, hostname and pairscore's version (a `base` replaces
 * pino's default one, so they are set here explicitly): a fleet's logs, merged,
 * still say which process and which build wrote each line. Errors are logged as
 * `{ err }` so pino's serializer keeps their type, stack and cause. Paths that
 * could hold a Redis password are censored as a last line of defence; URLs are
 * redacted before they are logged (redactUrl in src/queue/redis.ts).
 */
import os from 'node:os';
import { pino, type Logger } from 'pino';
import { pairscoreVersion } from './version.js';

export type { Logger };

const REDACT = ['password', 'redisPassword', '*.password', '*.redisPassword', 'redis.password', 'redis.url', 'redisUrl', '*.redisUrl'];

export function createLogger(level: string, bindings: Record<string, unknown> = {}): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid, hostname: os.hostname(), version: pairscoreVersion(), ...bindings },
      redact: { paths: REDACT, censor: '[redacted]' },
    },
    pino.destination(2),
  );
}

/** A logger that drops everything (tests, library use without logging). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
