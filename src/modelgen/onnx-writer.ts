/**
 * A tiny ONNX graph builder and a streaming model writer.
 *
 * Big models (BERT-base: ~110M fp32 parameters, ~440 MB) must not be held in memory twice, so the
 * initializers are never put into a ModelProto object. The writer frames the protobuf by hand:
 *
 *   ModelProto  = encode({ir_version, producer…, doc_string}) ++ field 7 (graph) ++ encode({opset_import})
 *   GraphProto  = encode({node, name}) ++ field 5 (initializer) × N ++ encode({input, output})
 *   TensorProto = encode({dims, data_type, name}) ++ field 9 (raw_data)
 *
 * Fields go out in ascending field-number order (as protobuf's C++ serializer writes them). Lengths are computed first (no data needed), then each
 * tensor is generated, written and dropped, so peak memory is about one tensor.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import onnx from 'onnx-proto';
import type { onnx as ox } from 'onnx-proto';
import { createAtomicFile } from '../report/atomic-file.js';

const AttributeType = onnx.onnx.AttributeProto.AttributeType;
const DataType = onnx.onnx.TensorProto.DataType;

export const FLOAT = DataType.FLOAT;
export const INT64 = DataType.INT64;

export type Attr = ox.IAttributeProto;

export const attr = {
  int: (name: string, i: number): Attr => ({ name, type: AttributeType.INT, i }),
  ints: (name: string, ints: number[]): Attr => ({ name, type: AttributeType.INTS, ints }),
  float: (name: string, f: number): Attr => ({ name, type: AttributeType.FLOAT, f }),
  tensor: (name: string, t: ox.ITensorProto): Attr => ({ name, type: AttributeType.TENSOR, t }),
};

/** A small constant tensor (shape vectors, scalars) stored inline as raw little-endian bytes. */
export function smallTensor(dataType: 'int64' | 'float', dims: number[], values: number[]): ox.ITensorProto {
  let raw: Uint8Array;
  if (dataType === 'int64') {
    const a = BigInt64Array.from(values.map((v) => BigInt(v)));
    raw = new Uint8Array(a.buffer);
  } else {
    raw = new Uint8Array(Float32Array.from(values).buffer);
  }
  return { dims, dataType: dataType === 'int64' ? INT64 : FLOAT, rawData: raw };
}

/** One dimension: a number, or a symbolic name such as 'batch_size'. */
export type Dim = number | string;

export function valueInfo(name: string, elemType: number, dims: Dim[]): ox.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

/** Collects nodes with torch-export-style names ("/scope/Op_3", outputs "/scope/Op_3_output_0"). */
export class GraphBuilder {
  readonly nodes: ox.INodeProto[] = [];
  private readonly used = new Map<string, number>();

  /** Unique node name `${scope}/${op}` then `${scope}/${op}_1`, … within the scope. */
  private nodeName(scope: string, op: string): string {
    const base = `${scope}/${op}`;
    const n = this.used.get(base) ?? 0;
    this.used.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  }

  /** Adds a node; returns its (single) output name. Pass `output` to name the output explicitly. */
  op(opType: string, scope: string, inputs: string[], attrs: Attr[] = [], output?: string): string {
    const name = this.nodeName(scope, opType);
    const out = output ?? `${name}_output_0`;
    this.nodes.push({ opType, name, input: inputs, output: [out], attribute: attrs });
    return out;
  }

  /** A Constant node in `scope`; returns its output name. */
  constant(scope: string, dataType: 'int64' | 'float', dims: number[], values: number[]): string {
    return this.op('Constant', scope, [], [attr.tensor('value', smallTensor(dataType, dims, values))]);
  }
}

/** Initializer description: data is produced only when the tensor is written. */
export interface InitializerSpec {
  name: string;
  dims: number[];
  /** Writes the fp32 values into `out` (length = product of dims). */
  fill(out: Float32Array): void;
}

export interface ModelHeader {
  irVersion: number;
  opset: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  graphName: string;
  inputs: ox.IValueInfoProto[];
  outputs: ox.IValueInfoProto[];
  nodes: ox.INodeProto[];
}

