/**
 * MLP training on Float32Arrays: mini-batch AdamW on softmax cross-entropy, for
 * the head format in head-format.ts (so inference in mlp.ts runs it unchanged).
 *
 * - Standardization is fitted on the training rows only. Mostly-zero columns
 *   (≥ 90% zeros: hashed word-pair counts, rare indicators) keep mean 0 and std 1,
 *   so a rare indicator is not blown up to ±50 by a tiny std; constant columns get std 1.
 * - Layers: dense → activation (relu | gelu (tanh form, as mlp.ts) | tanh) → inverted
 *   dropout, then a linear output layer. He-uniform init (Xavier for tanh and the output).
 * - The first layer skips zero inputs (sparse hashed columns cost nothing).
 * - AdamW (Loshchilov & Hutter): Adam moments, decoupled weight decay on weights, not biases.
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
import type { Activation } from './head-format.js';
import { activate } from './mlp.js';

export type HiddenActivation = Exclude<Activation, 'linear'>;

export interface TrainOptions {
  /** Hidden layer widths; [] = softmax regression. */
  hidden: number[];
  activation: HiddenActivation;
  dropout: number;
  lr: number;
  weightDecay: number;
  batchSize: number;
  epochs: number;
  patience: number;
  seed: number;
  classWeights: 'balanced' | 'none';
  /** Probability of dropping the whole vector part of a training row. */
  groupDropout: number;
  /** Std of Gaussian noise added to standardized vector inputs of training rows. */
  vectorNoise: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  hidden: [128],
  activation: 'relu',
  dropout: 0.2,
  lr: 1e-3,
  weightDecay: 1e-2,
  batchSize: 64,
  epochs: 60,
  patience: 10,
  seed: 1,
  classWeights: 'balanced',
  groupDropout: 0,
  vectorNoise: 0,
};

/** Rows as one row-major matrix plus class ids. */
export interface Matrix {
  n: number;
  d: number;
  /** n × d. */
  x: Float32Array;
  /** Class index per row. */
  y: Int32Array;
}

export interface EpochReport {
  epoch: number;
  loss: number;
  trainAccuracy: number;
  valLoss?: number;
  valAccuracy?: number;
  valMacroF1?: number;
  best: boolean;
}

export interface TrainedMlp {
  mean: number[];
  std: number[];
  layers: Array<{ weight: number[][]; bias: number[]; activation: Activation }>;
  epochs: number;
  bestEpoch: number;
  history: EpochReport[];
  best?: { valAccuracy: number; valMacroF1: number; valLoss: number };
}

// ---------------------------------------------------------------- random numbers

export class Rng {
  private a: number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.a = (seed ^ 0x9e3779b9) >>> 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) | 0;
    let t = Math.imul(this.a ^ (this.a >>> 15), this.a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * f;
    return u * f;
  }
  shuffle(a: Int32Array): void {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
}

/** The value a head file stores: float32, printed with 9 significant digits (round-trips exactly). */
export function f32(v: number): number {
  return Number(Math.fround(v).toPrecision(9));
}

// ---------------------------------------------------------------- standardization

export interface Standardizer {
  mean: Float32Array;
  /** 1 / std, as mlp.ts computes it from the stored std. */
  invStd: Float32Array;
  meanOut: number[];
  stdOut: number[];
}

export function fitStandardizer(m: Matrix): Standardizer {
  const { n, d, x } = m;
  const sum = new Float64Array(d);
  const sq = new Float64Array(d);
  const zeros = new Int32Array(d);
  for (let r = 0; r < n; r++) {
    const base = r * d;
    for (let c = 0; c < d; c++) {
      const v = x[base + c]!;
      if (v === 0) zeros[c]!++;
      sum[c]! += v;
      sq[c]! += v * v;
    }
  }
  const meanOut: number[] = new Array(d);
  const stdOut: number[] = new Array(d);
  for (let c = 0; c < d; c++) {
    if (zeros[c]! >= 0.9 * n) {
      meanOut[c] = 0;
      stdOut[c] = 1;
      continue;
    }
    const mu = sum[c]! / n;
    const variance = Math.max(0, sq[c]! / n - mu * mu);
    const sd = Math.sqrt(variance);
    meanOut[c] = f32(mu);
    stdOut[c] = sd > 1e-6 ? f32(sd) : 1;
  }
  return {
    meanOut,
    stdOut,
    mean: Float32Array.from(meanOut),
    invStd: Float32Array.from(stdOut, (s) => 1 / s),
  };
}

