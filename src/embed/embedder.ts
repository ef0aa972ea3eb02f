/**
 * createEmbedder: inspect the model (graph surgery if needed) → pick execution
 * providers → pick the graph (the [CLS]-only copy when the caller's kinds read position 0
 * only: cls-only-model.ts) → start the session pool → embed() plans micro-batches
 * (batcher.ts), runs them on the pool and returns one vector per row per kind, in input order.
 */
import os from 'node:os';
import type { EmbeddingKind, Encoding, ModelInfo } from '../contracts.js';
import { InputError, ModelError } from '../errors.js';
import { planBatches } from './batcher.js';
import { sessionFailure, type DeviceChoice } from './device.js';
import { proveDevice } from './device-probe.js';
import { clsOnlyModel, readsPosition0Only } from './cls-only-model.js';
import { GraphPool, type Graph } from './graph-pool.js';
import { inspectModel, type InspectResult } from './inspect.js';
import { SessionPool } from './session-pool.js';
import { chooseSessionLayout, defaultBatchTokens, type SessionLayout } from './session-layout.js';
import { usableCores } from './cpu-quota.js';
import { weightBytes } from './weight-bytes.js';
import type { Embedder, EmbedderOptions, EmbedObserver, EmbedOutput } from './types.js';
import type { BatchVectors } from './worker-protocol.js';

/** Running totals over all embed() calls. */
export interface EmbedStats {
  rows: number;
  batches: number;
  realTokens: number;
  paddedTokens: number;
  /** (paddedTokens − realTokens) / realTokens. */
  paddingWaste: number;
  /** Halvings of a batch to share the end of the known work between sessions (session-pool.ts); pieces stop at batchTokens / 8. */
  splits: number;
}

/** The ONNX Runtime embedder: an Embedder plus what it resolved at start. */
export interface OnnxEmbedder extends Embedder {
  /** The model file the sessions load: the user's, or a derived copy (inspect.ts, cls-only-model.ts). */
  readonly modelPath: string;
  /** Whether the sessions run the [CLS]-only copy (last layer on row 0 only), and why or why not. */
  readonly lastLayer: Readonly<{ clsOnly: boolean; why: string }>;
  readonly device: DeviceChoice;
  /** Things the caller should log (e.g. `auto` fell back to CPU). */
  readonly warnings: readonly string[];
  readonly stats: Readonly<EmbedStats>;
  /** The sessions, threads and batch budget in use, and why (describeLayout prints it). */
  readonly layout: Readonly<SessionLayout & { batchTokens: number }>;
}

export interface CreateEmbedderDeps {
  /** Host facts for the session layout (tests); default usableCores() (cpu-quota.ts) and os.freemem(). */
  host?: { cores: number; freeMemBytes: number };
  /** The model already inspected by the caller (openStages plans the run from it before sessions start). */
  inspected?: InspectResult;
}

function checkOptions(opts: EmbedderOptions): void {
  for (const key of ['threads', 'sessions', 'batchTokens', 'maxMemoryBytes'] as const) {
    const v = opts[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1))
      throw new InputError(`embedder option ${key} must be a positive integer, got ${v}`);
  }
}

class OrtEmbedder implements OnnxEmbedder {
  readonly stats: EmbedStats = { rows: 0, batches: 0, realTokens: 0, paddedTokens: 0, paddingWaste: 0, splits: 0 };

  constructor(
    readonly info: ModelInfo,
    readonly device: DeviceChoice,
    readonly warnings: readonly string[],
    private readonly pool: GraphPool,
    private readonly padId: number,
    readonly layout: Readonly<SessionLayout & { batchTokens: number }>,
  ) {}

  get modelPath(): string {
    return this.pool.graph.modelPath;
  }

  get lastLayer(): { clsOnly: boolean; why: string } {
    const { clsOnly, why } = this.pool.graph;
    return { clsOnly, why };
  }

