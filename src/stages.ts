/**
 * Builds the pipeline stages from user-facing options: the one place that
 * knows how a model directory, a head file and a feature selection become a
 * tokenizer, an embedder, a featurizer and a head. Used by the local commands
 * and by the queue workers alike.
 */
import path from 'node:path';
import type { Config } from './config.js';
import type { Device } from './embed/types.js';
import { createEmbedder, proveDevice } from './embed/index.js';
import { createFeaturizer } from './features/index.js';
import { loadTokenizer } from './tokenize/index.js';
import { headFeatureSelection, loadHead } from './classify/index.js';
import type { Stages } from './pipeline.js';

export interface StageOptions {
  modelDir: string;
  /** MLP head file; omitted → classify with the model's own logits. */
  mlpFile?: string;
  /** Feature selection (`all`, `none`, `a,b`); defaults to the head's features, else `none` for scoring. */
  features?: string;
  maxLength?: number;
  device?: Device;
}

/** `warn` receives start-up warnings (e.g. `--device auto` falling back to CPU). */
export async function openStages(opts: StageOptions, config: Config, warn: (msg: string) => void = () => undefined): Promise<Stages> {
  // A device that cannot start fails before anything is loaded (createEmbedder reuses the proof and reports `auto`'s warning).
  await proveDevice(opts.device ?? 'cpu');
  const head = opts.mlpFile ? await loadHead(opts.mlpFile) : null;
  const selection = opts.features ?? (head ? headFeatureSelection(head) : 'none');
  const [tokenizer, featurizer] = await Promise.all([
    loadTokenizer(opts.modelDir, opts.maxLength !== undefined ? { maxLength: opts.maxLength } : {}),
    createFeaturizer(selection),
  ]);
  const embedder = await createEmbedder(opts.modelDir, {
    threads: config.threads,
    sessions: config.sessions,
    batchTokens: config.batchTokens,
    cacheDir: config.cacheDir,
    device: opts.device ?? 'cpu',
  });
  for (const w of embedder.warnings) warn(`warning: ${w}`);
  const stages: Stages = { tokenizer, embedder, featurizer, head };
  if (opts.maxLength !== undefined) stages.maxLength = opts.maxLength;
  if (opts.mlpFile) stages.headFile = path.basename(opts.mlpFile);
  return stages;
}