/** Standardized copy of m.x, computed exactly as mlp.ts does at inference. */
export function standardize(m: Matrix, s: Standardizer): Float32Array {
  const out = new Float32Array(m.n * m.d);
  for (let r = 0; r < m.n; r++) {
    const base = r * m.d;
    for (let c = 0; c < m.d; c++) out[base + c] = (m.x[base + c]! - s.mean[c]!) * s.invStd[c]!;
  }
  return out;
}

// ---------------------------------------------------------------- network

const GELU_K = 0.7978845608028654;

const act = activate;

/** d act / d pre, from the pre-activation value. */
function actGrad(v: number, a: Activation): number {
  switch (a) {
    case 'relu':
      return v > 0 ? 1 : 0;
    case 'tanh': {
      const t = Math.tanh(v);
      return 1 - t * t;
    }
    case 'gelu': {
      const t = Math.tanh(GELU_K * (v + 0.044715 * v * v * v));
      return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_K * (1 + 3 * 0.044715 * v * v);
    }
    case 'linear':
      return 1;
  }
}

interface Layer {
  inDim: number;
  outDim: number;
  w: Float64Array;
  b: Float64Array;
  gw: Float64Array;
  gb: Float64Array;
  mw: Float64Array;
  vw: Float64Array;
  mb: Float64Array;
  vb: Float64Array;
  activation: Activation;
}

function makeLayer(inDim: number, outDim: number, activation: Activation, rng: Rng): Layer {
  const fanAvg = (inDim + outDim) / 2;
  const limit = activation === 'relu' || activation === 'gelu' ? Math.sqrt(6 / inDim) : Math.sqrt(3 / fanAvg);
  const w = new Float64Array(inDim * outDim);
  for (let i = 0; i < w.length; i++) w[i] = Math.fround((rng.next() * 2 - 1) * limit);
  return {
    inDim, outDim, w, b: new Float64Array(outDim), gw: new Float64Array(w.length), gb: new Float64Array(outDim),
    mw: new Float64Array(w.length), vw: new Float64Array(w.length), mb: new Float64Array(outDim), vb: new Float64Array(outDim), activation,
  };
}

/** Per-sample scratch for forward/backward. */
interface Scratch {
  pre: Float64Array[];
  post: Float64Array[];
  mask: Float64Array[];
  delta: Float64Array[];
  nz: Int32Array;
}

class Net {
  readonly layers: Layer[];
  private readonly s: Scratch;
  constructor(inDim: number, opts: TrainOptions, nClasses: number, rng: Rng) {
    const dims = [inDim, ...opts.hidden, nClasses];
    this.layers = [];
    for (let l = 0; l + 1 < dims.length; l++) {
      const last = l + 2 === dims.length;
      this.layers.push(makeLayer(dims[l]!, dims[l + 1]!, last ? 'linear' : opts.activation, rng));
    }
    this.s = {
      pre: this.layers.map((l) => new Float64Array(l.outDim)),
      post: this.layers.map((l) => new Float64Array(l.outDim)),
      mask: this.layers.map((l) => new Float64Array(l.outDim)),
      delta: this.layers.map((l) => new Float64Array(l.outDim)),
      nz: new Int32Array(inDim),
    };
  }

