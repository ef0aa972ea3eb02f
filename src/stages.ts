/**
 * Builds the pipeline stages: the one place that knows how a model directory
 * becomes a tokenizer and an embedder, and how a run plan (src/plan.ts) becomes
 * a featurizer and the stages that run it. Local commands and queue workers
 * both come through here; a worker's cache only caches what these return.
 */
import type { Config } from './config.js';
import type { EmbeddingKind, RunPlan, RunTask } from './contracts.js';
import type { Device, InspectResult, OnnxEmbedder } from './embed/index.js';
import { createEmbedder, inspectModel, proveDevice } from './embed/index.js';
import { describeLayout } from './embed/session-layout.js';
import { createFeaturizerFor } from './features/index.js';
import { loadTokenizer, type PairTokenizer } from './tokenize/index.js';
import { loadHead } from './classify/index.js';
import { checkPlanRuns, planAsked, type ExtractOptions } from './plan.js';
import { pairscoreVersion } from './version.js';
import { ModelError } from './errors.js';
import type { Stages } from './pipeline.js';

export interface LoadedModel {
  tokenizer: PairTokenizer;
  embedder: OnnxEmbedder;
}

export type SessionSettings = Pick<Config, 'threads' | 'sessions' | 'batchTokens' | 'cacheDir'> &
  Partial<Pick<Config, 'maxMemoryMb' | 'clsOnly'>> & { device: Device; gpuId?: number };

export interface OpenModelOptions {
  /** Start-up warnings. */
  warn?: (msg: string) => void;
  /** The session layout chosen, and `last layer: [CLS] only` when used (once per model). */
  note?: (msg: string) => void;
  /** Why the full graph is loaded, for a run whose kinds read position 0 only (once per model; workers log it at debug). */
  debug?: (msg: string) => void;
  /** The kinds the run plan embeds: decides the [CLS]-only copy (embed/cls-only-model.ts). Undefined: the full graph. */
  kinds?: readonly EmbeddingKind[];
  /** The model already inspected (openStages planned from it). */
  inspected?: InspectResult;
}

/** Loads a model directory's tokenizer and ONNX sessions. */
export async function openModel(dir: string, settings: SessionSettings, o: OpenModelOptions = {}): Promise<LoadedModel> {
  const off = settings.clsOnly === false;
  const [tokenizer, embedder] = await Promise.all([
    loadTokenizer(dir),
    createEmbedder(
      dir,
      {
        threads: settings.threads,
        sessions: settings.sessions,
        batchTokens: settings.batchTokens,
        maxMemoryBytes: settings.maxMemoryMb !== undefined ? settings.maxMemoryMb * 1024 * 1024 : undefined,
        cacheDir: settings.cacheDir,
        device: settings.device,
        kinds: off ? undefined : o.kinds,
        ...(settings.gpuId !== undefined ? { gpuId: settings.gpuId } : {}),
      },
      o.inspected ? { inspected: o.inspected } : {},
    ),
  ]);
  for (const w of embedder.warnings) o.warn?.(`warning: ${w}`);
  o.note?.(describeLayout(embedder.layout));
  const { clsOnly, why } = embedder.lastLayer;
  if (clsOnly) o.note?.(`last layer: [CLS] only (${why})`);
  else if (o.kinds) o.debug?.(`last layer: full graph (${off ? 'PAIRSCORE_CLS_ONLY=0' : why})`);
  return { tokenizer, embedder };
}

/**
 * The stages that run `plan` on a loaded model, after checking the plan fits
 * this host (its model facts and this build's feature columns).
 */
export async function buildStages(model: LoadedModel, plan: RunPlan, plannedBy: string = pairscoreVersion()): Promise<Stages> {
  const versions = { planned: plannedBy, here: pairscoreVersion() };
  const featurizer = await createFeaturizerFor(plan.features).catch((err: unknown) => {
    throw new ModelError(
      `this worker cannot compute the run's features (planned by pairscore ${versions.planned}, this is ${versions.here}): ${(err as Error).message}`,
      { cause: err },
    );
  });
  checkPlanRuns(plan, model.embedder.info, featurizer.names, versions);
  return { tokenizer: model.tokenizer, embedder: model.embedder, featurizer, plan };
}

export interface StageOptions {
  modelDir: string;
  /** 'score' (default) or 'extract'. */
  task?: RunTask;
  /** MLP head file; omitted → classify with the model's own logits. */
  mlpFile?: string;
  /** Feature selection (`all`, `none`, `a,b`); default: the plan's (src/plan.ts). */
  features?: string;
  /** Extract runs: which vectors to write. */
  extract?: ExtractOptions;
  maxLength?: number;
  device?: Device;
}

/** Loads the model and head, plans the run and builds its stages, in this process; `note` as in openModel. */
export async function openStages(
  opts: StageOptions,
  config: Config,
  warn: (msg: string) => void = () => undefined,
  note: (msg: string) => void = () => undefined,
): Promise<Stages> {
  // A device that cannot start fails before anything is loaded (createEmbedder reuses the proof and reports `auto`'s warning).
  const device = opts.device ?? config.device;
  await proveDevice(device);
  const head = opts.mlpFile ? await loadHead(opts.mlpFile) : null;
  // Planned before the sessions start: the plan's kinds decide which graph they load.
  const inspected = await inspectModel(opts.modelDir, { cacheDir: config.cacheDir });
  const plan = planAsked(inspected.info, head, opts);
  const model = await openModel(opts.modelDir, { ...config, device }, { warn, note, kinds: plan.kinds, inspected });
  try {
    return await buildStages(model, plan);
  } catch (err) {
    await model.embedder.close();
    throw err;
  }
}
