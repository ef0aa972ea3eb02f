/**
 * Worker-side cache of pipeline stages. Sessions are expensive (seconds and
 * hundreds of MB), so one loaded model per name is shared by every run that
 * names it; the stages of a run are built from its stored plan by
 * `buildStages` (src/stages.ts, as local runs are) and cached per run.
 * Promises are cached, so concurrent jobs never load the same model twice.
 * Nothing here decides what a run computes: the plan in the run spec does.
 */
import type { EmbeddingKind, RunSpec } from '../contracts.js';
import { HostError, InputError, ModelError } from '../errors.js';
import type { Device } from '../embed/index.js';
import { createExtractor, createScorer } from '../pipeline.js';
import { buildStages, openModel, type LoadedModel } from '../stages.js';
import { resolveModelDir } from './models-root.js';
import type { ChunkRunner, StageProvider } from './chunk-processor.js';
import type { StageObserver } from '../stage-observer.js';

export interface StageCacheOptions {
  modelsRoot: string;
  cacheDir: string;
  threads?: number | undefined;
  sessions?: number | undefined;
  maxMemoryMb?: number | undefined;
  clsOnly?: boolean | undefined;
  batchTokens?: number | undefined;
  device: Device;
  /** CUDA device ordinal (default 0). */
  gpuId?: number;
  onWarning?: (msg: string) => void;
  /** Told once per model opened, the session layout chosen for it (`sessions 2 × threads 1, …`) and `last layer: [CLS] only` when used. */
  onLayout?: (model: string, line: string) => void;
  /** Told once per model opened, why it runs the full graph when its first run's kinds read position 0 only. */
  onDebug?: (model: string, line: string) => void;
  /** Told once per model opened, with the seconds it took and what it runs on (metrics, log, heartbeat). */
  onModelLoad?: (model: string, seconds: number, loaded: LoadedModel) => void;
  /** Told each stage's time and each micro-batch's tokens, for every run's stages (the worker's metrics). */
  observer?: StageObserver | undefined;
}

const MAX_RUNNERS = 16;

export class StageCache implements StageProvider {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  private readonly runners = new Map<string, Promise<ChunkRunner>>();
  /** Models whose sessions are open (loaded and not closed). */
  private readonly open = new Set<LoadedModel>();

  constructor(private readonly opts: StageCacheOptions) {}

  /** The chunk runner for a run; fails with a HostError when this host's model differs from the run's. */
  runnerFor(spec: RunSpec): Promise<ChunkRunner> {
    let p = this.runners.get(spec.runId);
    if (!p) {
      p = this.buildRunner(spec);
      p.catch(() => this.runners.delete(spec.runId));
      this.runners.set(spec.runId, p);
      if (this.runners.size > MAX_RUNNERS) this.runners.delete(this.runners.keys().next().value!);
    }
    return p;
  }

  private async buildRunner(spec: RunSpec): Promise<ChunkRunner> {
    let stages;
    try {
      const model = await this.modelFor(spec.model.name, spec.model.sha256, spec.plan.kinds);
      stages = { ...(await buildStages(model, spec.plan, spec.version)), observer: this.opts.observer };
    } catch (err) {
      // The plan was checked against the model at submit: failing here is this host's
      // model, device or build, which another host may not share.
      if (err instanceof ModelError || err instanceof InputError) throw new HostError(err.message, { cause: err });
      throw err;
    }
    if (spec.plan.task === 'score') {
      const scorer = createScorer(stages);
      return (rows) => scorer.scoreChunk(rows);
    }
    const extractor = createExtractor(stages);
    return (rows) => extractor.extractChunk(rows);
  }

  /**
   * A model loads for the kinds of the first run that names it (the [CLS]-only copy when they read
   * position 0 only); a later run reading every position makes its embedder switch to the full graph.
   */
  private async modelFor(name: string, sha256: string, kinds: readonly EmbeddingKind[]): Promise<LoadedModel> {
    let p = this.models.get(name);
    if (p) {
      const loaded = await p;
      if (loaded.embedder.info.sha256 === sha256) return loaded;
      // The file may have been replaced since it was loaded: drop the old sessions and look again.
      this.models.delete(name);
      this.open.delete(loaded);
      await loaded.embedder.close();
    }
    const t0 = performance.now();
    p = openModel(resolveModelDir(this.opts.modelsRoot, name), this.opts, {
      warn: (msg) => this.opts.onWarning?.(msg),
      note: (line) => this.opts.onLayout?.(name, line),
      debug: (line) => this.opts.onDebug?.(name, line),
      kinds,
    });
    p.then(
      (m) => {
        this.open.add(m);
        this.opts.onModelLoad?.(name, (performance.now() - t0) / 1000, m);
      },
      () => this.models.delete(name),
    );
    this.models.set(name, p);
    const loaded = await p;
    if (loaded.embedder.info.sha256 !== sha256) {
      throw new HostError(
        `model '${name}' on this worker has sha256 ${loaded.embedder.info.sha256.slice(0, 12)}…, but the run was submitted with ${sha256.slice(0, 12)}…; ` +
          'put the same model.onnx under --models-root on every host',
      );
    }
    return loaded;
  }

  /** Sessions held open: each loaded model's pool, as its layout chose it. */
  openSessions(): number {
    let n = 0;
    for (const m of this.open) n += m.embedder.layout.sessions;
    return n;
  }

  async close(): Promise<void> {
    const models = [...this.models.values()];
    this.models.clear();
    this.open.clear();
    this.runners.clear();
    await Promise.allSettled(models.map(async (p) => (await p).embedder.close()));
  }
}