  /** Forward one row; returns the output logits (in scratch: valid until the next call). */
  forward(x: Float64Array, dropout: number, rng: Rng | null): Float64Array {
    const s = this.s;
    // Sparse first layer: only the non-zero inputs.
    let nnz = 0;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0) s.nz[nnz++] = i;
    for (let l = 0; l < this.layers.length; l++) {
      const L = this.layers[l]!;
      const pre = s.pre[l]!;
      const post = s.post[l]!;
      const w = L.w;
      const inDim = L.inDim;
      const input = l === 0 ? x : s.post[l - 1]!;
      if (l === 0) {
        // Layer 0 is stored transposed ([in][out]): each non-zero input adds one contiguous row.
        const outDim = L.outDim;
        for (let o = 0; o < outDim; o++) pre[o] = L.b[o]!;
        for (let k = 0; k < nnz; k++) {
          const i = s.nz[k]!;
          const xi = x[i]!;
          const base = i * outDim;
          for (let o = 0; o < outDim; o++) pre[o]! += xi * w[base + o]!;
        }
      } else {
        const n4 = inDim & ~3;
        for (let o = 0; o < L.outDim; o++) {
          const base = o * inDim;
          let a0 = 0;
          let a1 = 0;
          let a2 = 0;
          let a3 = 0;
          let i = 0;
          for (; i < n4; i += 4) {
            a0 += w[base + i]! * input[i]!;
            a1 += w[base + i + 1]! * input[i + 1]!;
            a2 += w[base + i + 2]! * input[i + 2]!;
            a3 += w[base + i + 3]! * input[i + 3]!;
          }
          for (; i < inDim; i++) a0 += w[base + i]! * input[i]!;
          pre[o] = L.b[o]! + (a0 + a1) + (a2 + a3);
        }
      }
      const last = l === this.layers.length - 1;
      const mask = s.mask[l]!;
      for (let o = 0; o < L.outDim; o++) {
        let v = act(pre[o]!, L.activation);
        if (!last && rng !== null && dropout > 0) {
          const keep = rng.next() >= dropout ? 1 / (1 - dropout) : 0;
          mask[o] = keep;
          v *= keep;
        } else {
          mask[o] = 1;
        }
        post[o] = v;
      }
    }
    return s.post[this.layers.length - 1]!;
  }

  /** Backward for the last forward, with d loss / d output logits in `gOut`, accumulated with weight `scale`. */
  backward(x: Float64Array, gOut: Float64Array): void {
    const s = this.s;
    const nL = this.layers.length;
    s.delta[nL - 1]!.set(gOut);
    for (let l = nL - 1; l >= 0; l--) {
      const L = this.layers[l]!;
      const delta = s.delta[l]!;
      if (l < nL - 1) {
        // delta currently holds d loss / d post; apply dropout mask and activation derivative.
        const pre = s.pre[l]!;
        const mask = s.mask[l]!;
        for (let o = 0; o < L.outDim; o++) delta[o] = delta[o]! * mask[o]! * actGrad(pre[o]!, L.activation);
      }
      const gw = L.gw;
      for (let o = 0; o < L.outDim; o++) L.gb[o]! += delta[o]!;
      if (l === 0) {
        let nnz = 0;
        for (let i = 0; i < x.length; i++) if (x[i] !== 0) s.nz[nnz++] = i;
        const outDim = L.outDim;
        for (let k = 0; k < nnz; k++) {
          const i = s.nz[k]!;
          const xi = x[i]!;
          const base = i * outDim;
          for (let o = 0; o < outDim; o++) gw[base + o]! += delta[o]! * xi;
        }
      } else {
        const prev = s.post[l - 1]!;
        const dPrev = s.delta[l - 1]!;
        dPrev.fill(0);
        const w = L.w;
        const inDim = L.inDim;
        for (let o = 0; o < L.outDim; o++) {
          const dv = delta[o]!;
          if (dv === 0) continue;
          const base = o * inDim;
          for (let i = 0; i < inDim; i++) {
            gw[base + i]! += dv * prev[i]!;
            dPrev[i]! += dv * w[base + i]!;
          }
        }
      }
    }
  }

  zeroGrad(): void {
    for (const L of this.layers) {
      L.gw.fill(0);
      L.gb.fill(0);
    }
  }

  adamw(step: number, lr: number, wd: number, scale: number): void {
    const stepSize = lr / (1 - Math.pow(b1, step));
    const invSqrtC2 = 1 / Math.sqrt(1 - Math.pow(b2, step));
    for (const L of this.layers) {
      adamwUpdate(L.w, L.gw, L.mw, L.vw, scale, stepSize, invSqrtC2, lr * wd);
      adamwUpdate(L.b, L.gb, L.mb, L.vb, scale, stepSize, invSqrtC2, 0);
    }
  }

  snapshot(): Float64Array[] {
    return this.layers.flatMap((L) => [L.w.slice(), L.b.slice()]);
  }

  restore(snap: Float64Array[]): void {
    this.layers.forEach((L, i) => {
      L.w.set(snap[2 * i]!);
      L.b.set(snap[2 * i + 1]!);
    });
  }
}

const b1 = 0.9;
const b2 = 0.999;
const eps = 1e-8;

/** One AdamW step over a parameter array (decoupled decay `lrWd` = lr · weight decay). */
function adamwUpdate(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, scale: number, stepSize: number, invSqrtC2: number, lrWd: number): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! * scale;
    const mi = b1 * m[i]! + (1 - b1) * gi;
    const vi = b2 * v[i]! + (1 - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    const pi = p[i]!;
    p[i] = pi - stepSize * mi / (Math.sqrt(vi) * invSqrtC2 + eps) - lrWd * pi;
  }
}

