/**
 * A pool of N session workers (worker_threads), each with its own ORT session.
 * Micro-batches wait in one FIFO queue; a worker holds up to PREFETCH of them at
 * once (the one it runs and the next), so it starts the next batch the moment the
 * current one ends, even while the main thread is busy tokenizing or featurizing
 * and cannot answer its result message yet.
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

  private constructor(
    private readonly spec: SessionSpec,
    readonly size: number,
  ) {}

  /** Starts `size` workers; rejects (and stops the started ones) if any cannot load the model. */
  static async start(spec: SessionSpec, size: number): Promise<SessionPool> {
    const pool = new SessionPool(spec, size);
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
      this.dispatch();
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
   * Fills the workers breadth-first: every worker gets a running batch before any
   * gets a prefetched one, so with several sessions no worker idles while another
   * holds two.
   */
  private dispatch(): void {
    for (let depth = 1; depth <= PREFETCH; depth++) {
      for (const slot of this.slots) {
        if (this.queue.length === 0) return;
        if (slot.onIdle || slot.jobs.size >= depth) continue;
        this.send(slot, this.queue.shift()!);
      }
    }
  }

  /**
   * A batch sent to an idle worker runs at once: its arrays are transferred. A batch held
   * behind a running one may come back to the queue if the worker dies, so it is copied
   * (a few KB) and the caller's arrays stay usable.
   */
  private send(slot: Slot, job: Job): void {
    const id = this.nextId++;
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