  async embed(encodings: readonly Encoding[], kinds: readonly EmbeddingKind[], observer?: EmbedObserver): Promise<EmbedOutput> {
    const wanted = [...new Set(kinds)];
    const missing = wanted.filter((k) => !this.info.available.includes(k));
    if (missing.length > 0) {
      throw new ModelError(
        `embedding kind(s) ${missing.join(', ')} not available for ${this.info.dir}; available: ${this.info.available.join(', ') || 'none'}`,
      );
    }
    encodings.forEach((e, i) => {
      if (e.ids.length === 0) throw new InputError(`row ${i}: empty encoding`);
      if (e.typeIds.length !== e.ids.length) {
        throw new InputError(`row ${i}: ${e.ids.length} ids but ${e.typeIds.length} token type ids`);
      }
      if (e.ids.length > this.info.maxLength) {
        throw new InputError(`row ${i}: ${e.ids.length} tokens exceed the model's maximum of ${this.info.maxLength}`);
      }
    });
    const out: EmbedOutput = {};
    for (const k of wanted) out[k] = new Array<Float32Array>(encodings.length);
    if (wanted.length === 0 || encodings.length === 0) return out;

    const plan = planBatches(encodings, { batchTokens: this.layout.batchTokens, padId: this.padId });
    const results: BatchVectors[] = await this.pool.use(wanted, (pool) =>
      Promise.all(
        plan.batches.map((b) => {
          // Read before run(): the pool transfers the batch's arrays to the session thread.
          const rows = b.rows.length;
          let realTokens = 0;
          for (const n of b.lengths) realTokens += n;
          const onRun =
            observer &&
            ((seconds: number) => observer.embedBatch({ seconds, rows, realTokens, paddingTokens: rows * b.seqLen - realTokens }));
          return pool.run({ rows, seqLen: b.seqLen, ids: b.ids, typeIds: b.typeIds, lengths: b.lengths, kinds: wanted }, onRun);
        }),
      ),
    );
    plan.batches.forEach((batch, bi) => {
      for (const k of wanted) {
        const block = results[bi]![k];
        if (!block) throw new ModelError(`session returned no ${k} vectors`);
        const target = out[k]!;
        // Views into the batch's block: no copy; rows of one batch share its buffer.
        batch.rows.forEach((input, j) => (target[input] = block.data.subarray(j * block.dim, (j + 1) * block.dim)));
      }
    });
    const s = this.stats;
    s.rows += encodings.length;
    s.batches += plan.batches.length;
    s.realTokens += plan.realTokens;
    s.paddedTokens += plan.paddedTokens;
    s.paddingWaste = s.realTokens > 0 ? (s.paddedTokens - s.realTokens) / s.realTokens : 0;
    s.splits = this.pool.splits;
    return out;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** The graph the sessions load on `device`: the [CLS]-only copy when the kinds and the model allow it. */
async function chooseGraph(inspected: InspectResult, opts: EmbedderOptions, device: DeviceChoice['device']): Promise<Graph> {
  const full = (why: string): Graph => ({ modelPath: inspected.modelPath, clsOnly: false, why });
  if (!opts.kinds) return full('the kinds to embed were not given');
  if (!readsPosition0Only(opts.kinds)) return full('the run reads every position (mean)');
  // Measured faster on CPU only (scripts/bench/cls-only.ts); no accelerator has run it.
  if (device !== 'cpu') return full(`device ${device}: the [CLS]-only copy is used on CPU only`);
  const copy = await clsOnlyModel(inspected, opts.cacheDir);
  return copy.path ? { modelPath: copy.path, clsOnly: true, why: copy.why } : full(copy.why);
}

export async function createEmbedder(modelDir: string, opts: EmbedderOptions, deps: CreateEmbedderDeps = {}): Promise<OnnxEmbedder> {
  checkOptions(opts);
  // Proven on a tiny graph before the model is inspected or loaded: a device that cannot
  // start fails here, in milliseconds, with the install instruction (device-probe.ts).
  const gpuId = opts.gpuId ?? 0;
  const proven = await proveDevice(opts.device, { gpuId });
  let device: DeviceChoice = { device: proven.device, executionProviders: proven.executionProviders };
  const inspected = deps.inspected ?? (await inspectModel(modelDir, { cacheDir: opts.cacheDir }));
  const { info, padId } = inspected;
  const warnings: string[] = proven.warning ? [proven.warning] : [];
  const host = deps.host ?? { cores: usableCores(), freeMemBytes: os.freemem() };
  const layoutFor = async (choice: DeviceChoice, graph: Graph) => ({
    ...chooseSessionLayout({
      ...host,
      // The [CLS]-only copy is only made of single-file models (cls-only-model.ts).
      modelBytes: await weightBytes(graph.modelPath, graph.modelPath === inspected.modelPath ? inspected.externalDataFiles : []),
      device: choice.device,
      maxMemoryBytes: opts.maxMemoryBytes,
      sessions: opts.sessions,
      threads: opts.threads,
    }),
    batchTokens: opts.batchTokens ?? defaultBatchTokens(choice.device),
  });
  /** Rejects with sessionFailure's ModelError (which names the device and, for a GPU, the fix). */
  const startPool = (choice: DeviceChoice, layout: SessionLayout & { batchTokens: number }, graph: Graph): Promise<SessionPool> =>
    SessionPool.start(
      {
        modelPath: graph.modelPath,
        threads: layout.threads,
        executionProviders: choice.executionProviders,
        gpuId,
        sources: info.sources,
        clsOnly: graph.clsOnly,
      },
      layout.sessions,
      // A tail batch is halved down to an eighth of the budget (session-pool.ts, batch-split.ts).
      { minPieceTokens: Math.max(1, Math.floor(layout.batchTokens / 8)) },
    ).catch((e: Error) => {
      throw sessionFailure(choice, e);
    });
  let graph = await chooseGraph(inspected, opts, device.device);
  let layout = await layoutFor(device, graph);
  let pool: SessionPool;
  try {
    pool = await startPool(device, layout, graph);
  } catch (err) {
    if (opts.device !== 'auto' || device.device === 'cpu') throw err;
    warnings.push(`device 'auto': ${(err as Error).message}; falling back to CPU`);
    device = { device: 'cpu', executionProviders: ['cpu'] };
    graph = await chooseGraph(inspected, opts, device.device);
    layout = await layoutFor(device, graph);
    pool = await startPool(device, layout, graph);
  }
  const full: Graph = graph.clsOnly
    ? { modelPath: inspected.modelPath, clsOnly: false, why: 'a call read every position (mean): the sessions switched to the full graph' }
    : graph;
  const graphs = new GraphPool(graph, pool, full, (g) => startPool(device, layout, g));
  return new OrtEmbedder(info, device, warnings, graphs, padId, layout);
}
