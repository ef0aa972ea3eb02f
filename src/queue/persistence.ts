/**
 * Whether Redis keeps its data across a restart. With AOF off and no RDB
 * `save` points, a Redis restart drops every queued chunk and run record:
 * runs then end as "Redis lost this run's data" (run-store.ts). Workers warn
 * at start, so the operator learns it before a restart, not after.
 */
import type { Redis } from 'ioredis';
import { redactUrl } from './redis.js';

/** `aof_enabled` from `INFO persistence` text; undefined when absent. */
export function parseAofEnabled(info: string): boolean | undefined {
  const m = /^aof_enabled:(\d)/m.exec(info);
  return m ? m[1] === '1' : undefined;
}

/** A warning to log when Redis would lose everything on a restart; undefined when it persists (or cannot tell). */
export async function checkPersistence(redis: Redis, url: string): Promise<string | undefined> {
  let aof: boolean | undefined;
  try {
    aof = parseAofEnabled(await redis.info('persistence'));
  } catch {
    return undefined; // INFO refused: checkEvictionPolicy already warned that Redis cannot be checked
  }
  if (aof !== false) return undefined;
  let save: string | undefined;
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'save')) as string[];
    save = reply[1];
  } catch {
    // Managed services block CONFIG; they normally persist, so say what is known only.
    return (
      `Redis at ${redactUrl(url)} has AOF off and its RDB save points cannot be read (CONFIG refused); ` +
      'if it does not persist, a restart loses every queued run'
    );
  }
  if (save !== undefined && save.trim() !== '') return undefined;
  return (
    `Redis at ${redactUrl(url)} has no persistence (appendonly no, no RDB save points): a restart loses every queued run ` +
    '(they end as "Redis lost this run\'s data"). Fix: redis-cli CONFIG SET appendonly yes (and appendonly yes in redis.conf)'
  );
}
