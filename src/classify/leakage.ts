/**
 * Memorized-vector detection and the noise-calibration remedy.
 *
 * A BERT fine-tuned on some pairs gives vectors for those pairs that already
 * "know" the gold label: its own accuracy on them is far above its accuracy on
 * new pairs (on SICK: ~86% on SICK_train vs 63.8% on SICK_trial). A head trained
 * on such vectors learns to trust them and then does worse on new pairs than
 * hand-crafted features alone. `train` measures the model's own accuracy (argmax
 * of its logits) on the training rows and on the validation rows and warns when
 * the gap is large.
 *
 * Remedy (`--vector-noise auto`): make the training vectors as unreliable as
 * the validation vectors. A linear probe is fitted on the vector columns of the
 * training rows; its accuracy on the validation rows is the target; Gaussian
 * noise (in standardized units) is added to the training vectors, σ found by
 * bisection so that the probe's accuracy on the noisy training rows falls to the
 * target. The head is then trained with that noise redrawn every epoch, so it
 * learns how far new-pair vectors can be trusted. Only one number (σ) comes from
 * the validation rows, the same rows early stopping already reads.
 */
import { Rng, fitStandardizer, standardize, trainMlp, type Matrix } from './train.js';

const norm = (s: string): string => s.trim().toUpperCase();

/** Accuracy of argmax(logits) against gold, with the model's label names; null when no row's gold is a model label. */
export function ownAccuracy(logits: Float32Array, dim: number, gold: readonly string[], modelLabels: readonly string[]): number | null {
  const names = modelLabels.map(norm);
  let n = 0;
  let correct = 0;
  for (let r = 0; r < gold.length; r++) {
    const g = names.indexOf(norm(gold[r]!));
    if (g === -1) continue;
    let best = 0;
    for (let c = 1; c < dim; c++) if (logits[r * dim + c]! > logits[r * dim + best]!) best = c;
    n++;
    if (best === g) correct++;
  }
  return n > 0 ? correct / n : null;
}

export interface LeakageCheck {
  trainAccuracy: number;
  valAccuracy: number;
  gap: number;
  suspicious: boolean;
}

/** A gap of more than `threshold` (10 points) on at least 30 validation rows is suspicious. */
export function compareOwnAccuracy(trainAccuracy: number, valAccuracy: number, valRows: number, threshold = 0.1): LeakageCheck {
  const gap = trainAccuracy - valAccuracy;
  return { trainAccuracy, valAccuracy, gap, suspicious: valRows >= 30 && gap > threshold };
}

/** What the head does about memorized vectors, for the wording of the warning. */
export interface RemedyContext {
  /** The remedy flags in use (e.g. "--vector-noise auto"), or null for none. */
  inUse: string | null;
  /** True when `train` chose the remedy itself (the user gave none). */
  auto: boolean;
  /** False when the head reads neither the embedding nor the logits (then it is not affected). */
  readsVectors: boolean;
  /** True when the head reads the embedding (then shrinking it to the logits is a remedy). */
  readsEmbedding?: boolean;
  /** True when the automatic remedy is off (an explicit --vector-noise or --group-dropout, even 0). */
  autoOff?: boolean;
}

const ALL_REMEDIES = ['--vector-noise auto', '--group-dropout 0.5', '--inputs features,logits'];

export function leakageMessage(c: LeakageCheck, ctx?: RemedyContext): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const head =
    `warning: the model's own accuracy is ${pct(c.trainAccuracy)} on the training rows but ${pct(c.valAccuracy)} on the validation rows ` +
    `(${(c.gap * 100).toFixed(1)} points higher): it has most likely been fine-tuned on the training pairs, so their vectors are memorized`;
  const oof = 'or extract the training rows out of fold (see README, "Training a head")';
  if (!ctx) {
    return (
      `${head} and a head trained on them will over-trust the vector. Remedies: --vector-noise auto (train with the vectors made as unreliable as on new pairs), ` +
      `--group-dropout 0.5, --inputs features,logits (shrink the vector), ${oof}.`
    );
  }
  if (!ctx.readsVectors) return `${head}; this head reads no embedding or logits, so it is not affected.`;
  if (ctx.inUse && ctx.auto) {
    return `${head}. Applying ${ctx.inUse} automatically (the measured best remedy for this head's inputs; an explicit --vector-noise or --group-dropout, even 0, turns this off).`;
  }
  if (ctx.inUse)
    return `${head}. Remedy in use: ${ctx.inUse}; if the head still over-trusts the vector, extract the training rows out of fold (see README, "Training a head").`;
  const others = ALL_REMEDIES.filter((r) => ctx.readsEmbedding || !r.startsWith('--inputs')).join(', ');
  return `${head} and a head trained on them will over-trust the vector. No remedy applied${ctx.autoOff ? ' (the automatic one is off: --vector-noise or --group-dropout was given explicitly)' : ''}; remedies: ${others}, ${oof}.`;
}

