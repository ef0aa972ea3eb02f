/**
 * The only place that reads process.env. `loadConfig()` validates once and
 * returns a frozen object; everything else receives the values it needs as
 * arguments. Nothing here runs at import time.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from './errors.js';

const intFromEnv = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** pino's levels, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const configSchema = z.object({
  logLevel: z.enum(LOG_LEVELS).default('info'),
  /**
   * Intra-op threads per ONNX session, and parallel ONNX sessions (each in its own worker
   * thread). Unset means "choose": src/embed/session-layout.ts decides from the cores,
   * the model size and the memory budget once the model is known.
   */
  threads: intFromEnv(1, 256).optional(),
  sessions: intFromEnv(1, 64).optional(),
  /** Memory the sessions' weights may take, in MB (unset: a share of free memory; session-layout.ts). */
  maxMemoryMb: intFromEnv(1, 1 << 24).optional(),
  /** Padded-token budget per micro-batch (rows × longest row); unset: per device (session-layout.ts). */
  batchTokens: intFromEnv(16, 1 << 22).optional(),
  /** Where derived model copies (graph surgery) are cached, keyed by sha256. */
  cacheDir: z
    .string()
    .min(1)
    .default(path.join(os.homedir(), '.cache', 'pairscore')),
  redisUrl: z.string().min(1).default('redis://127.0.0.1:6379'),
  /** Used when the URL carries none; never logged. */
  redisPassword: z.string().optional(),
  /** PEM files for rediss://: a private CA; a client certificate and its key (mTLS). */
  redisCa: z.string().min(1).optional(),
  redisCert: z.string().min(1).optional(),
  redisKey: z.string().min(1).optional(),
  redisPrefix: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ -')
    .default('pairscore'),
  /** Chunk jobs one worker process runs at once (2 overlaps featurizing with inference). */
  concurrency: intFromEnv(1, 64).default(2),
  device: z.enum(['cpu', 'cuda', 'webgpu', 'auto']).default('cpu'),
  /** CUDA device ordinal a worker's sessions run on (one worker per GPU; src/embed/provider-options.ts). */
  gpuId: intFromEnv(0, 63).default(0),
  /** BullMQ job lock; a dead worker's chunk is handed to another after about this long. */
  lockMs: intFromEnv(1000, 600000).default(30000),
  /**
   * Times a chunk may stall (its worker died or froze past the lock) before BullMQ fails it.
   * BullMQ's default, 1, lost a chunk whose holder died twice; a chunk that keeps crashing
   * is split long before this (src/queue/bisect.ts), so this only bounds unlucky chunks.
   */
  maxStalledCount: intFromEnv(0, 1000).default(5),
  /**
   * TEST ONLY: a worker dies (SIGKILL to itself) on a chunk holding a row whose text
   * contains this string (src/queue/crash-hook.ts). Unset — never active — by default.
   */
  testCrashMarker: z.string().min(1).optional(),
  /** TEST ONLY: the first N attempts of each aggregate job fail, retryably (src/queue/aggregate-fault-hook.ts). Unset by default. */
  testAggregateFailures: intFromEnv(1, 4).optional(),
  /** TEST ONLY: a worker fails (no retry) a chunk holding a row that contains this string (src/queue/crash-hook.ts). Unset by default. */
  testFailMarker: z.string().min(1).optional(),
  /** Seconds run data stays in Redis after the run ends. */
  keepSeconds: intFromEnv(60, 10 * 365 * 86400).default(7 * 86400),
  modelsRoot: z.string().min(1).default('models'),
  /** Port of a worker's /metrics, /healthz and /readyz (src/queue/health-server.ts); off when unset. */
  metricsPort: intFromEnv(0, 65535).optional(),
  /**
   * Attempts per chunk job (set at submit). Infrastructure faults (Redis unreachable or
   * refusing writes, timeouts, ONNX Runtime run errors) use them up over minutes, not seconds:
   * see src/queue/retry-policy.ts.
   */
  retryAttempts: intFromEnv(1, 100).default(8),
  /** First retry delay of an infrastructure fault; doubles per attempt, with jitter (workers read it). */
  retryBaseMs: intFromEnv(10, 3600000).default(5000),
  /** Cap of one retry delay (workers read it). */
  retryMaxMs: intFromEnv(10, 24 * 3600000).default(300000),
});

export type Config = Readonly<z.infer<typeof configSchema>>;

/** Names of the environment variables each setting is read from. */
const ENV_NAMES: Record<keyof z.infer<typeof configSchema>, string> = {
  logLevel: 'PAIRSCORE_LOG_LEVEL',
  threads: 'PAIRSCORE_THREADS',
  sessions: 'PAIRSCORE_SESSIONS',
  maxMemoryMb: 'PAIRSCORE_MAX_MEMORY_MB',
  batchTokens: 'PAIRSCORE_BATCH_TOKENS',
  cacheDir: 'PAIRSCORE_CACHE_DIR',
  redisUrl: 'REDIS_URL',
  redisPassword: 'REDIS_PASSWORD',
  redisCa: 'REDIS_CA_FILE',
  redisCert: 'REDIS_CERT_FILE',
  redisKey: 'REDIS_KEY_FILE',
  redisPrefix: 'PAIRSCORE_PREFIX',
  concurrency: 'PAIRSCORE_CONCURRENCY',
  device: 'PAIRSCORE_DEVICE',
  gpuId: 'PAIRSCORE_GPU_ID',
  keepSeconds: 'PAIRSCORE_KEEP_SECONDS',
  lockMs: 'PAIRSCORE_LOCK_MS',
  maxStalledCount: 'PAIRSCORE_MAX_STALLED',
  testCrashMarker: 'PAIRSCORE_TEST_CRASH_MARKER',
  testAggregateFailures: 'PAIRSCORE_TEST_AGGREGATE_FAILURES',
  testFailMarker: 'PAIRSCORE_TEST_FAIL_MARKER',
  modelsRoot: 'PAIRSCORE_MODELS_ROOT',
  metricsPort: 'PAIRSCORE_METRICS_PORT',
  retryAttempts: 'PAIRSCORE_RETRY_ATTEMPTS',
  retryBaseMs: 'PAIRSCORE_RETRY_BASE_MS',
  retryMaxMs: 'PAIRSCORE_RETRY_MAX_MS',
};

/**
 * Builds the configuration from the environment, then applies explicit
 * overrides (CLI flags). Undefined overrides are ignored.
 */
export function loadConfig(overrides: Partial<Record<keyof Config, unknown>> = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, envName] of Object.entries(ENV_NAMES)) {
    const v = env[envName];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  for (const [key, v] of Object.entries(overrides)) if (v !== undefined) raw[key] = v;
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .map((i) => `${String(i.path[0])} (${ENV_NAMES[i.path[0] as keyof typeof ENV_NAMES] ?? 'flag'}): ${i.message}`)
      .join('; ');
    throw new InputError(`invalid configuration: ${issues}`);
  }
  return Object.freeze(parsed.data);
}
