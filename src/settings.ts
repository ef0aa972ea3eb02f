/**
 * Every setting, declared once: its flag, its environment variable, its validation, its default
 * and its help — like text-embeddings-inference's one clap struct with `#[arg(long, env)]`.
 *
 * - src/config.ts builds the configuration from the settings that have a variable (and reads
 *   nothing else from the environment);
 * - src/commands/setting-option.ts makes each command's commander option from the same entry, so a
 *   flag and its variable accept the same text and refuse it with the same words;
 * - the README's "Configuration" table is rendered from here (`npm run docs:settings`,
 *   src/settings-doc.ts) and test/settings.readmeTable.test.ts fails when it drifts.
 *
 * A schema validates text (a flag's argument, a variable's value) and typed values (library
 * callers' overrides) alike; `schema.parse(undefined)` is the default. `describe()` names what is
 * accepted, for error messages and the README.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { bool, duration, file, int, oneOf, text } from './setting-schemas.js';
import { DEFAULT_CHUNK_ROWS, MIN_CHUNK_ROWS } from './queue/chunk-plan.js';

/** pino's levels, and `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const DEVICES = ['cpu', 'cuda', 'webgpu', 'auto'] as const;
export const INPUT_FORMATS = ['csv', 'tsv', 'jsonl', 'parquet'] as const;

/** Where a setting is shown in the README table, in this order. */
export const SETTING_GROUPS = {
  model: 'Model, sessions and batches',
  data: 'Input data',
  redis: 'Redis',
  worker: 'Workers',
  runs: 'Runs',
  tests: 'Tests only (fault hooks; never set them in production)',
} as const;

export interface Setting {
  /** The long flag with its argument, e.g. `--threads <n>`; none for variable-only settings. */
  flag?: string;
  /** Environment variable; none for flag-only settings. */
  env?: string;
  schema: z.ZodType;
  help: string;
  /** For help and the README when the default is not a plain value (chosen, per device, …). */
  defaultText?: string;
  /** The commands that take the flag (README). */
  commands?: string;
  group: keyof typeof SETTING_GROUPS;
}

const MODEL_RUNNERS = 'score, extract, worker';
const ON_REDIS = 'submit, status, results, cancel, pause, resume, retry, worker, dashboard, extract/report --redis';
const COLUMN_COMMANDS = 'tokenize, score, extract, submit, report --input';