function softmaxInto(z: Float64Array, out: Float64Array): void {
  let max = -Infinity;
  for (let i = 0; i < z.length; i++) if (z[i]! > max) max = z[i]!;
  let sum = 0;
  for (let i = 0; i < z.length; i++) {
    const e = Math.exp(z[i]! - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < z.length; i++) out[i] = out[i]! / sum;
}

export interface EvalResult {
  loss: number;
  accuracy: number;
  macroF1: number;
  predictions: Int32Array;
}

/** Accuracy and macro-F1 (over classes present in gold or predictions) of predictions. */
export function scorePredictions(pred: Int32Array, gold: Int32Array, k: number): { accuracy: number; macroF1: number } {
  const tp = new Float64Array(k);
  const predicted = new Float64Array(k);
  const support = new Float64Array(k);
  let correct = 0;
  for (let i = 0; i < pred.length; i++) {
    predicted[pred[i]!]!++;
    support[gold[i]!]!++;
    if (pred[i] === gold[i]) {
      tp[gold[i]!]!++;
      correct++;
    }
  }
  let f1s = 0;
  let classes = 0;
  for (let c = 0; c < k; c++) {
    if (support[c] === 0 && predicted[c] === 0) continue;
    const p = predicted[c]! > 0 ? tp[c]! / predicted[c]! : 0;
    const r = support[c]! > 0 ? tp[c]! / support[c]! : 0;
    f1s += p + r > 0 ? (2 * p * r) / (p + r) : 0;
    classes++;
  }
  return { accuracy: pred.length > 0 ? correct / pred.length : 0, macroF1: classes > 0 ? f1s / classes : 0 };
}

function evaluate(net: Net, xs: Float32Array, m: Matrix, k: number): EvalResult {
  const row = new Float64Array(m.d);
  const p = new Float64Array(k);
  const predictions = new Int32Array(m.n);
  let loss = 0;
  for (let r = 0; r < m.n; r++) {
    for (let c = 0, o = r * m.d; c < m.d; c++) row[c] = xs[o + c]!;
    const z = net.forward(row, 0, null);
    softmaxInto(z, p);
    let best = 0;
    for (let c = 1; c < k; c++) if (p[c]! > p[best]!) best = c;
    predictions[r] = best;
    loss -= Math.log(Math.max(p[m.y[r]!]!, 1e-12));
  }
  const s = scorePredictions(predictions, m.y, k);
  return { loss: m.n > 0 ? loss / m.n : 0, ...s, predictions };
}

export interface TrainInput {
  train: Matrix;
  val: Matrix | null;
  classes: number;
  /** Column ranges [start, end) of the vector part (embedding, logits) for the group regularizers. */
  vectorRanges: Array<[number, number]>;
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
  const net = new Net(train.d, opts, k, rng);

  const counts = new Float64Array(k);
  for (let i = 0; i < train.n; i++) counts[train.y[i]!]!++;
  const cw = new Float64Array(k).fill(1);
  if (opts.classWeights === 'balanced') for (let c = 0; c < k; c++) cw[c] = counts[c]! > 0 ? train.n / (k * counts[c]!) : 0;

  const vectorCols: number[] = [];
  for (const [a, b] of input.vectorRanges) for (let c = a; c < b; c++) vectorCols.push(c);
  const regularize = vectorCols.length > 0 && (opts.groupDropout > 0 || opts.vectorNoise > 0);

  const order = Int32Array.from({ length: train.n }, (_, i) => i);
  const row = new Float64Array(train.d);
  const p = new Float64Array(k);
  const g = new Float64Array(k);
  const history: EpochReport[] = [];
  let step = 0;
  let bestSnap: Float64Array[] | null = null;
  let bestEpoch = 0;
  let best: TrainedMlp['best'];
  let sinceBest = 0;
  let epochsRun = 0;

  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    epochsRun = epoch;
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
        if (regularize) {
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
        lossSum -= w * Math.log(Math.max(p[y]!, 1e-12));
        weightSum += w;
        batchWeight += w;
        for (let c = 0; c < k; c++) g[c] = w * (p[c]! - (c === y ? 1 : 0));
        net.backward(row, g);
      }
      step++;
      net.adamw(step, opts.lr, opts.weightDecay, batchWeight > 0 ? 1 / batchWeight : 0);
    }
    const report: EpochReport = { epoch, loss: weightSum > 0 ? lossSum / weightSum : 0, trainAccuracy: correct / train.n, best: false };
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
    layers: net.layers.map((L) => ({
      // Layer 0 is kept [in][out] during training; the head format is [out][in].
      weight: Array.from({ length: L.outDim }, (_, o) =>
        L === net.layers[0] ? Array.from({ length: L.inDim }, (_, i) => f32(L.w[i * L.outDim + o]!)) : Array.from(L.w.subarray(o * L.inDim, (o + 1) * L.inDim), f32)),
      bias: Array.from(L.b, f32),
      activation: L.activation,
    })),
    epochs: epochsRun,
    bestEpoch,
    history,
  };
  if (best) out.best = best;
  return out;
}
