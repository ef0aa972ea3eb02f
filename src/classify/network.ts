/**
 * The trainable network: dense layers with float64 parameters and gradients, one row at a time
 * forward and backward, in the layout and arithmetic order that keep training bit-reproducible.
 *
 * - Layers: dense → activation (relu | gelu (tanh form, as mlp.ts) | tanh) → inverted dropout,
 *   then a linear output layer. He-uniform init (Xavier for tanh and the output).
 * - The first layer skips zero inputs (sparse hashed columns cost nothing).
 */
import type { Activation } from './head-format.js';
import { activate } from './mlp.js';
import type { Rng } from './rng.js';

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

export interface Layer {
  inDim: number;
  outDim: number;
  /** Layer 0 is stored transposed ([in][out]) so a sparse input row touches contiguous memory; the others are [out][in]. */
  w: Float64Array;
  b: Float64Array;
  gw: Float64Array;
  gb: Float64Array;
  activation: Activation;
}

function makeLayer(inDim: number, outDim: number, activation: Activation, rng: Rng): Layer {
  const fanAvg = (inDim + outDim) / 2;
  const limit = activation === 'relu' || activation === 'gelu' ? Math.sqrt(6 / inDim) : Math.sqrt(3 / fanAvg);
  const w = new Float64Array(inDim * outDim);
  for (let i = 0; i < w.length; i++) w[i] = Math.fround((rng.next() * 2 - 1) * limit);
  return { inDim, outDim, w, b: new Float64Array(outDim), gw: new Float64Array(w.length), gb: new Float64Array(outDim), activation };
}

/** Per-sample scratch for forward/backward. */
interface Scratch {
  pre: Float64Array[];
  post: Float64Array[];
  mask: Float64Array[];
  delta: Float64Array[];
  nz: Int32Array;
}

export class Net {
  readonly layers: Layer[];
  private readonly s: Scratch;
  /** `dims` = [input, ...hidden, classes]; hidden layers use `activation`, the output is linear. */
  constructor(dims: readonly number[], activation: Activation, rng: Rng) {
    this.layers = [];
    for (let l = 0; l + 1 < dims.length; l++) {
      const last = l + 2 === dims.length;
      this.layers.push(makeLayer(dims[l]!, dims[l + 1]!, last ? 'linear' : activation, rng));
    }
    this.s = {
      pre: this.layers.map((l) => new Float64Array(l.outDim)),
      post: this.layers.map((l) => new Float64Array(l.outDim)),
      mask: this.layers.map((l) => new Float64Array(l.outDim)),
      delta: this.layers.map((l) => new Float64Array(l.outDim)),
      nz: new Int32Array(dims[0]!),
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

  /** Backward for the last forward, with d loss / d output logits in `gOut`; gradients accumulate until zeroGrad. */
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

  snapshot(): Float64Array[] {
    return this.layers.flatMap((L) => [L.w.slice(), L.b.slice()]);
  }

  restore(snap: Float64Array[]): void {
    this.layers.forEach((L, i) => {
      L.w.set(snap[2 * i]!);
      L.b.set(snap[2 * i + 1]!);
    });
  }

  /** Weights in head-file layout ([out][in] for every layer), each value passed through `round`. */
  headLayers(round: (v: number) => number): Array<{ weight: number[][]; bias: number[]; activation: Activation }> {
    return this.layers.map((L, l) => ({
      weight: Array.from({ length: L.outDim }, (_, o) =>
        l === 0
          ? Array.from({ length: L.inDim }, (_, i) => round(L.w[i * L.outDim + o]!))
          : Array.from(L.w.subarray(o * L.inDim, (o + 1) * L.inDim), round),
      ),
      bias: Array.from(L.b, round),
      activation: L.activation,
    }));
  }
}
