/**
 * `pairscore quantize`: dynamic int8 quantization of an ONNX export, in TypeScript. The source
 * directory is never modified: model.onnx is rewritten into the output directory and the
 * config/tokenizer files are copied beside it, so the output loads like any other model dir.
 *
 *   - quantize-graph.ts: which MatMul/Gemm ops are rewritten, and into which int8 ops.
 *   - quantize-weights.ts: per-column symmetric int8 weights and the reduce-range choice.
 *   - quantize-metadata.ts: the marker `inspect` reports and that refuses quantizing twice.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { InputError, ModelError } from '../errors.js';
import { copyFileAtomic, writeFileAtomic } from '../report/atomic-file.js';
import { decodeModel, encodeModel, usesExternalData, type ModelProto } from './onnx-model.js';
import { sha256File } from '../sha256-file.js';
import { quantizeGraph, type GraphRewrite, type QuantizeOptions, type QuantOp } from './quantize-graph.js';
import { quantizedOpCount, quantMetadata, setQuantMetadata, type QuantMetadata } from './quantize-metadata.js';
import { cpuHasVnni } from './quantize-weights.js';

export { quantizeGraph, type GraphRewrite, type QuantizeOptions, type QuantOp } from './quantize-graph.js';
export { QUANT_METADATA_KEY, quantizedOpCount, quantMetadata, type QuantMetadata } from './quantize-metadata.js';
export { cpuHasVnni, quantizeColumns } from './quantize-weights.js';

export interface QuantizeResult extends GraphRewrite {
  outDir: string;
  modelFile: string;
  bytesIn: number;
  bytesOut: number;
  sha256: string;
  /** Files copied next to model.onnx. */
  copied: string[];
  op: QuantOp;
  reduceRange: boolean;
}

async function isDir(dir: string): Promise<boolean> {
  try {
    return (await fs.stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** Quantizes `srcDir/model.onnx` into `outDir/model.onnx` and copies the other files of srcDir. */
export async function quantizeModel(srcDir: string, outDir: string, options: QuantizeOptions = {}): Promise<QuantizeResult> {
  const src = path.resolve(srcDir);
  const out = path.resolve(outDir);
  if (!(await isDir(src))) throw new InputError(`model directory not found: ${srcDir}`);
  const srcModel = path.join(src, 'model.onnx');
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(srcModel);
  } catch (err) {
    throw new InputError(`cannot read ${srcModel}: ${(err as Error).message}`, { cause: err });
  }
  if (out === src) throw new InputError('--out must be a different directory from the model directory (the source is never modified)');
  const opts: Required<QuantizeOptions> = {
    op: options.op ?? 'matmulinteger',
    reduceRange: options.reduceRange ?? !cpuHasVnni(),
    keepHead: options.keepHead ?? true,
    minElements: options.minElements ?? 0,
  };
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new ModelError(`${srcModel} is not a valid ONNX model: ${(err as Error).message}`, { cause: err });
  }
  if (usesExternalData(model))
    throw new ModelError(`${srcModel} keeps its weights in external data files; quantize needs a single-file model`);
  if (quantMetadata(model) || quantizedOpCount(model) > 0) throw new ModelError(`${srcModel} is already quantized`);
  const sourceSha = await sha256File(srcModel);
  const bytesIn = bytes.byteLength;
  const { rewritten, fusedBias, kept } = quantizeGraph(model, opts);
  const total = rewritten.MatMul + rewritten.Gemm;
  if (total === 0) throw new ModelError(`${srcModel}: no MatMul or Gemm with a constant fp32 weight to quantize`);
  const meta: QuantMetadata = {
    method: 'dynamic-int8',
    op: opts.op === 'dqmm' ? 'DynamicQuantizeMatMul' : 'MatMulInteger',
    weights: `int8 symmetric per-column${opts.reduceRange ? ', 7-bit (reduce range)' : ''}`,
    rewritten: total,
    source_sha256: sourceSha,
    tool: 'pairscore quantize',
  };
  setQuantMetadata(model, meta);
  const encoded = encodeModel(model);
  const modelFile = path.join(out, 'model.onnx');
  await fs.mkdir(out, { recursive: true });
  await writeFileAtomic(modelFile, encoded);
  const copied: string[] = [];
  for (const entry of await fs.readdir(src, { withFileTypes: true })) {
    if (!entry.isFile() || entry.name === 'model.onnx') continue;
    await copyFileAtomic(path.join(src, entry.name), path.join(out, entry.name));
    copied.push(entry.name);
  }
  return {
    outDir: out,
    modelFile,
    rewritten,
    fusedBias,
    kept,
    bytesIn,
    bytesOut: encoded.byteLength,
    sha256: await sha256File(modelFile),
    copied: copied.sort(),
    op: opts.op,
    reduceRange: opts.reduceRange,
  };
}
