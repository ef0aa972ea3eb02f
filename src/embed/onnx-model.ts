/**
 * Thin helpers around `onnx-proto`: decode/encode a ModelProto, index a graph
 * (who produces / consumes each tensor, which names are constants), read small
 * constant tensors, build tensor ValueInfos, and hash a file without loading it.
 *
 * onnx-proto is generated from ONNX v1.10 (IR 8); fields a newer exporter adds
 * are dropped by decode → encode. That is fine for the transformer exports this
 * project targets; a derived model is always loaded and checked by ORT.
 */
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.ModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** ONNX TensorProto.DataType values used here. */
export const ElemType = { FLOAT: 1, INT32: 6, INT64: 7, FLOAT16: 10, DOUBLE: 11, BFLOAT16: 16 } as const;

export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(model: ModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

/** One symbolic-or-fixed dimension: a number, a name, or undefined when unknown. */
export type Dim = number | string | undefined;

export interface TensorTypeInfo {
  elemType: number;
  dims: Dim[] | undefined;
}

function toNumber(v: number | { toNumber(): number } | null | undefined): number | undefined {
  if (v === null || v === undefined) return undefined;
  return typeof v === 'number' ? v : v.toNumber();
}

/** Element type and shape of a tensor ValueInfo (graph input/output). */
export function tensorTypeOf(vi: ValueInfoProto): TensorTypeInfo | undefined {
  const t = vi.type?.tensorType;
  if (!t) return undefined;
  const dims = t.shape?.dim?.map((d): Dim => {
    if (d.dimParam) return d.dimParam;
    const n = toNumber(d.dimValue as number | { toNumber(): number } | null | undefined);
    return n !== undefined && n > 0 ? n : undefined;
  });
  return { elemType: t.elemType ?? 0, dims };
}

/** A tensor ValueInfo with the given element type and dims (names → dimParam, numbers → dimValue). */
export function makeTensorValueInfo(name: string, elemType: number, dims: readonly Dim[]): ValueInfoProto {
  return onnx.ValueInfoProto.create({
    name,
    type: onnx.TypeProto.create({
      tensorType: onnx.TypeProto.Tensor.create({
        elemType,
        shape: onnx.TensorShapeProto.create({
          dim: dims.map((d) =>
            typeof d === 'number'
              ? onnx.TensorShapeProto.Dimension.create({ dimValue: d })
              : onnx.TensorShapeProto.Dimension.create(d ? { dimParam: d } : {}),
          ),
        }),
      }),
    }),
  });
}

/** Who produces and who consumes every tensor of a graph, and which names are constants. */
export interface GraphIndex {
  graph: GraphProto;
  producer: Map<string, NodeProto>;
  consumers: Map<string, NodeProto[]>;
  initializers: Map<string, TensorProto>;
  inputs: Set<string>;
}

export function indexGraph(graph: GraphProto): GraphIndex {
  const producer = new Map<string, NodeProto>();
  const consumers = new Map<string, NodeProto[]>();
  for (const node of graph.node ?? []) {
    for (const out of node.output ?? []) if (out) producer.set(out, node);
    for (const inp of node.input ?? []) {
      if (!inp) continue;
      const list = consumers.get(inp);
      if (list) list.push(node);
      else consumers.set(inp, [node]);
    }
  }
  const initializers = new Map<string, TensorProto>();
  for (const t of graph.initializer ?? []) if (t.name) initializers.set(t.name, t);
  const inputs = new Set((graph.input ?? []).map((i) => i.name ?? '').filter((n) => !initializers.has(n)));
  return { graph, producer, consumers, initializers, inputs };
}

export function attrInt(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute?.find((x) => x.name === name);
  if (!a) return fallback;
  return toNumber(a.i as number | { toNumber(): number } | null | undefined) ?? fallback;
}

export function attrInts(node: NodeProto, name: string): number[] | undefined {
  const a = node.attribute?.find((x) => x.name === name);
  if (!a?.ints?.length) return undefined;
  return a.ints.map((v) => toNumber(v as number | { toNumber(): number }) ?? 0);
}

/** Dims of a constant tensor (initializer or Constant node output), if it is one. */
export function constantTensor(g: GraphIndex, name: string): TensorProto | undefined {
  const init = g.initializers.get(name);
  if (init) return init;
  const node = g.producer.get(name);
  if (node?.opType === 'Constant') {
    return node.attribute?.find((a) => a.name === 'value')?.t ?? undefined;
  }
  return undefined;
}

export function isConstant(g: GraphIndex, name: string): boolean {
  return constantTensor(g, name) !== undefined;
}

export function tensorDims(t: TensorProto): number[] {
  return (t.dims ?? []).map((d) => toNumber(d as number | { toNumber(): number }) ?? 0);
}

/** Integer values of a small constant int32/int64 tensor (e.g. a Gather index or Slice bound). */
export function constantInts(g: GraphIndex, name: string): number[] | undefined {
  const t = constantTensor(g, name);
  if (!t) return undefined;
  if (t.int64Data?.length) return t.int64Data.map((v) => toNumber(v as number | { toNumber(): number }) ?? 0);
  if (t.int32Data?.length) return [...t.int32Data];
  const raw = t.rawData;
  if (!raw || raw.byteLength === 0) return undefined;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: number[] = [];
  if (t.dataType === ElemType.INT64) {
    for (let i = 0; i + 8 <= raw.byteLength; i += 8) out.push(Number(view.getBigInt64(i, true)));
  } else if (t.dataType === ElemType.INT32) {
    for (let i = 0; i + 4 <= raw.byteLength; i += 4) out.push(view.getInt32(i, true));
  } else {
    return undefined;
  }
  return out;
}

/** True when any initializer keeps its bytes in an external file. */
export function usesExternalData(model: ModelProto): boolean {
  return (model.graph?.initializer ?? []).some(
    (t) => t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData?.length ?? 0) > 0,
  );
}
