/**
 * Redis connection settings, and building them from the configuration. Kept apart from
 * redis.ts so commands can build them without loading ioredis (≈ 20 MB) at start.
 */
import type { Config } from '../config.js';

export interface RedisSettings {
  url: string;
  password?: string | undefined;
  /** PEM files for rediss://: a private CA, and a client certificate + key (mTLS). */
  tls?: { ca?: string | undefined; cert?: string | undefined; key?: string | undefined } | undefined;
}

/** The connection settings of the validated configuration (flags already applied). */
export function redisSettingsOf(config: Config): RedisSettings {
  const { redisCa: ca, redisCert: cert, redisKey: key } = config;
  return {
    url: config.redisUrl,
    password: config.redisPassword,
    ...(ca || cert || key ? { tls: { ca, cert, key } } : {}),
  };
}
