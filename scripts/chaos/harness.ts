/**
 * The chaos harness: real `pairscore worker` processes on a private redis-server with
 * AOF, one run per scenario, a fault injected while it runs, then every input row of
 * the run's export (`pairscore results --partial`, what a user gets) classified
 * against a fault-free baseline (account.ts). A scenario passes when nothing is lost,
 * duplicated or unexpected, the error rows are the expected ones and the run completed.
 *
 * Fixtures: a `make-model` copy (`small` for the suite: slow enough that faults land
 * mid-run; `mini` for the fast cases in `npm test`) and generated pairs; the baseline is
 * the local `pairscore score` of the same pairs, cached by model size, data seed and a
 * fingerprint of the scoring code, so the suite pays for it once per code version.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { QueueKeys } from 'bullmq';
import { redisNames } from '../../src/queue/keys.js';
import { account, type Accounting, type ExportedRow } from './account.js';
import { ChaosRedis, sleep } from './redis.js';

/** dist/scripts/chaos → the repository (compiled), scripts/chaos → the repository (tsx). */
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '../../..') : path.resolve(here, '../..');
const compiled = fileURLToPath(import.meta.url).endsWith('.js');
const PREFIX = 'chaos';
const CHUNK_SIZE = 100;

export function cliArgv(args: string[]): string[] {
  return compiled
    ? [path.join(repoRoot, 'dist', 'src', 'cli.js'), ...args]
    : ['--import', 'tsx', path.join(repoRoot, 'src', 'cli.ts'), ...args];
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return runNode(cliArgv(args), env);
}

export function runNode(argv: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return startNode(argv, env).result;
}

/** A node child process and its outcome; `child` to signal it. */
export function startNode(argv: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; result: Promise<CliResult> } {
  const child = spawn(process.execPath, argv, { cwd: repoRoot, env: { ...process.env, ...env } });
  const result = new Promise<CliResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal === 'SIGKILL' ? 137 : -1), stdout, stderr }));
  });
  return { child, result };
}

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

export interface Fixtures {
  dir: string;
  modelsRoot: string;
  cacheDir: string;
  /** Baseline rows of the largest input, by index. */
  baseline: ExportedRow[];
  /** A file of the first `n` pairs (written on first use). */
  pairs(n: number): string;
  /** A copy of the first `n` pairs where row `index` carries `marker` in its premise. */
  pairsWithMarker(n: number, index: number, marker: string): string;
  close(): void;
}

export interface FixtureOptions {
  size: 'mini' | 'small';
  /** The largest run of the suite. */
  rows: number;
  /** Seed of the generated pairs (the model keeps make-model's default seed). */
  seed?: number;
  log?: (line: string) => void;
}

