/**
 * createEmbedder: inspect the model (graph surgery if needed) → pick execution
 * providers → start the session pool → embed() plans micro-batches (batcher.ts),
 * runs them on the pool and returns one vector per row per kind, in input order.
 */
import type { EmbeddingKind, Encoding, ModelInfo } from '../contracts.js';
import { InputError, ModelError } from '../errors.js';
import { planBatches } from './batcher.js';
import { sessionFailure, type DeviceChoice } from './device.js';
import { proveDevice } from './device-probe.js';
import { inspectModel } from './inspect.js';
import { SessionPool } from './session-pool.js';
import type { Embedder, EmbedderOptions, EmbedOutput } from './types.js';
import type { BatchVectors } from './worker-protocol.js';

/** Running totals over all embed() calls. */
export interface EmbedStats {
  rows: number;
  batches: number;
  realTokens: number;
  paddedTokens: number;
  /** (paddedTokens − realTokens) / realTokens. */
  paddingWaste: number;
}

/** The ONNX Runtime embedder: an Embedder plus what it resolved at start. */
export interface OnnxEmbedder extends Embedder {
  readonly modelPath: string;
  readonly device: DeviceChoice;
  /** Things the caller should log (e.g. `auto` fell back to CPU). */
  readonly warnings: readonly string[];
  readonly stats: Readonly<EmbedStats>;
}

function checkOptions(opts: EmbedderOptions): void {
  for (const key of ['threads', 'sessions', 'batchTokens'] as const) {
    const v = opts[key];
    if (!Number.isInteger(v) || v < 1) throw new InputError(`embedder option ${key} must be a positive integer, got ${v}`);
  }
}

class OrtEmbedder implements OnnxEmbedder {
  readonly stats: EmbedStats = { rows: 0, batches: 0, realTokens: 0, paddedTokens: 0, paddingWaste: 0 };

  constructor(
    readonly info: ModelInfo,
    readonly modelPath: string,
    readonly device: DeviceChoice,
    readonly warnings: readonly string[],
    private readonly pool: SessionPool,
    private readonly padId: number,
    private readonly batchTokens: number,
  ) {}

  async embed(encodings: readonly Encoding[], kinds: readonly EmbeddingKind[]): Promise<EmbedOutput> {
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

    const plan = planBatches(encodings, { batchTokens: this.batchTokens, padId: this.padId });
    const results: BatchVectors[] = await Promise.all(
      plan.batches.map((b) =>
        this.pool.run({ rows: b.rows.length, seqLen: b.seqLen, ids: b.ids, typeIds: b.typeIds, lengths: b.lengths, kinds: wanted }),
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
    return out;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

export async function createEmbedder(modelDir: string, opts: EmbedderOptions): Promise<OnnxEmbedder> {
  checkOptions(opts);
  // Proven on a tiny graph before the model is inspected or loaded: a device that cannot
  // start fails here, in milliseconds, with the install instruction (device-probe.ts).
  const proven = await proveDevice(opts.device);
  let device: DeviceChoice = { device: proven.device, executionProviders: proven.executionProviders };
  const { info, modelPath, padId } = await inspectModel(modelDir, { cacheDir: opts.cacheDir });
  const warnings: string[] = proven.warning ? [proven.warning] : [];
  const spec = (choice: DeviceChoice) => ({
    modelPath,
    threads: opts.threads,
    executionProviders: choice.executionProviders,
    sources: info.sources,
  });
  let pool: SessionPool;
  try {
    pool = await SessionPool.start(spec(device), opts.sessions);
  } catch (err) {
    if (opts.device !== 'auto' || device.device === 'cpu') throw sessionFailure(device, err as Error);
    warnings.push(`device 'auto': ${sessionFailure(device, err as Error).message}; falling back to CPU`);
    device = { device: 'cpu', executionProviders: ['cpu'] };
    pool = await SessionPool.start(spec(device), opts.sessions).catch((e: Error) => {
      throw sessionFailure(device, e);
    });
  }
  return new OrtEmbedder(info, modelPath, device, warnings, pool, padId, opts.batchTokens);
}
