/**
 * MLP training on Float32Arrays: mini-batch AdamW on softmax cross-entropy, for the head format
 * in head-format.ts (so inference in mlp.ts runs it unchanged). This module is the epoch loop
 * and the public entry; the parts live beside it:
 * - standardize.ts: standardization fitted on the training rows (and float32 head rounding);
 * - network.ts: layers, init, forward/backward; optimizer.ts: AdamW; evaluate.ts: scores;
 * - rng.ts: the seeded random stream; train-types.ts: options, defaults and result types.
 *
 * - Class weights `balanced`: w_c = n / (K · n_c), as scikit-learn.
 * - Early stopping on a validation set: best validation accuracy (ties: lower loss)
 *   wins; training stops after `patience` epochs without improvement and the best
 *   epoch's weights are returned.
 * - Vector-group regularizers (the memorized-vector remedy, see leakage.ts):
 *   `groupDropout` zeroes the whole vector part (embedding and logits, standardized,
 *   so 0 = the training mean) of a row with that probability; `vectorNoise` adds
 *   N(0, σ²) to each standardized vector value. Both act on training rows only.
 * - Determinism: every random draw (init, shuffling, dropout, noise) comes from one
 *   seeded mulberry32 stream and arithmetic is single-threaded in a fixed order, so
 *   the same inputs and seed give the same weights, bit for bit.
 */
import { evaluate, scorePredictions, softmaxInto } from './evaluate.js';
import { Net } from './network.js';
import { AdamW } from './optimizer.js';
import { Rng } from './rng.js';
import { f32, fitStandardizer, standardize } from './standardize.js';
import type { EpochReport, Matrix, TrainInput, TrainOptions, TrainedMlp } from './train-types.js';

export { DEFAULT_TRAIN_OPTIONS } from './train-types.js';
export type { EpochReport, HiddenActivation, Matrix, TrainInput, TrainOptions, TrainedMlp } from './train-types.js';
export { Rng } from './rng.js';
export { f32, fitStandardizer, standardize, type Standardizer } from './standardize.js';
export { scorePredictions, type EvalResult } from './evaluate.js';

function classWeights(train: Matrix, k: number, mode: TrainOptions['classWeights']): Float64Array {
  const counts = new Float64Array(k);
  for (let i = 0; i < train.n; i++) counts[train.y[i]!]!++;
  const cw = new Float64Array(k).fill(1);
  if (mode === 'balanced') for (let c = 0; c < k; c++) cw[c] = counts[c]! > 0 ? train.n / (k * counts[c]!) : 0;
  return cw;
}

/** One pass over the training rows in a fresh random order, one AdamW step per mini-batch. */
class EpochRunner {
  private readonly order: Int32Array;
  private readonly row: Float64Array;
  private readonly p: Float64Array;
  private readonly g: Float64Array;
  /** Predicted and gold class of each row in epoch order, for the epoch's training macro-F1. */
  private readonly pred: Int32Array;
  private readonly gold: Int32Array;
  private readonly cw: Float64Array;
  private readonly vectorCols: number[] = [];
  private readonly regularize: boolean;

  constructor(
    private readonly net: Net,
    private readonly optimizer: AdamW,
    private readonly rng: Rng,
    private readonly train: Matrix,
    /** Standardized train.x. */
    private readonly xs: Float32Array,
    private readonly k: number,
    vectorRanges: Array<[number, number]>,
    private readonly opts: TrainOptions,
  ) {
    this.cw = classWeights(train, k, opts.classWeights);
    for (const [a, b] of vectorRanges) for (let c = a; c < b; c++) this.vectorCols.push(c);
    this.regularize = this.vectorCols.length > 0 && (opts.groupDropout > 0 || opts.vectorNoise > 0);
    this.order = Int32Array.from({ length: train.n }, (_, i) => i);
    this.row = new Float64Array(train.d);
    this.p = new Float64Array(k);
    this.g = new Float64Array(k);
    this.pred = new Int32Array(train.n);
    this.gold = new Int32Array(train.n);
  }

