/**
 * A pool of N session workers (worker_threads), each with its own ORT session.
 * Micro-batches wait in one FIFO queue; a worker holds up to PREFETCH of them at
 * once (the one it runs and the next), so it starts the next batch the moment the
 * current one ends, even while the main thread is busy tokenizing or featurizing
 * and cannot answer its result message yet.
 *
 * The end of the known work is shared out, not left to one session. A batch that is more
 * work (padded tokens) than the other workers would find queued behind it is not held
 * behind a running batch, and the idle worker that takes it halves it (batch-split.ts): the
 * other half waits at the front of the queue for the next free worker, which may halve it
 * again, so the sessions finish a run (or a small chunk) together instead of all but one
 * idling through its last batch: scripts/bench/busy.ts measured 1.15× on 64 BERT-base pairs
 * and no change on 512. Batches queued in one synchronous burst (an embed call's plan) are
 * dispatched together, after the burst, so the first of them is not taken for the last.
 *
 * Failure rules:
 * - a worker that cannot create its session at start → `start` rejects with ModelError;
 * - a run that ORT rejects (out of memory, a failing device, bad shapes) → that batch
 *   rejects with RetryableError: inputs were checked before the run (plan and embedder),
 *   so a failing run is the runtime's or the device's trouble; jobs retry it a bounded
 *   number of times;
 * - a worker that dies (crash, terminate) → the batch it was running rejects with
 *   RetryableError, the batch it held behind it goes back to the queue, and a
 *   replacement worker is started; queued batches wait for it.
 * Idle workers are unref'd, so a forgotten pool never keeps the process alive.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ModelError, RetryableError } from '../errors.js';
import { halfPoint, joinVectors, splitBatch } from './batch-split.js';
import type { BatchVectors, RunRequest, SessionSpec, WorkerReply, WorkerRequest } from './worker-protocol.js';

/** The worker entry next to this file: .js when compiled, .ts under tsx. */
function workerUrl(): URL {
  return new URL('./session-worker' + path.extname(fileURLToPath(import.meta.url)), import.meta.url);
}

/** The array itself when it spans its whole buffer (safe to transfer), else a copy. */
function owned(a: Int32Array): Int32Array {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : a.slice();
}

export type BatchInput = Omit<RunRequest, 'type' | 'id'>;

interface Job {
  input: BatchInput;
  onRun: ((seconds: number) => void) | undefined;
  resolve: (v: BatchVectors) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  /** Batches sent to this worker and not answered yet, by request id (≤ PREFETCH). */
  jobs: Map<number, Job>;
  lastError?: Error;
  /** Set by close(): runs once the worker is idle. */
  onIdle?: () => void;
}

/** Batches a worker holds at once: one running, one waiting in its queue. */
const PREFETCH = 2;

export interface PoolOptions {
  /**
   * A tail batch is halved only while both halves keep at least this many padded tokens
   * (a run's fixed cost must stay small beside its work). Default 128.
   */
  minPieceTokens?: number;
  /** Share the end of the known work out (see the top). Default true; false only for the A/B bench (scripts/bench/busy.ts). */
  shareTail?: boolean;
}

/** How long close() waits for a worker to release its session and exit before terminating it. */
const CLOSE_GRACE_MS = 10_000;

/**
 * Compiled: a plain Worker on session-worker.js. Under tsx (session-worker.ts):
 * Node passes `--import tsx` to workers, but before Node 22 the module hooks it
 * registers do not reach worker threads, so a small bootstrap imports the .ts
 * entry and, only if Node cannot load it, registers tsx in the worker and retries.
 */
function createWorker(spec: SessionSpec): Worker {
  const url = workerUrl();
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData: spec });
  const tsxApi = import.meta.resolve('tsx/esm/api');
  const code = `(async () => {
    const entry = ${JSON.stringify(url.href)};
    try {
      await import(entry);
    } catch (err) {
      if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
      (await import(${JSON.stringify(tsxApi)})).register();
      await import(entry + '?tsx'); // a new URL: the failed load is cached under the plain one
    }
  })().catch((err) => { process.nextTick(() => { throw err; }); });`;
  return new Worker(code, { eval: true, workerData: spec });
}

