/**
 * The weight side of `pairscore quantize`: fp32 constants → int8 tensors.
 *
 * Weights are symmetric per column (scale[n] = max_k |W[k,n]| / qmax, Wq = round(W / scale),
 * zero point 0): symmetric, so the integer product needs no weight-offset term; per column, so
 * one output column with large weights does not cost the others their resolution.
 *
 * Reduce range (qmax 63 instead of 127): x86 CPUs without AVX-512 VNNI multiply u8 × s8 with
 * vpmaddubsw, whose int16 pair sums can saturate with full-range weights (255·127·2 > 32767);
 * 7-bit weights cannot. The default follows `cpuHasVnni`, because saturation silently hurts
 * accuracy.
 */
import { readFileSync } from 'node:fs';
import { onnx, type TensorProto } from './onnx-model.js';

const { DataType } = onnx.TensorProto;

/** True when /proc/cpuinfo lists AVX-512 VNNI or AVX-VNNI (false when it cannot tell). */
export function cpuHasVnni(): boolean {
  try {
    return /\b(avx512_vnni|avx_vnni)\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}

export function weightQmax(reduceRange: boolean): number {
  return reduceRange ? 63 : 127;
}

/** W [K,N] row-major → symmetric per-column int8 (zero point 0). */
export function quantizeColumns(w: Float32Array, k: number, n: number, qmax: number): { q: Int8Array; scale: Float32Array } {
  const maxAbs = new Float32Array(n);
  for (let r = 0; r < k; r++) {
    const off = r * n;
    for (let c = 0; c < n; c++) {
      const v = Math.abs(w[off + c]!);
      if (v > maxAbs[c]!) maxAbs[c] = v;
    }
  }
  const scale = new Float32Array(n);
  const inv = new Float32Array(n);
  for (let c = 0; c < n; c++) {
    // An all-zero column would divide by zero; any scale reproduces its zeros.
    scale[c] = maxAbs[c]! > 0 ? maxAbs[c]! / qmax : 1;
    inv[c] = 1 / scale[c]!;
  }
  const q = new Int8Array(k * n);
  for (let r = 0; r < k; r++) {
    const off = r * n;
    for (let c = 0; c < n; c++) {
      const v = Math.round(w[off + c]! * inv[c]!);
      q[off + c] = v > qmax ? qmax : v < -qmax ? -qmax : v;
    }
  }
  return { q, scale };
}

/** Row-major [rows, cols] → [cols, rows]: Gemm's transB weights are stored the other way round. */
export function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}

/** Float values of a constant fp32 tensor (raw_data may be unaligned: copied). */
export function floatValues(t: TensorProto): Float32Array | undefined {
  if (t.dataType !== DataType.FLOAT) return undefined;
  if (t.floatData && t.floatData.length > 0) return Float32Array.from(t.floatData);
  const raw = t.rawData;
  if (!raw) return undefined;
  const copy = new Uint8Array(raw.byteLength);
  copy.set(raw);
  return new Float32Array(copy.buffer, 0, raw.byteLength >> 2);
}

function tensor(name: string, dataType: number, dims: number[], values: Float32Array | Int8Array): TensorProto {
  return onnx.TensorProto.create({ name, dataType, dims, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
}

export function floatTensor(name: string, dims: number[], values: Float32Array): TensorProto {
  return tensor(name, DataType.FLOAT, dims, values);
}

export function int8Tensor(name: string, dims: number[], values: Int8Array): TensorProto {
  return tensor(name, DataType.INT8, dims, values);
}