function varint(n: number): Uint8Array {
  const bytes: number[] = [];
  let v = n;
  while (v >= 0x80) {
    bytes.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  bytes.push(v);
  return Uint8Array.from(bytes);
}

/** Tag byte(s) + length prefix of a length-delimited field. */
function fieldHeader(field: number, length: number): Uint8Array {
  const tag = varint(field * 8 + 2);
  const len = varint(length);
  const out = new Uint8Array(tag.length + len.length);
  out.set(tag, 0);
  out.set(len, tag.length);
  return out;
}

const TENSOR_RAW_DATA = 9;
const GRAPH_INITIALIZER = 5;
const MODEL_GRAPH = 7;

interface PreparedTensor {
  spec: InitializerSpec;
  count: number;
  /** encode({dims, data_type, name}) ++ raw_data field header */
  head: Uint8Array;
  /** Total TensorProto length. */
  length: number;
}

function prepareTensor(spec: InitializerSpec): PreparedTensor {
  const count = spec.dims.reduce((a, b) => a * b, 1);
  const meta = onnx.onnx.TensorProto.encode({ dims: spec.dims, dataType: FLOAT, name: spec.name }).finish();
  const rawHeader = fieldHeader(TENSOR_RAW_DATA, count * 4);
  const head = new Uint8Array(meta.length + rawHeader.length);
  head.set(meta, 0);
  head.set(rawHeader, meta.length);
  return { spec, count, head, length: head.length + count * 4 };
}

export interface WrittenModel {
  bytes: number;
  sha256: string;
  parameters: number;
}

/**
 * Writes the model to `file` (through a temp file beside it, renamed at the end: report/atomic-file.ts) and returns its size,
 * sha256 and parameter count. Tensors are filled in the order given.
 */
export async function writeModel(file: string, header: ModelHeader, inits: InitializerSpec[]): Promise<WrittenModel> {
  const graphHead = onnx.onnx.GraphProto.encode({ node: header.nodes, name: header.graphName }).finish();
  const graphTail = onnx.onnx.GraphProto.encode({ input: header.inputs, output: header.outputs }).finish();
  const tensors = inits.map(prepareTensor);
  let graphLength = graphHead.length + graphTail.length;
  for (const t of tensors) graphLength += fieldHeader(GRAPH_INITIALIZER, t.length).length + t.length;
  const modelHead = onnx.onnx.ModelProto.encode({
    irVersion: header.irVersion,
    producerName: header.producerName,
    producerVersion: header.producerVersion,
    docString: header.docString,
  }).finish();
  const modelTail = onnx.onnx.ModelProto.encode({ opsetImport: [{ domain: '', version: header.opset }] }).finish();

  // raw_data is little-endian by definition; typed arrays use the host order.
  if (os.endianness() !== 'LE') throw new Error('make-model needs a little-endian host');
  const hash = crypto.createHash('sha256');
  const target = await createAtomicFile(file);
  const fh = await fs.promises.open(target.tmp, 'w').catch(async (err: unknown) => {
    await target.abort();
    throw err;
  });
  let bytes = 0;
  const write = async (chunk: Uint8Array): Promise<void> => {
    hash.update(chunk);
    bytes += chunk.length;
    let off = 0;
    while (off < chunk.length) {
      const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
      off += bytesWritten;
    }
  };
  let parameters = 0;
  try {
    await write(modelHead);
    await write(fieldHeader(MODEL_GRAPH, graphLength));
    await write(graphHead);
    for (const t of tensors) {
      await write(fieldHeader(GRAPH_INITIALIZER, t.length));
      await write(t.head);
      const data = new Float32Array(t.count);
      t.spec.fill(data);
      await write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      parameters += t.count;
    }
    await write(graphTail);
    await write(modelTail);
  } catch (err) {
    await fh.close();
    await target.abort();
    throw err;
  }
  await fh.close();
  await target.commit();
  return { bytes, sha256: hash.digest('hex'), parameters };
}
