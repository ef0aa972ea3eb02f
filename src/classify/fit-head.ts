/**
 * From feature files to a head file: picks the inputs the head reads
 * (`embedding`, `features` (all or a subset), `logits`), lays them out as the
 * head format requires ([embedding | features | logits]), resolves the label set,
 * splits off validation rows when asked, checks for memorized vectors and picks the remedy
 * (before the first epoch: `onReady` sees the check), trains,
 * and assembles the self-describing head (model sha256, inputs, standardization,
 * layers, and a `training` record of what was done — no timestamps, so the same
 * inputs and seed give the same bytes).
 */
import { InputError } from '../errors.js';
import type { EmbeddingKind } from '../contracts.js';
import { HEAD_FORMAT, HEAD_VERSION, type HeadFile } from './head-format.js';
import type { FeatureData } from './features-file.js';
import { Rng, trainMlp, type EpochReport, type Matrix, type TrainOptions, type TrainedMlp } from './train.js';
import {
  calibrateVectorNoise,
  compareOwnAccuracy,
  leakageMessage,
  noValidationFileWarning,
  ownAccuracy,
  type LeakageCheck,
  type NoiseCalibration,
} from './leakage.js';
import { defaultInputs, defaultRemedy, type InputGroup, type Remedy } from './defaults.js';
import { permutationImportance } from './importance.js';

export type { InputGroup } from './defaults.js';

export interface FitOptions extends TrainOptions {
  /** What the head reads; undefined = defaultInputs(train) (features + logits, see defaults.ts). */
  inputs?: InputGroup[];
  /**
   * When the leakage check fires and no remedy is set (groupDropout 0, vectorNoise 0, mode not
   * 'auto'), apply defaultRemedy(inputs). The CLI sets it unless --vector-noise or --group-dropout
   * was given explicitly.
   */
  autoRemedy?: boolean;
  /** Feature subset (names); undefined = every feature in the file. */
  features?: string[];
  /** Held-out fraction of the training rows when no validation file is given (0 = none). */
  valFraction: number;
  /** 'auto' = calibrate σ on the validation rows (see leakage.ts). */
  vectorNoiseMode?: 'auto' | 'fixed';
  /** Model facts when the feature files have no sidecar (from --model). */
  model?: { sha256: string; labels: string[]; embedding?: EmbeddingKind | null; name?: string };
}

export interface FitResult {
  head: HeadFile;
  trained: TrainedMlp;
  trainRows: number;
  valRows: number;
  labels: string[];
  leakage: LeakageCheck | null;
  noise: NoiseCalibration | null;
  warnings: string[];
  /** The inputs the head reads, and whether they were the default. */
  inputs: InputGroup[];
  inputsDefaulted: boolean;
  /** The remedy applied automatically because the check fired, or null. */
  autoRemedy: Remedy | null;
  /** The leakage warning worded for what is in use, or null when the check did not fire. */
  leakageWarning: string | null;
}

/** What `fitHead` decided before the first epoch, for the caller to print then. */
export type FitReady = Omit<FitResult, 'head' | 'trained'>;

const norm = (s: string): string => s.trim().toUpperCase();

interface Layout {
  embedding: boolean;
  featureIdx: number[];
  logits: boolean;
  d: number;
  vectorRanges: Array<[number, number]>;
}

