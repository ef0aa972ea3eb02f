/**
 * Worker-side cache of pipeline stages. Sessions are expensive (seconds and
 * hundreds of MB), so one embedder per model is shared by every run that
 * names it; scorers and extractors are cheap and cached per run. Promises are cached, so
 * concurrent jobs never create the same embedder twice.
 */
import type { RunSpec } from '../contracts.js';
import { ModelError } from '../errors.js';
import { createEmbedder, type Device, type OnnxEmbedder } from '../embed/index.js';
import { createFeaturizer, type Featurizer } from '../features/index.js';
import { loadTokenizer, type PairTokenizer } from '../tokenize/index.js';
import { headSchema } from '../classify/index.js';
import { createExtractor, createScorer, type Stages } from '../pipeline.js';
import { resolveModelDir } from './models-root.js';
import type { ChunkRunner, StageProvider } from './chunk-processor.js';

export interface StageCacheOptions {
  modelsRoot: string;
  cacheDir: string;
  threads: number;
  sessions: number;
  batchTokens: number;
  device: Device;
  onWarning?: (msg: string) => void;
}

interface LoadedModel {
  tokenizer: PairTokenizer;
  embedder: OnnxEmbedder;
}

const MAX_RUNNERS = 16;

export class StageCache implements StageProvider {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  private readonly featurizers = new Map<string, Promise<Featurizer>>();
  private readonly runners = new Map<string, Promise<ChunkRunner>>();

  constructor(private readonly opts: StageCacheOptions) {}

  /** The chunk runner for a run; fails with a ModelError when this host's model differs from the run's. */
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
    const [model, featurizer] = await Promise.all([this.modelFor(spec.model.name, spec.model.sha256), this.featurizerFor(spec.features)]);
    const stages: Stages = {
      tokenizer: model.tokenizer,
      embedder: model.embedder,
      featurizer,
      head: spec.head === null ? null : headSchema.parse(spec.head),
      ...(spec.maxLength !== undefined ? { maxLength: spec.maxLength } : {}),
      ...(spec.headFile ? { headFile: spec.headFile } : {}),
    };
    if (spec.task === 'score') {
      const scorer = createScorer(stages);
      return (rows) => scorer.scoreChunk(rows);
    }
    const extract = spec.extract;
    if (!extract) throw new ModelError(`run '${spec.runId}' is an extract run without its extract spec; submit it again`);
    // A worker on another pairscore version could compute other feature columns under the same names.
    if (featurizer.names.join(',') !== extract.featureNames.join(',')) {
      throw new ModelError(
        `this worker's features for '${spec.features}' (${featurizer.names.length}) differ from the run's (${extract.featureNames.length}); ` +
          'run the same pairscore version on every host',
      );
    }
    const extractor = createExtractor(stages, { embedding: extract.embedding, logits: extract.logits });
    return (rows) => extractor.extractChunk(rows);
  }

  private async modelFor(name: string, sha256: string): Promise<LoadedModel> {
    let p = this.models.get(name);
    if (p) {
      const loaded = await p;
      if (loaded.embedder.info.sha256 === sha256) return loaded;
      // The file may have been replaced since it was loaded: drop the old sessions and look again.
      this.models.delete(name);
      await loaded.embedder.close();
    }
    p = this.loadModel(name);
    p.catch(() => this.models.delete(name));
    this.models.set(name, p);
    const loaded = await p;
    if (loaded.embedder.info.sha256 !== sha256) {
      throw new ModelError(
        `model '${name}' on this worker has sha256 ${loaded.embedder.info.sha256.slice(0, 12)}…, but the run was submitted with ${sha256.slice(0, 12)}…; ` +
          'put the same model.onnx under --models-root on every host',
      );
    }
    return loaded;
  }

  private async loadModel(name: string): Promise<LoadedModel> {
    const dir = resolveModelDir(this.opts.modelsRoot, name);
    const [tokenizer, embedder] = await Promise.all([
      loadTokenizer(dir),
      createEmbedder(dir, {
        threads: this.opts.threads,
        sessions: this.opts.sessions,
        batchTokens: this.opts.batchTokens,
        cacheDir: this.opts.cacheDir,
        device: this.opts.device,
      }),
    ]);
    for (const w of embedder.warnings) this.opts.onWarning?.(w);
    return { tokenizer, embedder };
  }

  private featurizerFor(selection: string): Promise<Featurizer> {
    let p = this.featurizers.get(selection);
    if (!p) {
      p = createFeaturizer(selection);
      p.catch(() => this.featurizers.delete(selection));
      this.featurizers.set(selection, p);
    }
    return p;
  }

  async close(): Promise<void> {
    const models = [...this.models.values()];
    this.models.clear();
    this.runners.clear();
    await Promise.allSettled(models.map(async (p) => (await p).embedder.close()));
  }
}