export async function prepareFixtures(opts: FixtureOptions): Promise<Fixtures> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-chaos-'));
  const seed = opts.seed ?? 5;
  const cache = path.join(os.tmpdir(), 'pairscore-chaos-cache', `${opts.size}-seed${seed}-rows${opts.rows}-${scoringFingerprint()}`);
  fs.mkdirSync(cache, { recursive: true });
  const modelsRoot = path.join(dir, 'models');
  const cacheDir = path.join(cache, 'pairscore-cache');
  const env = { PAIRSCORE_CACHE_DIR: cacheDir, PAIRSCORE_LOG_LEVEL: 'warn' };
  const all = path.join(cache, 'pairs.jsonl');
  const steps: string[][] = [['make-model', '--size', opts.size, '--head', 'seqcls', '--out', path.join(modelsRoot, 'demo')]];
  if (!fs.existsSync(all)) steps.push(['generate', '--count', String(opts.rows), '--seed', String(seed), '--out', all]);
  for (const args of steps) {
    const r = await runCli(args, env);
    if (r.code !== 0) throw new Error(`pairscore ${args[0]} failed: ${r.stderr}`);
  }
  const baselineFile = path.join(cache, 'baseline.jsonl');
  if (!fs.existsSync(baselineFile)) {
    opts.log?.(`baseline: local score of ${opts.rows} pairs (${opts.size} model; cached in ${cache})`);
    const tmp = `${baselineFile}.tmp.jsonl`;
    const r = await runCli(['score', all, '--model', path.join(modelsRoot, 'demo'), '--out', tmp, '--no-progress'], {
      ...env,
      PAIRSCORE_THREADS: String(os.availableParallelism()),
    });
    if (r.code !== 0) throw new Error(`baseline score failed: ${r.stderr}`);
    fs.renameSync(tmp, baselineFile);
  }
  const baseline = readRows(baselineFile);
  const lines = fs
    .readFileSync(all, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  return {
    dir,
    modelsRoot,
    cacheDir,
    baseline,
    pairs(n) {
      const file = path.join(dir, `pairs-${n}.jsonl`);
      if (!fs.existsSync(file)) fs.writeFileSync(file, `${lines.slice(0, n).join('\n')}\n`);
      return file;
    },
    pairsWithMarker(n, index, marker) {
      const file = path.join(dir, `pairs-${n}-marker-${index}.jsonl`);
      const rows = lines.slice(0, n).map((l, i) => {
        if (i !== index) return l;
        const o = JSON.parse(l) as { premise: string };
        return JSON.stringify({ ...o, premise: `${o.premise} ${marker}` });
      });
      fs.writeFileSync(file, `${rows.join('\n')}\n`);
      return file;
    },
    close() {
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The cached baseline is only valid for the code that computed it: a fingerprint of the
 * modules that decide a row's answer (model generation, pair generation, the stages).
 * Queue code is left out on purpose: it must not change answers, and the suite checks that.
 */
function scoringFingerprint(): string {
  const root = path.join(repoRoot, compiled ? path.join('dist', 'src') : 'src');
  const parts = ['modelgen', 'synthetic', 'tokenize', 'embed', 'features', 'classify', 'pipeline', 'stages', 'plan'];
  const hash = createHash('sha256');
  const walk = (p: string): void => {
    if (!fs.existsSync(p)) return;
    if (fs.statSync(p).isDirectory()) for (const f of fs.readdirSync(p).sort()) walk(path.join(p, f));
    else if (/\.(js|ts)$/.test(p)) hash.update(p.slice(root.length)).update(fs.readFileSync(p));
  };
  for (const part of parts) {
    walk(path.join(root, part));
    walk(path.join(root, `${part}${compiled ? '.js' : '.ts'}`));
  }
  return hash.digest('hex').slice(0, 12);
}

function readRows(file: string): ExportedRow[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as ExportedRow);
}

// ---------------------------------------------------------------------------
// Worker processes
// ---------------------------------------------------------------------------

export class WorkerProc {
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
  private out = '';
  /** SIGKILLed by the scenario: its exit is the fault, not a finding. */
  killedOnPurpose = false;

  constructor(env: NodeJS.ProcessEnv) {
    this.child = spawn(process.execPath, cliArgv(['worker']), { cwd: repoRoot, env: { ...process.env, ...env } });
    const keep = (d: Buffer) => (this.out = (this.out + d.toString()).slice(-4000));
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => this.child.on('close', (code, signal) => resolve(code ?? signal ?? -1)));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(sig: NodeJS.Signals): void {
    if (sig === 'SIGKILL') this.killedOnPurpose = true;
    if (this.alive) process.kill(this.pid, sig);
  }

  output(): string {
    return this.out;
  }

  /** Resident set size from /proc (Linux), in bytes; undefined when gone. */
  rss(): number | undefined {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : undefined;
    } catch {
      return undefined;
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves to the exit code/signal and whether it was in time. */
  async stop(graceMs = 15000): Promise<{ exit: number | string; inTime: boolean }> {
    if (!this.alive) return { exit: await this.exited, inTime: true };
    this.signal('SIGCONT');
    this.signal('SIGTERM');
    const timer = sleep(graceMs).then(() => 'timeout' as const);
    const r = await Promise.race([this.exited, timer]);
    if (r !== 'timeout') return { exit: r, inTime: true };
    process.kill(this.pid, 'SIGKILL');
    return { exit: await this.exited, inTime: false };
  }
}

// ---------------------------------------------------------------------------
// One scenario
// ---------------------------------------------------------------------------

export interface ScenarioContext {
  redis: ChaosRedis;
  runId: string;
  rows: number;
  input: string;
  env: NodeJS.ProcessEnv;
  fixtures: Fixtures;
  workers: WorkerProc[];
  startWorker(extraEnv?: NodeJS.ProcessEnv): WorkerProc;
  /** `pairscore submit` of this scenario's run (same args every time: re-running it resumes). */
  submit(): Promise<CliResult>;
  /** Rows with a result so far (HLEN of the run's rows), undefined while Redis does not answer. */
  done(): Promise<number | undefined>;
  /** Resolves once `fraction` of the rows have a result (or the run ended, or `timeoutMs`). */
  waitForProgress(fraction: number, timeoutMs?: number): Promise<void>;
  state(): Promise<string | undefined>;
  /** Adds a line to the scenario's notes (printed under its result). */
  note(line: string): void;
  /** Marks the scenario broken whatever the accounting says (a worker that did not exit, say). */
  fail(reason: string): void;
}

export interface Scenario {
  name: string;
  rows: number;
  workers: number;
  /** Job lock (ms) of the workers: a dead worker's chunk is taken over after about this long. */
  lockMs?: number;
  /** Error rows the scenario should end with (default 0: the poison row's is 1). */
  errorRows?: number;
  /**
   * How the run must end (default `completed`, with every row accounted for). A scenario
   * whose run must fail (`failed`: its aggregate cannot finish) is judged on ending so,
   * not on its rows.
   */
  expectState?: 'completed' | 'failed';
  /** How long the run may take once the fault is injected (default 300 s). */
  timeoutMs?: number;
  /** The scenario submits the run itself (producer crashes). */
  submitsItself?: boolean;
  /** Why the scenario cannot run here, or undefined. */
  skip?(fixtures: Fixtures): string | undefined;
  /** The pairs file of the run (default: the first `rows` pairs). */
  input?(fixtures: Fixtures): string;
  /** Extra environment for the workers. */
  workerEnv?: NodeJS.ProcessEnv;
  inject(ctx: ScenarioContext): Promise<void>;
  /** Extra fields for the result line (peak memory…), from what was measured. */
  extra?(m: Measurements): Record<string, string>;
}

export interface Measurements {
  peakRedisBytes: number;
  peakWorkerRssBytes: number;
  seconds: number;
}

export interface ScenarioResult extends Accounting {
  name: string;
  state: string;
  chunksRetried: number;
  passed: boolean;
  skipped?: string;
  notes: string[];
  line: string;
}

const FINAL = new Set(['completed', 'failed', 'cancelled']);

/** Polls the BullMQ events stream of the score queue: chunk jobs that ran more than once, failed or stalled. */
class RetryCounter {
  private last = '0-0';
  private readonly active = new Map<string, number>();
  private readonly troubled = new Set<string>();
  constructor(private readonly key: string) {}

  async poll(redis: Redis): Promise<void> {
    for (;;) {
      const entries = (await redis.xrange(this.key, `(${this.last}`, '+', 'COUNT', 2000)) as Array<[string, string[]]>;
      for (const [id, fields] of entries) {
        this.last = id;
        const f: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
        const job = f.jobId ?? '';
        if (!job.includes('-chunk-')) continue;
        if (f.event === 'active') this.active.set(job, (this.active.get(job) ?? 0) + 1);
        if (f.event === 'failed' || f.event === 'stalled' || f.event === 'retries-exhausted') this.troubled.add(job);
      }
      if (entries.length < 2000) return;
    }
  }

  get retried(): number {
    const s = new Set(this.troubled);
    for (const [job, n] of this.active) if (n > 1) s.add(job);
    return s.size;
  }
}

function resultLine(name: string, a: Accounting, retried: number, state: string, extra: Record<string, string>): string {
  const fields = [
    `scenario=${name}`,
    `rows=${a.rows}`,
    `ok=${a.ok}`,
    `lost=${a.lost}`,
    `duplicated=${a.duplicated}`,
    `unexpected=${a.unexpected}`,
    `error_rows=${a.errorRows}`,
    `chunks_retried=${retried}`,
    `state=${state}`,
  ];
  for (const [k, v] of Object.entries(extra)) fields.push(`${k}=${v}`);
  return fields.join(' ');
}

export async function runScenario(fixtures: Fixtures, scenario: Scenario): Promise<ScenarioResult> {
  const skipped = scenario.skip?.(fixtures);
  if (skipped) {
    const empty: Accounting = { rows: scenario.rows, ok: 0, lost: 0, duplicated: 0, unexpected: 0, errorRows: 0, samples: [] };
    return {
      ...empty,
      name: scenario.name,
      state: 'skipped',
      chunksRetried: 0,
      passed: true,
      skipped,
      notes: [skipped],
      line: `scenario=${scenario.name} skipped: ${skipped}`,
    };
  }
  const dir = fs.mkdtempSync(path.join(fixtures.dir, `${scenario.name}-`));
  const redis = await ChaosRedis.start(dir);
  const names = redisNames(PREFIX);
  const runId = `chaos-${scenario.name}`;
  const input = scenario.input?.(fixtures) ?? fixtures.pairs(scenario.rows);
  const env: NodeJS.ProcessEnv = {
    REDIS_URL: redis.url,
    PAIRSCORE_PREFIX: PREFIX,
    PAIRSCORE_MODELS_ROOT: fixtures.modelsRoot,
    PAIRSCORE_CACHE_DIR: fixtures.cacheDir,
    PAIRSCORE_THREADS: '1',
    PAIRSCORE_CONCURRENCY: '2',
    PAIRSCORE_LOG_LEVEL: 'warn',
    PAIRSCORE_LOCK_MS: String(scenario.lockMs ?? 5000),
  };
  const notes: string[] = [];
  const failures: string[] = [];
  const workers: WorkerProc[] = [];
  const watcher = new Redis({
    port: redis.port,
    host: '127.0.0.1',
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => 200,
  });
  watcher.on('error', () => undefined);
  const counter = new RetryCounter(new QueueKeys(names.bullPrefix).toKey(names.scoreQueue, 'events'));
  const m: Measurements = { peakRedisBytes: 0, peakWorkerRssBytes: 0, seconds: 0 };
  const started = performance.now();
  let monitoring = true;
  const monitor = (async () => {
    while (monitoring) {
      try {
        await counter.poll(watcher);
        const info = await watcher.info('memory');
        const used = Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? 0);
        m.peakRedisBytes = Math.max(m.peakRedisBytes, used);
      } catch {
        // Redis is down or refusing: the fault under test; keep polling.
      }
      for (const w of workers) m.peakWorkerRssBytes = Math.max(m.peakWorkerRssBytes, w.rss() ?? 0);
      await sleep(250);
    }
  })();

  const state = async (): Promise<string | undefined> => {
    try {
      return (await watcher.hget(names.runMeta(runId), 'state')) ?? 'absent';
    } catch {
      return undefined;
    }
  };
  const ctx: ScenarioContext = {
    redis,
    runId,
    rows: scenario.rows,
    input,
    env,
    fixtures,
    workers,
    startWorker(extraEnv = {}) {
      const w = new WorkerProc({ ...env, ...scenario.workerEnv, ...extraEnv });
      workers.push(w);
      return w;
    },
    submit: () => runCli(['submit', input, '--model', 'demo', '--run-id', runId, '--chunk-size', String(CHUNK_SIZE)], env),
    async done() {
      try {
        return await watcher.hlen(names.runRows(runId));
      } catch {
        return undefined;
      }
    },
    async waitForProgress(fraction, timeoutMs = 120000) {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        const [n, s] = [await ctx.done(), await state()];
        if ((n ?? 0) >= fraction * scenario.rows || (s && FINAL.has(s))) return;
        await sleep(100);
      }
      notes.push(`progress ${fraction} not reached in ${timeoutMs / 1000} s`);
    },
    state,
    note: (line) => notes.push(line),
    fail: (reason) => failures.push(reason),
  };

  let finalState = 'unknown';
  let storedExtra = 0;
  let watch: ReturnType<typeof startNode> | undefined;
  // A user waiting on the run (`status --watch`): it must ride out the fault, and print no ioredis noise.
  const startWatch = () => {
    watch = startNode(
      cliArgv(['status', runId, '--watch', '--timeout', String(Math.ceil((scenario.timeoutMs ?? 300000) / 1000) + 60)]),
      env,
    );
  };
  let exported: ExportedRow[] = [];
  try {
    for (let i = 0; i < scenario.workers; i++) ctx.startWorker();
    if (!scenario.submitsItself) {
      const sub = await ctx.submit();
      if (sub.code !== 0) notes.push(`submit exited ${sub.code}: ${lastLine(sub.stderr)}`);
    }
    if (!scenario.submitsItself) startWatch();
    await scenario.inject(ctx);
    if (scenario.submitsItself) startWatch();
    const until = Date.now() + (scenario.timeoutMs ?? 300000);
    for (;;) {
      const s = await state();
      if (s && FINAL.has(s)) {
        finalState = s;
        break;
      }
      if (Date.now() > until) {
        finalState = `${s ?? 'unreachable'}(timeout)`;
        notes.push(`the run did not end within ${(scenario.timeoutMs ?? 300000) / 1000} s of the fault`);
        break;
      }
      await sleep(250);
    }
    m.seconds = (performance.now() - started) / 1000;
    // Rows the export never shows can still sit in Redis (a chunk job with indexes outside the run).
    const stored = await ctx.done();
    if (stored !== undefined && stored > scenario.rows) storedExtra = stored - scenario.rows;
    const out = path.join(dir, 'export.jsonl');
    const r = await runCli(['results', runId, '--out', out, '--partial'], env);
    if (r.code === 0) exported = readRows(out);
    else notes.push(`results exited ${r.code}: ${lastLine(r.stderr)}`);
    // (A run that did not end has already failed the scenario: no need to wait for the watcher.)
    const w = FINAL.has(finalState)
      ? await Promise.race([watch!.result, sleep(20000).then(() => undefined)])
      : { code: 0, stdout: '', stderr: '' };
    if (!w) {
      watch!.child.kill('SIGKILL');
      failures.push('status --watch was still waiting 20 s after the run ended');
    } else if (/Unhandled error event/.test(w.stderr)) failures.push('status --watch printed ioredis "Unhandled error event"');
    // Exit 1 is right for a run that ended without every row (RunFailedError names the run's end);
    // any other failure means the watcher gave up during the fault.
    const runEnded = /error: run \S+ (completed with|failed|cancelled)/.test(w?.stderr ?? '');
    if (w && w.code !== 0 && !(w.code === 1 && runEnded)) failures.push(`status --watch exited ${w.code}: ${lastLine(w.stderr)}`);
  } finally {
    if (watch && watch.child.exitCode === null) watch.child.kill('SIGKILL');
    monitoring = false;
    await monitor;
    for (const w of workers) {
      const { exit, inTime } = await w.stop();
      if (!inTime) notes.push(`worker ${w.pid} did not exit within 15 s of SIGTERM (killed)`);
      else if (exit !== 0 && exit !== 'SIGKILL' && exit !== 137 && !w.killedOnPurpose)
        notes.push(`worker ${w.pid} exited ${exit}: ${lastLine(w.output())}`);
    }
    watcher.disconnect();
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const a = account(fixtures.baseline.slice(0, scenario.rows), exported);
  if (storedExtra > 0) {
    a.unexpected += storedExtra;
    notes.push(`${storedExtra} stored row(s) outside the run's ${scenario.rows} (in the rows hash, not in the export)`);
  }
  const chunksRetried = counter.retried;
  const expectErrors = scenario.errorRows ?? 0;
  const broken: string[] = [...failures];
  const expectState = scenario.expectState ?? 'completed';
  if (expectState === 'completed') {
    if (a.lost > 0) broken.push(`${a.lost} rows lost`);
    if (a.duplicated > 0) broken.push(`${a.duplicated} rows duplicated`);
    if (a.unexpected > 0) broken.push(`${a.unexpected} unexpected rows`);
    if (a.errorRows !== expectErrors) broken.push(`${a.errorRows} error rows (expected ${expectErrors})`);
  } else notes.push(`rows not judged: the run must end ${expectState}`);
  if (finalState !== expectState) broken.push(`state ${finalState} (expected ${expectState})`);
  const line = resultLine(scenario.name, a, chunksRetried, finalState, scenario.extra?.(m) ?? { seconds: m.seconds.toFixed(0) });
  return {
    ...a,
    name: scenario.name,
    state: finalState,
    chunksRetried,
    passed: broken.length === 0,
    notes: [...(broken.length ? [`FAIL: ${broken.join('; ')}`] : []), ...notes, ...a.samples],
    line,
  };
}

function lastLine(text: string): string {
  return (
    text
      .trim()
      .split('\n')
      .filter((l) => l.trim())
      .slice(-1)[0]
      ?.slice(0, 300) ?? ''
  );
}