function layoutFor(data: FeatureData, opts: FitOptions & { inputs: InputGroup[] }): { layout: Layout; featureNames: string[] } {
  const want = new Set(opts.inputs);
  const embedding = want.has('embedding');
  const logits = want.has('logits');
  if (embedding && !data.embedding)
    throw new InputError(
      `${data.file} has no embedding vectors; extract with --embedding cls|pooled|mean, or drop "embedding" from --inputs`,
    );
  if (logits && !data.logits)
    throw new InputError(`${data.file} has no logits; extract without --no-logits, or drop "logits" from --inputs`);
  let featureNames: string[] = [];
  if (want.has('features')) {
    featureNames = opts.features ?? data.featureNames;
    const missing = featureNames.filter((f) => !data.featureNames.includes(f));
    if (missing.length > 0)
      throw new InputError(`${data.file} has no feature column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    // Keep file (= registry) order, as the featurizer computes them.
    featureNames = data.featureNames.filter((f) => featureNames.includes(f));
  }
  const featureIdx = featureNames.map((f) => data.featureNames.indexOf(f));
  const e = embedding ? data.embeddingDim : 0;
  const l = logits ? data.logitsDim : 0;
  const d = e + featureIdx.length + l;
  if (d === 0) throw new InputError('the head would read nothing: --inputs selects no columns present in the file');
  const vectorRanges: Array<[number, number]> = [];
  if (e > 0) vectorRanges.push([0, e]);
  if (l > 0) vectorRanges.push([e + featureIdx.length, d]);
  return { layout: { embedding, featureIdx, logits, d, vectorRanges }, featureNames };
}

function matrixOf(data: FeatureData, layout: Layout, rows: Int32Array, labelIndex: (g: string) => number): Matrix {
  const { d } = layout;
  const x = new Float32Array(rows.length * d);
  const y = new Int32Array(rows.length);
  const F = data.featureNames.length;
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    let o = k * d;
    if (layout.embedding) {
      x.set(data.embedding!.subarray(r * data.embeddingDim, (r + 1) * data.embeddingDim), o);
      o += data.embeddingDim;
    }
    for (const f of layout.featureIdx) x[o++] = data.features[r * F + f]!;
    if (layout.logits) x.set(data.logits!.subarray(r * data.logitsDim, (r + 1) * data.logitsDim), o);
    y[k] = labelIndex(data.gold[r]!);
  }
  return { n: rows.length, d, x, y };
}

function range(n: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i);
}

/**
 * Label set: the model's own labels when they cover every gold label (so heads
 * and model agree on names and order), else the gold labels sorted.
 */
function resolveLabels(train: FeatureData, modelLabels: readonly string[]): string[] {
  const gold = new Map<string, string>();
  for (const g of train.gold) if (!gold.has(norm(g))) gold.set(norm(g), g);
  const model = modelLabels.map(norm);
  if (modelLabels.length >= 2 && [...gold.keys()].every((g) => model.includes(g))) return [...modelLabels];
  return [...gold.values()].sort((a, b) => a.localeCompare(b));
}

export function fitHead(
  train: FeatureData,
  val: FeatureData | null,
  opts: FitOptions,
  onEpoch: (r: EpochReport) => void = () => undefined,
  onReady: (r: FitReady) => void = () => undefined,
): FitResult {
  const warnings: string[] = [];
  const inputsDefaulted = opts.inputs === undefined;
  const inputs = opts.inputs ?? defaultInputs(train);
  opts = { ...opts, inputs };
  const meta = train.meta;
  const sha256 = meta?.model.sha256 ?? opts.model?.sha256;
  if (!sha256) {
    throw new InputError(
      `${train.file} has no sidecar (${train.file}.meta.json) saying which model made it; pass --model DIR (the model the rows were extracted with)`,
    );
  }
  if (val?.meta && val.meta.model.sha256 !== sha256) {
    throw new InputError(
      `${val.file} was extracted with a different model (sha256 ${val.meta.model.sha256.slice(0, 12)}…) than ${train.file} (${sha256.slice(0, 12)}…)`,
    );
  }
  const modelLabels = meta?.model_labels ?? opts.model?.labels ?? [];
  const embeddingKind: EmbeddingKind | null = meta?.embedding ?? opts.model?.embedding ?? null;
  if (inputs.includes('embedding') && train.embedding && !embeddingKind) {
    throw new InputError(`${train.file} has vectors but no sidecar saying which embedding they are; pass --embedding-kind cls|pooled|mean`);
  }
  const { layout, featureNames } = layoutFor(train, { ...opts, inputs });
  if (val) {
    if (val.embeddingDim !== train.embeddingDim && layout.embedding)
      throw new InputError(`${val.file} has ${val.embeddingDim}-value embeddings, ${train.file} ${train.embeddingDim}`);
    const missing = featureNames.filter((f) => !val.featureNames.includes(f));
    if (missing.length > 0) throw new InputError(`${val.file} lacks feature columns ${missing.join(', ')}`);
    if (layout.logits && !val.logits) throw new InputError(`${val.file} has no logits`);
  }
  const labels = resolveLabels(train, modelLabels);
  const labelIdx = new Map(labels.map((l, i) => [norm(l), i]));
  const idx = (g: string) => labelIdx.get(norm(g)) ?? -1;

  // Rows: the whole training file, or a seeded held-out fraction of it.
  let trainRows = range(train.n);
  let valRows: Int32Array | null = null;
  let valData: FeatureData | null = val;
  if (!val && opts.valFraction > 0) {
    const order = range(train.n);
    new Rng(opts.seed ^ 0x7f4a7c15).shuffle(order);
    const nVal = Math.max(1, Math.round(train.n * opts.valFraction));
    valRows = order.slice(0, nVal).sort();
    trainRows = order.slice(nVal).sort();
    valData = train;
  } else if (val) {
    const known: number[] = [];
    let unknown = 0;
    for (let r = 0; r < val.n; r++) {
      if (idx(val.gold[r]!) >= 0) known.push(r);
      else unknown++;
    }
    if (unknown > 0)
      warnings.push(`warning: ${unknown} validation rows have labels the training rows do not (${labels.join(', ')}); they are not used`);
    valRows = Int32Array.from(known);
  }

  // The val file's own layout: same feature names, found by name.
  const valLayout =
    valData && valData !== train ? { ...layout, featureIdx: featureNames.map((f) => valData!.featureNames.indexOf(f)) } : layout;
  const trainM = matrixOf(train, layout, trainRows, idx);
  const valM = valData && valRows ? matrixOf(valData, valLayout, valRows, idx) : null;

  // Memorized vectors: the model's own accuracy on training vs validation rows.
  let leakage: LeakageCheck | null = null;
  if (train.logits && valData?.logits && valRows && modelLabels.length > 0) {
    const pick = (d: FeatureData, rows: Int32Array) => {
      const L = d.logitsDim;
      const out = new Float32Array(rows.length * L);
      rows.forEach((r, k) => out.set(d.logits!.subarray(r * L, (r + 1) * L), k * L));
      return { logits: out, gold: Array.from(rows, (r) => d.gold[r]!) };
    };
    const t = pick(train, trainRows);
    const v = pick(valData, valRows);
    const ta = ownAccuracy(t.logits, train.logitsDim, t.gold, modelLabels);
    const va = ownAccuracy(v.logits, valData.logitsDim, v.gold, modelLabels);
    if (ta !== null && va !== null) leakage = compareOwnAccuracy(ta, va, valRows.length);
  }

  const readsVectors = layout.vectorRanges.length > 0;
  if (!val && readsVectors) {
    warnings.push(
      noValidationFileWarning(
        [...(layout.embedding ? [`${embeddingKind ?? 'embedding'} vectors`] : []), ...(layout.logits ? ['logits'] : [])],
        opts.valFraction,
      ),
    );
  }

  // The remedy: the user's, else (when the check fired) the default one for these inputs.
  const userRemedy = opts.vectorNoiseMode === 'auto' || opts.vectorNoise > 0 || opts.groupDropout > 0;
  let autoRemedy: Remedy | null = null;
  if (leakage?.suspicious && readsVectors && !userRemedy && opts.autoRemedy) {
    autoRemedy = defaultRemedy(inputs);
    if (autoRemedy?.kind === 'group-dropout') opts = { ...opts, groupDropout: autoRemedy.p };
    else if (autoRemedy?.kind === 'vector-noise-auto') opts = { ...opts, vectorNoiseMode: 'auto' };
  }
  const inUse = [
    ...(opts.vectorNoiseMode === 'auto' ? ['--vector-noise auto'] : opts.vectorNoise > 0 ? [`--vector-noise ${opts.vectorNoise}`] : []),
    ...(opts.groupDropout > 0 ? [`--group-dropout ${opts.groupDropout}`] : []),
  ].join(' ');
  const leakageWarning = leakage?.suspicious
    ? leakageMessage(leakage, {
        inUse: inUse || null,
        auto: autoRemedy !== null,
        readsVectors,
        readsEmbedding: layout.embedding,
        autoOff: !opts.autoRemedy,
      })
    : null;

  let noise: NoiseCalibration | null = null;
  const trainOpts: TrainOptions = { ...opts };
  if (opts.vectorNoiseMode === 'auto') {
    const vectorCols = layout.vectorRanges.flatMap(([a, b]) => Array.from({ length: b - a }, (_, i) => a + i));
    if (!valM) throw new InputError('--vector-noise auto needs validation rows the model was not fine-tuned on (--val FILE)');
    if (vectorCols.length === 0) {
      warnings.push('warning: --vector-noise auto has no effect: the head reads no embedding or logits');
      trainOpts.vectorNoise = 0;
    } else {
      noise = calibrateVectorNoise(trainM, valM, vectorCols, labels.length, opts.seed);
      trainOpts.vectorNoise = noise.sigma;
    }
  }

  const ready: FitReady = {
    trainRows: trainM.n,
    valRows: valM?.n ?? 0,
    labels,
    leakage,
    noise,
    warnings,
    inputs,
    inputsDefaulted,
    autoRemedy,
    leakageWarning,
  };
  onReady(ready);
  const trained = trainMlp({ train: trainM, val: valM, classes: labels.length, vectorRanges: layout.vectorRanges }, trainOpts, onEpoch);

  const training: Record<string, unknown> = {
    train_file: train.file.split(/[\\/]/).pop(),
    train_rows: trainM.n,
    val_rows: valM?.n ?? 0,
    val: val ? val.file.split(/[\\/]/).pop() : opts.valFraction > 0 ? `fraction ${opts.valFraction}` : null,
    options: {
      hidden: opts.hidden,
      activation: opts.activation,
      dropout: opts.dropout,
      lr: opts.lr,
      weight_decay: opts.weightDecay,
      batch_size: opts.batchSize,
      epochs: opts.epochs,
      patience: opts.patience,
      seed: opts.seed,
      class_weights: opts.classWeights,
      group_dropout: opts.groupDropout,
      vector_noise: trainOpts.vectorNoise,
      vector_noise_mode: opts.vectorNoiseMode ?? 'fixed',
    },
    ...(autoRemedy ? { auto_remedy: autoRemedy.flag } : {}),
    epochs_run: trained.epochs,
    best_epoch: trained.bestEpoch,
    // Per-epoch numbers for the report's curves; rounded so the file stays stable and small.
    history: trained.history.map((h) => ({
      epoch: h.epoch,
      loss: r6(h.loss),
      train_accuracy: r6(h.trainAccuracy),
      train_macro_f1: r6(h.trainMacroF1),
      ...(h.valLoss !== undefined ? { val_loss: r6(h.valLoss), val_accuracy: r6(h.valAccuracy!), val_macro_f1: r6(h.valMacroF1!) } : {}),
    })),
  };
  if (trained.best) {
    training.val_accuracy = Number(trained.best.valAccuracy.toFixed(6));
    training.val_macro_f1 = Number(trained.best.valMacroF1.toFixed(6));
  }
  if (leakage) {
    training.model_own_accuracy = {
      train: Number(leakage.trainAccuracy.toFixed(6)),
      val: Number(leakage.valAccuracy.toFixed(6)),
      suspicious: leakage.suspicious,
    };
  }
  const head: HeadFile = {
    format: HEAD_FORMAT,
    version: HEAD_VERSION,
    labels,
    inputs: {
      embedding: layout.embedding ? embeddingKind : null,
      embedding_dim: layout.embedding ? train.embeddingDim : 0,
      features: featureNames,
      logits: layout.logits,
      logits_dim: layout.logits ? train.logitsDim : 0,
    },
    model: { sha256, ...((meta?.model.name ?? opts.model?.name) ? { name: (meta?.model.name ?? opts.model?.name)! } : {}) },
    standardize: { mean: trained.mean, std: trained.std },
    layers: trained.layers,
    training,
  };
  // What the head relies on: needs rows it was not fitted on, so only with validation rows.
  if (valM && valM.n > 0) training.importance = permutationImportance(head, valM, opts.seed);
  return { ...ready, head, trained };
}

const r6 = (v: number) => Number(v.toFixed(6));

/** The head as file text: stable key order, one line per layer row would be long — plain compact JSON. */
export function headJson(head: HeadFile): string {
  return `${JSON.stringify(head)}\n`;
}