/** The table. Keys of entries with `env` are the configuration's keys (src/config.ts). */
export const SETTINGS = {
  // ---- model, sessions and batches ----
  threads: {
    flag: '--threads <n>',
    env: 'PAIRSCORE_THREADS',
    schema: int(1, 256).optional(),
    help: 'intra-op threads per ONNX session',
    defaultText: 'chosen, see --sessions',
    commands: MODEL_RUNNERS,
    group: 'model',
  },
  sessions: {
    flag: '--sessions <n>',
    env: 'PAIRSCORE_SESSIONS',
    schema: int(1, 64).optional(),
    help: "ONNX sessions, each in its own worker thread; a worker's concurrent chunk jobs share them",
    defaultText: 'on CPU one per core with 1 thread each, fewer if their weights exceed --max-memory; 1 on a GPU',
    commands: MODEL_RUNNERS,
    group: 'model',
  },
  maxMemoryMb: {
    flag: '--max-memory <MB>',
    env: 'PAIRSCORE_MAX_MEMORY_MB',
    schema: int(1, 1 << 24).optional(),
    help: "memory the sessions' weights of one model may take when the layout is chosen",
    defaultText: 'half the free memory',
    commands: MODEL_RUNNERS,
    group: 'model',
  },
  batchTokens: {
    flag: '--batch-tokens <n>',
    env: 'PAIRSCORE_BATCH_TOKENS',
    schema: int(16, 1 << 22).optional(),
    help: 'padded-token budget per micro-batch (rows × longest row)',
    defaultText: '1024 on CPU, 8192 on CUDA',
    commands: MODEL_RUNNERS,
    group: 'model',
  },
  device: {
    flag: '--device <device>',
    env: 'PAIRSCORE_DEVICE',
    schema: oneOf(DEVICES).default('cpu'),
    help: 'execution provider (auto: CUDA when it works, else CPU)',
    commands: MODEL_RUNNERS,
    group: 'model',
  },
  gpuId: {
    flag: '--gpu-id <n>',
    env: 'PAIRSCORE_GPU_ID',
    schema: int(0, 63).default(0),
    help: 'CUDA device ordinal for --device cuda/auto: run one worker per GPU',
    commands: 'worker',
    group: 'model',
  },
  maxLength: {
    flag: '--max-length <n>',
    schema: int(1, 1 << 20).optional(),
    help: 'truncate pairs to this many tokens',
    defaultText: "the model's limit, at most 512",
    commands: 'tokenize, score, extract, submit',
    group: 'model',
  },
  clsOnly: {
    env: 'PAIRSCORE_CLS_ONLY',
    schema: bool().default(true),
    help: 'fp32 CPU runs that read only position 0 (cls, pooled, logits) compute the last layer for [CLS] only, after a probe batch matched the full graph within 1e-5; 0 always loads the full graph',
    defaultText: '1',
    group: 'model',
  },
  cacheDir: {
    env: 'PAIRSCORE_CACHE_DIR',
    schema: z
      .string()
      .min(1)
      .default(path.join(os.homedir(), '.cache', 'pairscore'))
      .describe('a folder'),
    help: 'where derived model copies (graph surgery) are cached, keyed by sha256, and the sha256 of each model file (file-hashes/)',
    defaultText: '~/.cache/pairscore',
    group: 'model',
  },
  // ---- input data ----
  chunkRows: {
    flag: '--chunk-size <n>',
    schema: int(1, 1 << 20).default(1024),
    help: 'rows per pipeline chunk (local runs)',
    commands: 'tokenize, score, extract',
    group: 'data',
  },
  chunkJobRows: {
    flag: '--chunk-size <n>',
    schema: int(1, 1 << 20).optional(),
    help: 'rows per chunk job (distributed runs)',
    defaultText: `planned: rows ÷ (2 × the job slots of the workers alive), kept within ${MIN_CHUNK_ROWS}–${DEFAULT_CHUNK_ROWS} (src/queue/chunk-plan.ts)`,
    commands: 'submit, extract --redis',
    group: 'data',
  },
  premiseCol: {
    flag: '--premise-col <name>',
    schema: text().optional(),
    help: 'premise column',
    defaultText: 'detected',
    commands: COLUMN_COMMANDS,
    group: 'data',
  },
  hypothesisCol: {
    flag: '--hypothesis-col <name>',
    schema: text().optional(),
    help: 'hypothesis column',
    defaultText: 'detected',
    commands: COLUMN_COMMANDS,
    group: 'data',
  },
  labelCol: {
    flag: '--label-col <name>',
    schema: text().optional(),
    help: 'gold label column',
    defaultText: 'detected',
    commands: COLUMN_COMMANDS,
    group: 'data',
  },
  idCol: {
    flag: '--id-col <name>',
    schema: text().optional(),
    help: 'id column',
    defaultText: 'detected, else the row number',
    commands: COLUMN_COMMANDS,
    group: 'data',
  },
  inputFormat: {
    flag: '--input-format <fmt>',
    schema: oneOf(INPUT_FORMATS).optional(),
    help: 'input format',
    defaultText: 'from the extension',
    commands: COLUMN_COMMANDS,
    group: 'data',
  },
  // ---- Redis ----
  redisUrl: {
    flag: '--redis <url>',
    env: 'REDIS_URL',
    schema: z.string().min(1).default('redis://127.0.0.1:6379').describe('a redis:// or rediss:// URL'),
    help: 'Redis URL (redis:// or rediss://)',
    commands: ON_REDIS,
    group: 'redis',
  },
  redisPassword: {
    env: 'REDIS_PASSWORD',
    schema: z.string().optional().describe('text'),
    help: 'used when the URL carries none; never logged',
    defaultText: 'none',
    group: 'redis',
  },
  redisPrefix: {
    flag: '--prefix <name>',
    env: 'PAIRSCORE_PREFIX',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, . _ -')
      .default('pairscore')
      .describe('letters, digits, . _ -'),
    help: 'key prefix (hash tag) of a deployment',
    commands: ON_REDIS,
    group: 'redis',
  },
  redisCa: {
    flag: '--redis-ca <file>',
    env: 'REDIS_CA_FILE',
    schema: file().optional(),
    help: "with rediss://: PEM file of the CA that signed Redis' certificate",
    defaultText: 'the system CAs',
    commands: ON_REDIS,
    group: 'redis',
  },
  redisCert: {
    flag: '--redis-cert <file>',
    env: 'REDIS_CERT_FILE',
    schema: file().optional(),
    help: 'with rediss://: client certificate (PEM) for a Redis with tls-auth-clients (mTLS)',
    defaultText: 'none',
    commands: ON_REDIS,
    group: 'redis',
  },
  redisKey: {
    flag: '--redis-key <file>',
    env: 'REDIS_KEY_FILE',
    schema: file().optional(),
    help: "with rediss://: the client certificate's private key (PEM)",
    defaultText: 'none',
    commands: ON_REDIS,
    group: 'redis',
  },
  // ---- workers ----
  modelsRoot: {
    flag: '--models-root <dir>',
    env: 'PAIRSCORE_MODELS_ROOT',
    schema: z.string().min(1).default('models').describe('a folder'),
    help: 'folder holding the models, found by name (the same name on every worker host)',
    commands: 'submit, worker, extract --redis',
    group: 'worker',
  },
  concurrency: {
    flag: '--concurrency <n>',
    env: 'PAIRSCORE_CONCURRENCY',
    schema: int(1, 64).default(2),
    help: 'chunk jobs one worker process runs at once (2 overlaps featurizing with inference)',
    commands: 'worker',
    group: 'worker',
  },
  metricsPort: {
    flag: '--metrics-port <port>',
    env: 'PAIRSCORE_METRICS_PORT',
    schema: int(0, 65535).optional(),
    help: "serve a worker's /metrics, /healthz and /readyz on this port",
    defaultText: 'off',
    commands: 'worker',
    group: 'worker',
  },
  logLevel: {
    flag: '--log-level <level>',
    env: 'PAIRSCORE_LOG_LEVEL',
    schema: oneOf(LOG_LEVELS).default('info'),
    help: 'pino log level (logs go to stderr)',
    commands: 'worker, dashboard',
    group: 'worker',
  },
  lockMs: {
    env: 'PAIRSCORE_LOCK_MS',
    schema: int(1000, 600000).default(30000),
    help: "BullMQ job lock in ms: a dead worker's chunk is handed to another after about this long",
    group: 'worker',
  },
  maxStalledCount: {
    env: 'PAIRSCORE_MAX_STALLED',
    // BullMQ's default, 1, lost a chunk whose holder died twice; a chunk that keeps crashing is
    // split long before this (src/queue/bisect.ts), so this only bounds unlucky chunks.
    schema: int(0, 1000).default(5),
    help: 'times a chunk may stall (its worker died or froze past the lock) before it fails; a poison chunk is split long before',
    group: 'worker',
  },
  retryBaseMs: {
    env: 'PAIRSCORE_RETRY_BASE_MS',
    schema: int(10, 3600000).default(5000),
    help: 'first retry delay (ms) of an infrastructure fault; doubles per attempt, with jitter (workers read it)',
    group: 'worker',
  },
  retryMaxMs: {
    env: 'PAIRSCORE_RETRY_MAX_MS',
    schema: int(10, 24 * 3600000).default(300000),
    help: 'largest retry delay in ms (workers read it)',
    group: 'worker',
  },
  // ---- runs ----
  retryAttempts: {
    env: 'PAIRSCORE_RETRY_ATTEMPTS',
    // Infrastructure faults (Redis unreachable or refusing writes, timeouts, ONNX Runtime run
    // errors) use them up over minutes, not seconds: src/queue/retry-policy.ts.
    schema: int(1, 100).default(8),
    help: 'attempts per chunk job (set at submit)',
    group: 'runs',
  },
  keepSeconds: {
    flag: '--keep <duration>',
    env: 'PAIRSCORE_KEEP_SECONDS',
    schema: duration(60, 10 * 365 * 86400).default(7 * 86400),
    help: 'keep run data in Redis this long after the run ends',
    defaultText: '7d',
    commands: 'submit, extract --redis',
    group: 'runs',
  },
  timeout: {
    flag: '--timeout <duration>',
    schema: duration(1, 10 * 365 * 86400).optional(),
    help: 'give up waiting after this long and exit 1 (the run goes on on the workers)',
    defaultText: 'wait until the run ends',
    commands: 'submit --wait, status --watch, results, retry --wait, extract --redis',
    group: 'runs',
  },
  // ---- tests only ----
  testCrashMarker: {
    env: 'PAIRSCORE_TEST_CRASH_MARKER',
    schema: text().optional(),
    help: 'a worker kills itself (SIGKILL) on a chunk holding a row that contains this text (src/queue/crash-hook.ts)',
    defaultText: 'unset',
    group: 'tests',
  },
  testFailMarker: {
    env: 'PAIRSCORE_TEST_FAIL_MARKER',
    schema: text().optional(),
    help: 'a worker fails (no retry) a chunk holding a row that contains this text (src/queue/crash-hook.ts)',
    defaultText: 'unset',
    group: 'tests',
  },
  testAggregateFailures: {
    env: 'PAIRSCORE_TEST_AGGREGATE_FAILURES',
    schema: int(1, 4).optional(),
    help: 'the first N attempts of each aggregate job fail, retryably (src/queue/aggregate-fault-hook.ts)',
    defaultText: 'unset',
    group: 'tests',
  },
} as const satisfies Record<string, Setting>;

export type SettingKey = keyof typeof SETTINGS;

/** What a setting's text must be, for error messages and the README. */
export function accepts(key: SettingKey): string {
  // `.optional()` and `.default()` wrap the described schema without its description.
  let schema: unknown = SETTINGS[key].schema;
  while (schema instanceof z.ZodType) {
    if (schema.description !== undefined) return schema.description;
    schema = (schema._zod.def as { innerType?: unknown }).innerType;
  }
  return 'a value';
}

/** The default as shown to people: `defaultText`, else the schema's default, else "none". */
export function defaultShown(key: SettingKey): string {
  const s: Setting = SETTINGS[key];
  if (s.defaultText !== undefined) return s.defaultText;
  const d = s.schema.safeParse(undefined);
  return d.success && d.data !== undefined ? String(d.data) : 'none';
}
