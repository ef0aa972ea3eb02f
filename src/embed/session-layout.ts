/**
 * How many ONNX sessions, with how many intra-op threads each, and how large a
 * micro-batch — when the user did not say.
 *
 * On CPU, N sessions × 1 thread beat 1 session × N threads on this project's bench
 * (BERT-base on 2 cores: 1.40–1.84× transformers.js against 1.26–1.60× fp32, 4.2–5.4×
 * against 3.4–4.0× int8): one thread per session has no intra-op synchronisation, and
 * two sessions overlap one batch's tail with the next one's start. But every session
 * holds its own copy of the weights, so sessions are capped by a memory budget
 * (`--max-memory`, else MEMORY_SHARE of the free memory); the cores a smaller
 * session count leaves over become threads of those sessions.
 *
 * Explicit values win: both given → used as they are; one given → the other is
 * derived so sessions × threads ≤ cores (a derived session count still respects the
 * budget). A GPU runs one session: a second copy of the weights on the same device
 * buys no parallelism there.
 */

export type LayoutDevice = 'cpu' | 'cuda' | 'webgpu';

export interface LayoutInput {
  /** Cores this process may use (usableCores(): the affinity mask, cut to a cgroup CPU quota). */
  cores: number;
  /** Free memory now (os.freemem()). */
  freeMemBytes: number;
  /** What one session holds: the model file the sessions load. */
  modelBytes: number;
  /** `--max-memory` / PAIRSCORE_MAX_MEMORY_MB in bytes; default MEMORY_SHARE × freeMemBytes. */
  maxMemoryBytes?: number | undefined;
  device: LayoutDevice;
  /** `--sessions` / PAIRSCORE_SESSIONS, when given. */
  sessions?: number | undefined;
  /** `--threads` / PAIRSCORE_THREADS, when given. */
  threads?: number | undefined;
}

export interface SessionLayout {
  sessions: number;
  threads: number;
  /** Why, in words, for the start-up line (see describeLayout). */
  reason: string;
}

/** Share of the free memory the sessions' weights may take when `--max-memory` is not given. */
export const MEMORY_SHARE = 0.5;

/** The most sessions config.ts accepts. */
export const MAX_SESSIONS = 64;

/**
 * Padded-token budget per micro-batch when `--batch-tokens` is not given. CPU: small,
 * well-bucketed batches win (1,024 ran 44.8 pairs/s against 30.4 at 16,384, DESIGN.md).
 * CUDA: a GPU needs far larger batches to fill its cores, and padding costs it little
 * next to per-run launch overhead; 8,192 tokens of BERT-base activations stay well under
 * 1 GB of device memory. WebGPU (experimental) keeps the CPU value until measured.
 */
export const DEFAULT_BATCH_TOKENS: Readonly<Record<LayoutDevice, number>> = { cpu: 1024, cuda: 8192, webgpu: 1024 };

export function defaultBatchTokens(device: LayoutDevice): number {
  return DEFAULT_BATCH_TOKENS[device];
}

const MB = 1024 * 1024;

function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return 'unlimited';
  return n >= 1024 * MB ? `${(n / 1024 / MB).toFixed(1)} GB` : `${Math.round(n / MB)} MB`;
}

export function chooseSessionLayout(input: LayoutInput): SessionLayout {
  const cores = Math.max(1, Math.floor(input.cores));
  const facts = `${cores} core${cores === 1 ? '' : 's'}, model ${formatBytes(input.modelBytes)}`;
  const explicit = input.sessions !== undefined || input.threads !== undefined;
  const byMemory = input.maxMemoryBytes !== undefined;
  const budget = input.maxMemoryBytes ?? Math.floor(input.freeMemBytes * MEMORY_SHARE);
  const budgetText = `budget ${formatBytes(budget)}${byMemory ? ' (--max-memory)' : ` = ${MEMORY_SHARE * 100}% of free memory`}`;
  // Sessions whose weights fit the budget; always at least one (a model that does not fit
  // once is the OS's or the runtime's to refuse, with its own error).
  const fitting = input.modelBytes > 0 ? Math.max(1, Math.floor(budget / input.modelBytes)) : MAX_SESSIONS;

  // Explicit sessions are kept even over the budget; the line says so, as the likely cause of an OOM.
  const over = (n: number) => (input.modelBytes > 0 && n > fitting ? `; ${n} copies exceed the ${budgetText}` : '');
  if (input.sessions !== undefined && input.threads !== undefined) {
    return { sessions: input.sessions, threads: input.threads, reason: `set by --sessions and --threads; ${facts}${over(input.sessions)}` };
  }
  if (input.device !== 'cpu') {
    return {
      sessions: input.sessions ?? 1,
      threads: input.threads ?? cores,
      reason: `${input.device}: one session per device${explicit ? ', the rest as set' : ''}; ${facts}`,
    };
  }
  if (input.sessions !== undefined) {
    return {
      sessions: input.sessions,
      threads: Math.max(1, Math.floor(cores / input.sessions)),
      reason: `set by --sessions, threads = cores / sessions; ${facts}${over(input.sessions)}`,
    };
  }
  const threads = input.threads ?? 1;
  const wanted = Math.min(MAX_SESSIONS, Math.max(1, Math.floor(cores / threads)));
  const sessions = Math.min(wanted, fitting);
  if (input.threads !== undefined) {
    const capped = sessions < wanted ? `, ${sessions} of ${wanted} fit the memory budget` : '';
    return { sessions, threads, reason: `set by --threads, sessions = cores / threads${capped}; ${facts}, ${budgetText}` };
  }
  if (sessions < wanted) {
    // Cores the budget leaves without a session of their own become threads of the others.
    return {
      sessions,
      threads: Math.max(1, Math.floor(cores / sessions)),
      reason: `${facts}, ${budgetText}: ${sessions} of ${wanted} sessions fit`,
    };
  }
  return { sessions, threads: 1, reason: `${facts}, ${budgetText}` };
}

/** The start-up line: `sessions 2 × threads 1, batch-tokens 1024 (2 cores, model 420 MB, budget …)`. */
export function describeLayout(layout: SessionLayout & { batchTokens: number }): string {
  return `sessions ${layout.sessions} × threads ${layout.threads}, batch-tokens ${layout.batchTokens} (${layout.reason})`;
}
