/**
 * A pool of N session workers (worker_threads), each with its own ORT session.
 * Micro-batches wait in one FIFO queue; each free worker takes the next.
 *
 * Failure rules:
 * - a worker that cannot create its session at start → `start` rejects with ModelError;
 * - a run that ORT rejects (bad shapes, missing output) → that batch rejects with ModelError;
 * - a worker that dies (crash, terminate) → its batch rejects with RetryableError and
 *   a replacement worker is started; queued batches wait for it.
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
  resolve: (v: BatchVectors) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: { id: number; job: Job };
  lastError?: Error;
  /** Set by close(): runs once the worker is idle. */
  onIdle?: () => void;
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
        new ModelError(
          `session worker exited (code ${code}) before its session was ready` + (lastError ? `: ${lastError.message}` : ''),
          { cause: lastError },
        ),
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

  /** Runs one padded micro-batch on the next free worker. Its arrays are transferred (detached here). */
  run(input: BatchInput): Promise<BatchVectors> {
    if (this.closed) return Promise.reject(new RetryableError('session pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
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
    return new Promise((resolve) => {
      slot.worker.once('exit', () => resolve());
      const send = () => {
        slot.worker.ref(); // keep the process alive until the worker has exited
        slot.worker.postMessage({ type: 'close' } satisfies WorkerRequest);
        setTimeout(() => void slot.worker.terminate(), CLOSE_GRACE_MS).unref();
      };
      if (slot.job) slot.onIdle = send;
      else send();
    });
  }

  private adopt(worker: Worker): void {
    const slot: Slot = { worker };
    this.slots.push(slot);
    worker.unref();
    worker.on('message', (msg: WorkerReply) => this.onMessage(slot, msg));
    worker.on('error', (err) => (slot.lastError = err));
    worker.on('exit', (code) => this.onExit(slot, code));
    this.dispatch();
  }

  private onMessage(slot: Slot, msg: WorkerReply): void {
    if (msg.type !== 'result' && msg.type !== 'run-error') return;
    const running = slot.job;
    if (!running || running.id !== msg.id) return;
    slot.job = undefined;
    slot.worker.unref();
    if (msg.type === 'result') running.job.resolve(msg.vectors);
    else running.job.reject(new ModelError(`inference failed: ${msg.message}`));
    if (slot.onIdle) slot.onIdle();
    else this.dispatch();
  }

  private onExit(slot: Slot, code: number): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    if (slot.job) {
      const why = slot.lastError ? `: ${slot.lastError.message}` : '';
      slot.job.job.reject(
        new RetryableError(`session worker died (exit code ${code}) while running a batch${why}`, { cause: slot.lastError }),
      );
      slot.job = undefined;
    }
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

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.job) continue;
      const job = this.queue.shift()!;
      const id = this.nextId++;
      slot.job = { id, job };
      slot.worker.ref();
      const ids = owned(job.input.ids);
      const typeIds = owned(job.input.typeIds);
      const lengths = owned(job.input.lengths);
      const req: RunRequest = { type: 'run', id, ...job.input, ids, typeIds, lengths };
      slot.worker.postMessage(req, [ids.buffer as ArrayBuffer, typeIds.buffer as ArrayBuffer, lengths.buffer as ArrayBuffer]);
    }
  }
}
