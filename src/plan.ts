/**
 * The run plan: what a run computes — feature columns, labels, embedding
 * kinds, extract columns, checked max length — decided once, here, from the
 * model's facts, the head and the user's options. Pure: no I/O, no WordNet,
 * no sessions. Local commands call it directly; `submit` calls it and stores the
 * result in the run spec; workers build their stages from the stored plan and
 * never decide any of it again (so a lexical head or `--features all,lexical`
 * means the same on every host).
 */
import path from 'node:path';
import type { EmbeddingKind, ExtractColumns, ModelInfo, RunPlan, RunTask } from './contracts.js';
import { InputError, ModelError } from './errors.js';
import { checkHeadFits, headFeatureSelection, type HeadFile } from './classify/index.js';
import { DEFAULT_EXTRACT_FEATURES, selectFeatureNames } from './features/index.js';

export interface ExtractOptions {
  /** Embedding written to each row; null for none. */
  embedding: EmbeddingKind | null;
  /** Also write the model's logits (when the model has them). */
  logits: boolean;
}

/** What `extract` writes when no flag says otherwise. */
export const DEFAULT_EXTRACT: ExtractOptions = { embedding: 'pooled', logits: true };

export interface PlanRequest {
  task: RunTask;
  /** Score runs: the MLP head, or null to classify with the model's own logits. */
  head?: HeadFile | null;
  headFile?: string;
  /** Feature selection (`all`, `none`, `all,lexical`, …); default: the head's, `DEFAULT_EXTRACT_FEATURES` for extract, else none. */
  features?: string;
  /** Extract runs: which vectors to write (default DEFAULT_EXTRACT). */
  extract?: ExtractOptions;
  /** Truncation length; default and upper bound: the model's limit. */
  maxLength?: number;
}

/** What a command asks a run to compute, as local runs (stages.ts) and `submit` (producer.ts) both receive it. */
export interface RunAsk {
  task?: RunTask;
  mlpFile?: string;
  features?: string;
  extract?: ExtractOptions;
  maxLength?: number;
}

/** The plan of a command's ask: the one mapping from its options to planRun's request. */
export function planAsked(info: ModelInfo, head: HeadFile | null, ask: RunAsk): RunPlan {
  return planRun(info, {
    task: ask.task ?? 'score',
    head,
    ...(ask.mlpFile ? { headFile: path.basename(ask.mlpFile) } : {}),
    ...(ask.features !== undefined ? { features: ask.features } : {}),
    ...(ask.extract ? { extract: ask.extract } : {}),
    ...(ask.maxLength !== undefined ? { maxLength: ask.maxLength } : {}),
  });
}

function unique(kinds: Array<EmbeddingKind | null | false>): EmbeddingKind[] {
  return [...new Set(kinds.filter((k): k is EmbeddingKind => typeof k === 'string'))];
}

/** The vector columns an extraction writes with this model; throws when the model cannot give the embedding. */
export function extractColumnsFor(info: ModelInfo, opts: ExtractOptions): ExtractColumns {
  if (opts.embedding && !info.available.includes(opts.embedding)) {
    throw new ModelError(`${info.dir} cannot give the '${opts.embedding}' embedding (available: ${info.available.join(', ') || 'none'})`);
  }
  const logits = opts.logits && info.available.includes('logits');
  return {
    embedding: opts.embedding,
    embeddingDim: opts.embedding === 'logits' ? info.numLabels : opts.embedding ? info.hiddenSize : 0,
    logits,
    logitsDim: logits ? info.numLabels : 0,
    modelLabels: [...info.id2label],
  };
}

function checkedMaxLength(info: ModelInfo, requested: number | undefined): number {
  if (requested === undefined) return info.maxLength;
  if (!Number.isInteger(requested) || requested < 1) throw new InputError(`--max-length must be a positive whole number; got ${requested}`);
  if (requested > info.maxLength) {
    throw new InputError(`--max-length ${requested} exceeds the model's limit of ${info.maxLength} tokens`);
  }
  return requested;
}

/** Decides what a run computes; throws InputError/ModelError when the request does not fit the model. */
export function planRun(info: ModelInfo, req: PlanRequest): RunPlan {
  const head = req.head ?? null;
  const maxLength = checkedMaxLength(info, req.maxLength);
  if (req.task === 'extract') {
    if (head) throw new InputError('an extract run writes vectors and features, not labels: drop --mlp');
    const featureSelection = req.features ?? DEFAULT_EXTRACT_FEATURES;
    const extract = extractColumnsFor(info, req.extract ?? DEFAULT_EXTRACT);
    return {
      task: 'extract',
      featureSelection,
      features: selectFeatureNames(featureSelection),
      labels: [],
      kinds: unique([extract.embedding, extract.logits && 'logits']),
      maxLength,
      head: null,
      extract,
    };
  }
  const featureSelection = req.features ?? (head ? headFeatureSelection(head) : 'none');
  const features = selectFeatureNames(featureSelection);
  if (head) {
    checkHeadFits(head, info, features, req.headFile);
    return {
      task: 'score',
      featureSelection,
      features,
      labels: [...head.labels],
      kinds: unique([head.inputs.embedding, head.inputs.logits && 'logits']),
      maxLength,
      head,
      ...(req.headFile !== undefined ? { headFile: req.headFile } : {}),
      extract: null,
    };
  }
  if (!info.available.includes('logits')) {
    throw new ModelError(
      `${info.dir} has no classifier logits (outputs: ${info.outputs.join(', ')}); pass --mlp HEAD.json to classify with an MLP head`,
    );
  }
  return { task: 'score', featureSelection, features, labels: [...info.id2label], kinds: ['logits'], maxLength, head: null, extract: null };
}

/**
 * Checks, on the host that will run it, that a stored plan fits this host's
 * model and featurizer: same facts where it matters. A mismatch names both
 * pairscore versions, since only a different build can disagree here.
 */
export function checkPlanRuns(
  plan: RunPlan,
  info: ModelInfo,
  featureNames: readonly string[],
  versions: { planned: string; here: string },
): void {
  const problems: string[] = [];
  const missing = plan.kinds.filter((k) => !info.available.includes(k));
  if (missing.length > 0)
    problems.push(`the model here cannot give ${missing.join(', ')} (available: ${info.available.join(', ') || 'none'})`);
  if (plan.maxLength > info.maxLength) problems.push(`max length ${plan.maxLength} exceeds this model's ${info.maxLength}`);
  if (featureNames.join(',') !== plan.features.join(','))
    problems.push(`this build computes other feature columns (${featureNames.length} vs ${plan.features.length})`);
  if (problems.length > 0) {
    throw new ModelError(
      `this worker cannot run the plan made by pairscore ${versions.planned} (this is pairscore ${versions.here}): ${problems.join('; ')}`,
    );
  }
}
