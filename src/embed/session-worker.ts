/**
 * worker_threads entry: owns one onnxruntime-node InferenceSession and runs the
 * micro-batches posted to it. `InferenceSession.run` blocks its thread for the
 * whole run, which is why it lives here and not on the main thread.
 *
 * Pooling happens here (cls = hidden[:, 0], mean = masked mean), so only
 * [rows, dim] Float32Arrays go back — transferred, never copied.
 * Nothing runs unless this file is loaded as a worker (isMainThread === false).
 */
import ort from 'onnxruntime-node';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { clsPool, halfToFloat, meanPool } from './pooling.js';
import { executionProviderConfigs } from './provider-options.js';
import type { BatchVectors, KindBlock, RunRequest, SessionSpec, WorkerReply, WorkerRequest } from './worker-protocol.js';

type Role = 'ids' | 'mask' | 'typeIds' | 'positions';
interface Feed {
  name: string;
  role: Role;
  int64: boolean;
}

function roleOf(name: string): Role | undefined {
  const n = name.toLowerCase();
  if (n.includes('mask')) return 'mask';
  if (n.includes('token_type') || n.includes('segment')) return 'typeIds';
  if (n.includes('position')) return 'positions';
  if (n.includes('input_ids') || n === 'input' || n === 'ids') return 'ids';
  return undefined;
}

function planFeeds(session: ort.InferenceSession): Feed[] {
  return session.inputMetadata.map((m) => {
    const role = roleOf(m.name);
    if (!role)
      throw new Error(`model input '${m.name}' is not one pairscore can feed (input_ids, attention_mask, token_type_ids, position_ids)`);
    const type = m.isTensor ? m.type : undefined;
    if (type !== 'int64' && type !== 'int32') throw new Error(`model input '${m.name}' has type ${String(type)}; expected int64 or int32`);
    return { name: m.name, role, int64: type === 'int64' };
  });
}

function buildFeed(feed: Feed, req: RunRequest): ort.Tensor {
  const n = req.rows * req.seqLen;
  const values = feed.int64 ? new BigInt64Array(n) : new Int32Array(n);
  const set = feed.int64
    ? (i: number, v: number) => ((values as BigInt64Array)[i] = BigInt(v))
    : (i: number, v: number) => ((values as Int32Array)[i] = v);
  for (let r = 0; r < req.rows; r++) {
    const len = req.lengths[r]!;
    for (let t = 0; t < req.seqLen; t++) {
      const i = r * req.seqLen + t;
      switch (feed.role) {
        case 'ids':
          set(i, req.ids[i]!);
          break;
        case 'typeIds':
          set(i, req.typeIds[i]!);
          break;
        case 'mask':
          set(i, t < len ? 1 : 0);
          break;
        case 'positions':
          set(i, t);
          break;
      }
    }
  }
  return new ort.Tensor(feed.int64 ? 'int64' : 'int32', values, [req.rows, req.seqLen]);
}

function floatData(t: ort.Tensor, name: string): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float16') return halfToFloat(t.data as Uint16Array);
  throw new Error(`output '${name}' has type ${t.type}; expected float32 or float16`);
}

function checkDims(t: ort.Tensor, name: string, expected: (number | undefined)[]): void {
  const ok = t.dims.length === expected.length && expected.every((d, i) => d === undefined || t.dims[i] === d);
  if (!ok) {
    const want = expected.map((d) => d ?? '?').join(', ');
    throw new Error(`output '${name}' has shape [${t.dims.join(', ')}]; expected [${want}]`);
  }
}

