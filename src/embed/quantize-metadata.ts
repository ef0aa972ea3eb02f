/**
 * How a quantized model says so. `pairscore quantize` writes a JSON marker into metadata_props
 * so `inspect` can report how the model was made and from which fp32 source; models from other
 * tools carry no marker, so their quantized ops are counted instead. Quantizing twice is refused
 * on either sign.
 */
import { onnx, type ModelProto } from './onnx-model.js';

/** Metadata key marking a model quantized by pairscore (value: JSON). */
export const QUANT_METADATA_KEY = 'pairscore.quantization';

export interface QuantMetadata {
  method: 'dynamic-int8';
  op: 'DynamicQuantizeMatMul' | 'MatMulInteger';
  weights: string;
  rewritten: number;
  source_sha256: string;
  tool: string;
}

/** The quantization marker of a decoded model, if pairscore wrote one. */
export function quantMetadata(model: ModelProto): QuantMetadata | undefined {
  const entry = (model.metadataProps ?? []).find((p) => p.key === QUANT_METADATA_KEY);
  if (!entry?.value) return undefined;
  try {
    return JSON.parse(entry.value) as QuantMetadata;
  } catch {
    return undefined;
  }
}

/** Replaces any earlier marker, so a model never carries two that disagree. */
export function setQuantMetadata(model: ModelProto, meta: QuantMetadata): void {
  model.metadataProps = [
    ...(model.metadataProps ?? []).filter((p) => p.key !== QUANT_METADATA_KEY),
    onnx.StringStringEntryProto.create({ key: QUANT_METADATA_KEY, value: JSON.stringify(meta) }),
  ];
}

/** Ops that show a model holds quantized linear layers (ours or another tool's). */
export function quantizedOpCount(model: ModelProto): number {
  return (model.graph?.node ?? []).filter((n) =>
    ['DynamicQuantizeMatMul', 'MatMulInteger', 'QAttention', 'MatMulIntegerToFloat', 'QLinearMatMul'].includes(n.opType ?? ''),
  ).length;
}