/** Starts one worker and resolves once its session is ready. */
function spawn(spec: SessionSpec): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = createWorker(spec);
    let lastError: Error | undefined;
    const onMessage = (msg: WorkerReply) => {
      if (msg.type === 'ready') {
        cleanup();
        resolve(worker);
      } else if (msg.type === 'init-error') {
        cleanup();
        void worker.terminate();
        reject(new ModelError(`cannot create an ONNX Runtime session for ${spec.modelPath}: ${msg.message}`));
      }
    };
    const onError = (err: Error) => (lastError = err);
    const onExit = (code: number) => {
      cleanup();
      reject(
        new ModelError(`session worker exited (code ${code}) before its session was ready` + (lastError ? `: ${lastError.message}` : ''), {
          cause: lastError,
        }),
      );
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

export class SessionPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private starting = 0;
  private closed = false;
  private dispatchQueued = false;
  /** Session runs posted, and how many batches were halved to share a tail (tests, bench, EmbedStats.splits). */
  readonly stats = { runs: 0, splits: 0 };

  private constructor(
    private readonly spec: SessionSpec,
    readonly size: number,
    private readonly minPieceTokens: number,
    private readonly shareTail: boolean,
  ) {}

  /** Starts `size` workers; rejects (and stops the started ones) if any cannot load the model. */
  static async start(spec: SessionSpec, size: number, opts: PoolOptions = {}): Promise<SessionPool> {
    const pool = new SessionPool(spec, size, opts.minPieceTokens ?? 128, opts.shareTail ?? true);
    const results = await Promise.allSettled(Array.from({ length: size }, () => spawn(spec)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    const workers = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    if (failed) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw failed.reason as Error;
    }
    for (const w of workers) pool.adopt(w);
    return pool;
  }

  /**
   * Runs one padded micro-batch on the next free worker. Its arrays may be transferred (detached here).
   * `onRun` is told the seconds the session thread spent on it (time queued in the pool excluded).
   */
  run(input: BatchInput, onRun?: (seconds: number) => void): Promise<BatchVectors> {
    if (this.closed) return Promise.reject(new RetryableError('session pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ input, onRun, resolve, reject });
      if (this.dispatchQueued) return;
      this.dispatchQueued = true;
      queueMicrotask(() => {
        this.dispatchQueued = false;
        this.dispatch();
      });
    });
  }

  /** Number of live workers (tests, metrics). */
  get liveWorkers(): number {
    return this.slots.length;
  }

  /**
   * Stops all workers. Queued batches reject with RetryableError; running ones finish
   * first — terminating a thread inside InferenceSession.run can abort the whole
   * process (native Napi::Error), so a worker is only asked to stop when idle: it
   * releases its session and exits (terminated only if it has not after a grace period).
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new RetryableError('session pool closed'));
    await Promise.all([...this.slots].map((s) => this.stop(s)));
  }

  private stop(slot: Slot): Promise<void> {
    // Batches held behind the running one count as queued: they reject now (the worker
    // may still run them; their results are dropped).
    const [, ...held] = slot.jobs.keys();
    for (const id of held) {
      slot.jobs.get(id)!.reject(new RetryableError('session pool closed'));
      slot.jobs.delete(id);
    }
    return new Promise((resolve) => {
      slot.worker.once('exit', () => resolve());
      const send = () => {
        slot.worker.ref(); // keep the process alive until the worker has exited
        slot.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
        setTimeout(() => void slot.worker.terminate(), CLOSE_GRACE_MS).unref();
      };
      if (slot.jobs.size > 0) slot.onIdle = send;
      else send();
    });
  }

  private adopt(worker: Worker): void {
    const slot: Slot = { worker, jobs: new Map() };
    this.slots.push(slot);
    worker.unref();
    worker.on('message', (msg: WorkerReply) => this.onMessage(slot, msg));
    worker.on('error', (err) => (slot.lastError = err));
    worker.on('exit', (code) => this.onExit(slot, code));
    this.dispatch();
  }

  private onMessage(slot: Slot, msg: WorkerReply): void {
    if (msg.type !== 'result' && msg.type !== 'run-error') return;
    const job = slot.jobs.get(msg.id);
    if (!job) return;
    slot.jobs.delete(msg.id);
    if (slot.jobs.size === 0) slot.worker.unref();
    if (msg.type === 'result') {
      job.onRun?.(msg.seconds);
      job.resolve(msg.vectors);
    } else job.reject(new RetryableError(`inference failed: ${msg.message}`));
    if (slot.onIdle) {
      if (slot.jobs.size === 0) slot.onIdle();
    } else this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    // The oldest unanswered batch is the one it was running; the ones it held behind
    // it had not started, so they go back to the front of the queue.
    const [running, ...held] = slot.jobs.values();
    slot.jobs.clear();
    if (running) {
      const why = slot.lastError ? `: ${slot.lastError.message}` : '';
      running.reject(new RetryableError(`session worker died (exit code ${code}) while running a batch${why}`, { cause: slot.lastError }));
    }
    if (this.closed) for (const job of held) job.reject(new RetryableError('session pool closed'));
    else this.queue.unshift(...held);
    if (!this.closed) this.replace();
  }

  private replace(): void {
    this.starting++;
    spawn(this.spec).then(
      (worker) => {
        this.starting--;
        if (this.closed) void worker.terminate();
        else this.adopt(worker);
      },
      (err: Error) => {
        this.starting--;
        if (this.slots.length === 0 && this.starting === 0) {
          for (const job of this.queue.splice(0)) {
            job.reject(new RetryableError(`no session worker could be restarted: ${err.message}`, { cause: err }));
          }
        }
      },
    );
  }

  /**
   * Fills the workers breadth-first: every worker gets a running batch before any gets a
   * prefetched one. A batch that is more work than the other workers would find queued
   * behind it is never held behind a running one, and an idle worker that takes it halves
   * it (see the top), so no worker idles while another still has a batch to run.
   */
  private dispatch(): void {
    let queued = this.queuedTokens(); // kept up to date below: one pass over the queue per dispatch
    for (let depth = 1; depth <= PREFETCH; depth++) {
      for (const slot of this.slots) {
        if (this.queue.length === 0) return;
        if (slot.onIdle || slot.jobs.size >= depth) continue;
        const next = paddedTokens(this.queue[0]!);
        // More work than the other workers would find queued behind it: they would run dry first.
        const outlasts = this.shareTail && next * (this.slots.length - 1) > queued - next;
        if (depth > 1 && outlasts) continue; // not held: whoever is free first takes (and halves) it
        let job = this.queue.shift()!;
        const at = outlasts ? halfPoint(job.input, this.minPieceTokens) : undefined;
        if (at !== undefined) {
          const [first, second] = halves(job, at);
          this.stats.splits++;
          this.queue.unshift(second);
          job = first;
        }
        queued -= paddedTokens(job);
        this.send(slot, job);
      }
    }
  }

  private queuedTokens(): number {
    let n = 0;
    for (const job of this.queue) n += paddedTokens(job);
    return n;
  }

  /**
   * A batch sent to an idle worker runs at once: its arrays are transferred. A batch held
   * behind a running one may come back to the queue if the worker dies, so it is copied
   * (a few KB) and the caller's arrays stay usable.
   */
  private send(slot: Slot, job: Job): void {
    const id = this.nextId++;
    this.stats.runs++;
    const runsNow = slot.jobs.size === 0;
    slot.jobs.set(id, job);
    slot.worker.ref();
    if (!runsNow) {
      slot.worker.postMessage({ type: 'run', id, ...job.input } satisfies RunRequest);
      return;
    }
    const ids = owned(job.input.ids);
    const typeIds = owned(job.input.typeIds);
    const lengths = owned(job.input.lengths);
    const req: RunRequest = { type: 'run', id, ...job.input, ids, typeIds, lengths };
    slot.worker.postMessage(req, [ids.buffer as ArrayBuffer, typeIds.buffer as ArrayBuffer, lengths.buffer as ArrayBuffer]);
  }
}

const paddedTokens = (job: Job) => job.input.rows * job.input.seqLen;

/** Two jobs for the halves of `job`'s batch; `job` settles once both have (or as soon as one fails). */
function halves(job: Job, at: number): [Job, Job] {
  const [a, b] = splitBatch(job.input, at);
  const parts: Array<BatchVectors | undefined> = [undefined, undefined];
  let seconds = 0;
  let settled = false;
  const half = (input: BatchInput, i: 0 | 1): Job => ({
    input,
    onRun: (s) => (seconds += s),
    resolve: (v) => {
      parts[i] = v;
      if (settled || !parts[0] || !parts[1]) return;
      settled = true;
      let joined: BatchVectors;
      try {
        joined = joinVectors(parts[0], parts[1]);
      } catch (err) {
        job.reject(new ModelError((err as Error).message));
        return;
      }
      job.onRun?.(seconds);
      job.resolve(joined);
    },
    reject: (e) => {
      if (settled) return;
      settled = true;
      job.reject(e);
    },
  });
  return [half(a, 0), half(b, 1)];
}