async function runBatch(session: ort.InferenceSession, feeds: Feed[], spec: SessionSpec, req: RunRequest): Promise<BatchVectors> {
  const { sources } = spec;
  const wantHidden = req.kinds.includes('cls') || req.kinds.includes('mean');
  const fetch = new Set<string>();
  const need = (kind: 'lastHiddenState' | 'pooled' | 'logits'): string => {
    const name = sources[kind];
    if (!name) throw new Error(`this model has no ${kind} source`);
    fetch.add(name);
    return name;
  };
  // The embedder switches to the full graph before it asks for mean (embedder.ts); this is the last guard.
  if (spec.clsOnly && req.kinds.includes('mean'))
    throw new Error("this session's graph computes the [CLS] row only; mean needs every position");
  const hiddenName = wantHidden ? need('lastHiddenState') : undefined;
  const pooledName = req.kinds.includes('pooled') ? need('pooled') : undefined;
  const logitsName = req.kinds.includes('logits') ? need('logits') : undefined;

  const inputs: Record<string, ort.Tensor> = {};
  for (const f of feeds) inputs[f.name] = buildFeed(f, req);
  // In a worker thread process.exit ends this thread only: a crash while running, as the pool sees one.
  if (req.testExitCode !== undefined) process.exit(req.testExitCode);
  const out = await session.run(inputs, [...fetch]);

  const vectors: BatchVectors = {};
  if (hiddenName) {
    const t = out[hiddenName] as ort.Tensor;
    const positions = spec.clsOnly ? 1 : req.seqLen;
    checkDims(t, hiddenName, [req.rows, positions, undefined]);
    const dim = t.dims[2]!;
    const hidden = floatData(t, hiddenName);
    if (req.kinds.includes('cls')) vectors.cls = { data: clsPool(hidden, req.rows, positions, dim), dim };
    if (req.kinds.includes('mean')) vectors.mean = { data: meanPool(hidden, req.lengths, req.rows, req.seqLen, dim), dim };
  }
  const copy2d = (name: string): KindBlock => {
    const t = out[name] as ort.Tensor;
    checkDims(t, name, [req.rows, undefined]);
    // A fresh array: ORT's output buffer may be external memory that cannot be transferred.
    // slice() is one memcpy (Float32Array.from iterates); float16 output is already a fresh array.
    const data = floatData(t, name);
    return { data: t.type === 'float32' ? data.slice() : data, dim: t.dims[1]! };
  };
  if (pooledName) vectors.pooled = copy2d(pooledName);
  if (logitsName) vectors.logits = copy2d(logitsName);
  return vectors;
}

async function main(): Promise<void> {
  const port = parentPort!;
  const spec = workerData as SessionSpec;
  const post = (msg: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(msg, transfer);
  let session: ort.InferenceSession;
  let feeds: Feed[];
  try {
    session = await ort.InferenceSession.create(spec.modelPath, {
      intraOpNumThreads: spec.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      logSeverityLevel: 3, // errors only: ORT's warnings (unused initializers, …) are not actionable here
      executionProviders: executionProviderConfigs(spec.executionProviders, { gpuId: spec.gpuId ?? 0 }),
    });
    feeds = planFeeds(session);
    const missing = Object.values(spec.sources).filter((n) => n && !session.outputNames.includes(n));
    if (missing.length > 0) throw new Error(`the loaded model has no output(s) ${missing.join(', ')}`);
  } catch (err) {
    post({ type: 'init-error', message: (err as Error).message ?? String(err) });
    port.close();
    return;
  }
  post({ type: 'ready', inputs: [...session.inputNames], outputs: [...session.outputNames] });

  // The pool sends up to two batches ahead; they run strictly one after another, and
  // each result is posted as soon as its run ends.
  const pending: RunRequest[] = [];
  let busy = false;
  let closing = false;
  const next = (): void => {
    if (busy) return;
    const msg = pending.shift();
    if (!msg) {
      if (closing) void session.release().finally(() => port.close());
      return;
    }
    busy = true;
    const t0 = performance.now();
    runBatch(session, feeds, spec, msg)
      .then(
        (vectors) => {
          const transfer = Object.values(vectors).map((v: KindBlock) => v.data.buffer as ArrayBuffer);
          post({ type: 'result', id: msg.id, vectors, seconds: (performance.now() - t0) / 1000 }, transfer);
        },
        (err: unknown) => post({ type: 'run-error', id: msg.id, message: (err as Error).message ?? String(err) }),
      )
      .finally(() => {
        busy = false;
        next();
      });
  };
  port.on('message', (msg: WorkerRequest) => {
    if (msg.type === 'close') {
      closing = true;
      next();
      return;
    }
    pending.push(msg);
    next();
  });
}

if (!isMainThread && parentPort) void main();
