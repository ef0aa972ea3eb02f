/**
 * MLP inference on Float32Arrays. Weights are flattened once at load; buffers are
 * reused across rows, so predicting a row allocates only its result.
 */
import type { Activation, HeadFile } from './head-format.js';
import { headInputDim } from './head-format.js';

interface DenseLayer {
  inDim: number;
  outDim: number;
  /** Row-major [out][in]. */
  weight: Float32Array;
  bias: Float32Array;
  activation: Activation;
}

export class Mlp {
  readonly inputDim: number;
  readonly labels: readonly string[];
  private readonly layers: DenseLayer[];
  private readonly mean: Float32Array;
  private readonly invStd: Float32Array;
  private readonly buffers: Float32Array[];

  constructor(head: HeadFile) {
    this.inputDim = headInputDim(head);
    this.labels = head.labels;
    this.mean = Float32Array.from(head.standardize.mean);
    this.invStd = Float32Array.from(head.standardize.std, (s) => 1 / s);
    let inDim = this.inputDim;
    this.layers = head.layers.map((l) => {
      const outDim = l.weight.length;
      const weight = new Float32Array(outDim * inDim);
      l.weight.forEach((row, o) => weight.set(row, o * inDim));
      const layer: DenseLayer = { inDim, outDim, weight, bias: Float32Array.from(l.bias), activation: l.activation };
      inDim = outDim;
      return layer;
    });
    this.buffers = [new Float32Array(this.inputDim), ...this.layers.map((l) => new Float32Array(l.outDim))];
  }

  /** Softmax probabilities, one per label, for one (unstandardized) input vector. */
  predict(input: Float32Array): Float32Array {
    if (input.length !== this.inputDim) {
      throw new RangeError(`MLP input has ${input.length} values, the head expects ${this.inputDim}`);
    }
    const x0 = this.buffers[0];
    for (let i = 0; i < x0.length; i++) x0[i] = (input[i] - this.mean[i]) * this.invStd[i];
    this.layers.forEach((layer, li) => dense(layer, this.buffers[li], this.buffers[li + 1]));
    return softmax(this.buffers[this.layers.length]);
  }
}

function dense(layer: DenseLayer, x: Float32Array, y: Float32Array): void {
  const { inDim, outDim, weight, bias } = layer;
  for (let o = 0; o < outDim; o++) {
    let acc = bias[o];
    const base = o * inDim;
    for (let i = 0; i < inDim; i++) acc += weight[base + i] * x[i];
    y[o] = activate(acc, layer.activation);
  }
}

/** Shared with training, so inference applies exactly the function the head was fitted with. */
export function activate(v: number, a: Activation): number {
  switch (a) {
    case 'relu':
      return v > 0 ? v : 0;
    case 'tanh':
      return Math.tanh(v);
    case 'gelu':
      // tanh approximation; training uses the same formula, so inference matches it exactly.
      return 0.5 * v * (1 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
    case 'linear':
      return v;
  }
}

/** Numerically stable softmax into a new array. */
export function softmax(logits: ArrayLike<number>): Float32Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    const e = Math.exp(logits[i] - max);
    out[i] = e;
    sum += e;
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}