function columns(m: Matrix, cols: readonly number[]): Matrix {
  const d = cols.length;
  const x = new Float32Array(m.n * d);
  for (let r = 0; r < m.n; r++) for (let k = 0; k < d; k++) x[r * d + k] = m.x[r * m.d + cols[k]!]!;
  return { n: m.n, d, x, y: m.y };
}

export interface NoiseCalibration {
  sigma: number;
  probeTrainAccuracy: number;
  probeValAccuracy: number;
}

/**
 * σ (standardized units) for `--vector-noise auto`: the noise that brings a
 * linear probe's accuracy on the training vectors down to its validation accuracy.
 */
export function calibrateVectorNoise(
  train: Matrix,
  val: Matrix,
  vectorCols: readonly number[],
  classes: number,
  seed: number,
): NoiseCalibration {
  const tr = columns(train, vectorCols);
  const va = columns(val, vectorCols);
  const probe = trainMlp(
    { train: tr, val: null, classes, vectorRanges: [] },
    {
      hidden: [],
      activation: 'relu',
      dropout: 0,
      lr: 3e-3,
      weightDecay: 1e-3,
      batchSize: 64,
      epochs: 20,
      patience: 0,
      seed,
      classWeights: 'none',
      groupDropout: 0,
      vectorNoise: 0,
    },
  );
  const st = fitStandardizer(tr);
  const xs = standardize(tr, st);
  const xv = standardize(va, st);
  const W = probe.layers[0]!.weight;
  const b = probe.layers[0]!.bias;
  const d = tr.d;
  const accuracy = (x: Float32Array, m: Matrix, sigma: number): number => {
    const rng = new Rng(seed ^ 0x5bd1e995);
    let correct = 0;
    const z = new Float64Array(classes);
    const row = new Float64Array(d);
    for (let r = 0; r < m.n; r++) {
      for (let i = 0; i < d; i++) row[i] = x[r * d + i]! + (sigma > 0 ? sigma * rng.normal() : 0);
      for (let c = 0; c < classes; c++) {
        let acc = b[c]!;
        const w = W[c]!;
        for (let i = 0; i < d; i++) acc += w[i]! * row[i]!;
        z[c] = acc;
      }
      let best = 0;
      for (let c = 1; c < classes; c++) if (z[c]! > z[best]!) best = c;
      if (best === m.y[r]) correct++;
    }
    return correct / m.n;
  };
  const probeTrainAccuracy = accuracy(xs, tr, 0);
  const probeValAccuracy = accuracy(xv, va, 0);
  if (probeTrainAccuracy <= probeValAccuracy) return { sigma: 0, probeTrainAccuracy, probeValAccuracy };
  let lo = 0;
  let hi = 1;
  while (hi < 64 && accuracy(xs, tr, hi) > probeValAccuracy) hi *= 2;
  for (let it = 0; it < 14; it++) {
    const mid = (lo + hi) / 2;
    if (accuracy(xs, tr, mid) > probeValAccuracy) lo = mid;
    else hi = mid;
  }
  return { sigma: Number(((lo + hi) / 2).toPrecision(4)), probeTrainAccuracy, probeValAccuracy };
}

/**
 * Without a validation file the early-stopping rows are a random split of the training rows: if the
 * model was fine-tuned on those pairs, both sides are memorized alike, so the check sees nothing and
 * the validation accuracy is optimistic. `reads` names the vector inputs the head reads.
 */
export function noValidationFileWarning(reads: readonly string[], valFraction: number): string {
  const split = valFraction > 0 ? `the validation rows are a random ${valFraction} of the training rows` : 'there are no validation rows';
  return (
    `warning: no --val file: ${split}, so memorized vectors cannot be detected (the model's own accuracy is alike on both sides of a split of the same rows) ` +
    `and, if the model was fine-tuned on these pairs, the validation accuracy below over-states how the head does on new pairs; this head reads the rows' ${reads.join(' and ')}. ` +
    `Fix: --val FILE, extracted with the same model from pairs it was not fine-tuned on (then the check runs and a remedy is applied when needed).`
  );
}