  /** Returns the class-weighted mean training loss, the training accuracy and macro-F1 (under dropout). */
  run(): { loss: number; trainAccuracy: number; trainMacroF1: number } {
    const { net, rng, train, xs, k, opts, order, row, p, g, cw, vectorCols } = this;
    rng.shuffle(order);
    let lossSum = 0;
    let weightSum = 0;
    let correct = 0;
    for (let start = 0; start < train.n; start += opts.batchSize) {
      const end = Math.min(train.n, start + opts.batchSize);
      net.zeroGrad();
      let batchWeight = 0;
      for (let b = start; b < end; b++) {
        const r = order[b]!;
        for (let c = 0, o = r * train.d; c < train.d; c++) row[c] = xs[o + c]!;
        if (this.regularize) {
          if (opts.groupDropout > 0 && rng.next() < opts.groupDropout) {
            for (const c of vectorCols) row[c] = 0;
          } else if (opts.vectorNoise > 0) {
            for (const c of vectorCols) row[c] = row[c]! + opts.vectorNoise * rng.normal();
          }
        }
        const z = net.forward(row, opts.dropout, rng);
        softmaxInto(z, p);
        const y = train.y[r]!;
        const w = cw[y]!;
        let best = 0;
        for (let c = 1; c < k; c++) if (p[c]! > p[best]!) best = c;
        if (best === y) correct++;
        this.pred[b] = best;
        this.gold[b] = y;
        lossSum -= w * Math.log(Math.max(p[y]!, 1e-12));
        weightSum += w;
        batchWeight += w;
        for (let c = 0; c < k; c++) g[c] = w * (p[c]! - (c === y ? 1 : 0));
        net.backward(row, g);
      }
      this.optimizer.step(opts.lr, opts.weightDecay, batchWeight > 0 ? 1 / batchWeight : 0);
    }
    const trainMacroF1 = scorePredictions(this.pred, this.gold, k).macroF1;
    return { loss: weightSum > 0 ? lossSum / weightSum : 0, trainAccuracy: correct / train.n, trainMacroF1 };
  }
}

/**
 * Trains an MLP. `onEpoch` sees each epoch's numbers (for the progress line).
 * Returns weights in head-file form (rounded to float32) and the history.
 */
export function trainMlp(input: TrainInput, opts: TrainOptions, onEpoch: (r: EpochReport) => void = () => undefined): TrainedMlp {
  const { train, val, classes: k } = input;
  if (train.n === 0) throw new RangeError('no training rows');
  const rng = new Rng(opts.seed);
  const st = fitStandardizer(train);
  const xs = standardize(train, st);
  const xv = val ? standardize(val, st) : null;
  const net = new Net([train.d, ...opts.hidden, k], opts.activation, rng);
  const runner = new EpochRunner(net, new AdamW(net.layers), rng, train, xs, k, input.vectorRanges, opts);

  const history: EpochReport[] = [];
  let bestSnap: Float64Array[] | null = null;
  let bestEpoch = 0;
  let best: TrainedMlp['best'];
  let sinceBest = 0;
  let epochsRun = 0;

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    epochsRun = epoch;
    const report: EpochReport = { epoch, ...runner.run(), best: false };
    if (val && xv) {
      const ev = evaluate(net, xv, val, k);
      report.valLoss = ev.loss;
      report.valAccuracy = ev.accuracy;
      report.valMacroF1 = ev.macroF1;
      const better = !best || ev.accuracy > best.valAccuracy || (ev.accuracy === best.valAccuracy && ev.loss < best.valLoss);
      if (better) {
        best = { valAccuracy: ev.accuracy, valMacroF1: ev.macroF1, valLoss: ev.loss };
        bestSnap = net.snapshot();
        bestEpoch = epoch;
        sinceBest = 0;
        report.best = true;
      } else {
        sinceBest++;
      }
    } else {
      bestEpoch = epoch;
    }
    history.push(report);
    onEpoch(report);
    if (val && sinceBest >= opts.patience) break;
  }
  if (bestSnap) net.restore(bestSnap);

  const out: TrainedMlp = {
    mean: st.meanOut,
    std: st.stdOut,
    layers: net.headLayers(f32),
    epochs: epochsRun,
    bestEpoch,
    history,
  };
  if (best) out.best = best;
  return out;
}
