/**
 * Finds, by walking an ONNX graph, the tensors each embedding kind is read from.
 * Node and tensor names are never trusted — only operators, constants and ranks.
 *
 * 1. logits: a rank-2 graph output produced by a linear head — Gemm with a constant
 *    weight, MatMul (or int8 DynamicQuantizeMatMul) with a constant weight, or
 *    Add(MatMul(x, W), b) — possibly behind
 *    Identity. The head's data input `x` is "the pooled vector the classifier reads"
 *    (BERT: tanh(pooler); RoBERTa: tanh(dense); DistilBERT: relu(pre_classifier)).
 * 2. pooled: that classifier input when a head exists, else a rank-2 graph output
 *    that is not a linear head (BertModel's pooler_output).
 * 3. lastHiddenState: walking up from the pooled tensor through data inputs, the
 *    first [CLS] selector — Gather(axis=1, index 0) or Slice(axis 1, 0:1) — reads the
 *    [batch, seq, hidden] tensor (the last encoder LayerNorm output). Without one, a
 *    rank-3 graph output (BertModel's last_hidden_state) is used.
 * Tensors found inside the graph are returned in `expose` with their shapes, so the
 * caller can add them as graph outputs.
 */
import type { EmbeddingSources } from '../contracts.js';
import {
  ElemType,
  attrInt,
  constantInts,
  constantTensor,
  indexGraph,
  tensorDims,
  tensorTypeOf,
  type Dim,
  type GraphIndex,
  type ModelProto,
  type NodeProto,
} from './onnx-model.js';

export interface ExposedTensor {
  name: string;
  elemType: number;
  dims: Dim[];
}

export interface LocatedSources {
  sources: EmbeddingSources;
  /** Inner tensors that must become graph outputs (empty when the graph already has them all). */
  expose: ExposedTensor[];
  notes: string[];
  /** Width of the classifier head's output, when a head was found. */
  numLabels?: number;
  /** Width of the pooled vector, when known from a weight or output shape. */
  pooledDim?: number;
}

interface LinearHead {
  node: NodeProto;
  /** The head's data input: what the classifier reads. */
  input: string;
  inDim?: number;
  outDim?: number;
}

const PASS_THROUGH = new Set(['Identity', 'Dropout']);

function describe(node: NodeProto): string {
  return node.name ? `${node.opType} '${node.name}'` : `${node.opType ?? '?'} node`;
}

/** Follows Identity/Dropout upwards to the node that really produces `name`. */
function realProducer(g: GraphIndex, name: string): NodeProto | undefined {
  let node = g.producer.get(name);
  for (let hops = 0; node && PASS_THROUGH.has(node.opType ?? '') && hops < 8; hops++) {
    const src = node.input?.[0];
    node = src ? g.producer.get(src) : undefined;
  }
  return node;
}

function linearHead(g: GraphIndex, output: string): LinearHead | undefined {
  const node = realProducer(g, output);
  if (!node) return undefined;
  const inputs = node.input ?? [];
  if (node.opType === 'Gemm') {
    const [a, b] = inputs;
    const w = b ? constantTensor(g, b) : undefined;
    if (!a || !w || attrInt(node, 'transA', 0) !== 0) return undefined;
    const [d0, d1] = tensorDims(w);
    const transB = attrInt(node, 'transB', 0) !== 0;
    return { node, input: a, inDim: transB ? d1 : d0, outDim: transB ? d0 : d1 };
  }
  // DynamicQuantizeMatMul (com.microsoft; `pairscore quantize` or onnxruntime's quantizer):
  // a MatMul whose constant weight is int8/uint8 [K, N].
  if (node.opType === 'MatMul' || node.opType === 'DynamicQuantizeMatMul') {
    const [a, b] = inputs;
    const w = b ? constantTensor(g, b) : undefined;
    if (!a || !w) return undefined;
    const dims = tensorDims(w);
    if (dims.length !== 2) return undefined;
    return { node, input: a, inDim: dims[0], outDim: dims[1] };
  }
  if (node.opType === 'Add' && inputs.length === 2) {
    const constIdx = inputs.findIndex((n) => n !== undefined && constantTensor(g, n) !== undefined);
    if (constIdx < 0) return undefined;
    const other = inputs[1 - constIdx];
    const mm = other ? realProducer(g, other) : undefined;
    if (mm?.opType !== 'MatMul') return undefined;
    const inner = linearHead(g, other!);
    return inner ? { ...inner, node } : undefined;
  }
  return undefined;
}

/** The [CLS] selector: Gather(axis 1, index 0) or Slice(axis 1, 0:1); returns the tensor it reads. */
export function clsSelectorInput(g: GraphIndex, node: NodeProto): string | undefined {
  const inputs = node.input ?? [];
  if (node.opType === 'Gather') {
    const idx = inputs[1] ? constantInts(g, inputs[1]) : undefined;
    if (attrInt(node, 'axis', 0) === 1 && idx?.length === 1 && idx[0] === 0) return inputs[0];
    return undefined;
  }
  if (node.opType === 'Slice' && inputs.length >= 4) {
    const starts = constantInts(g, inputs[1]!);
    const ends = constantInts(g, inputs[2]!);
    const axes = constantInts(g, inputs[3]!);
    if (!starts || !ends || !axes) return undefined;
    const k = axes.indexOf(1);
    if (k >= 0 && starts[k] === 0 && ends[k] === 1) return inputs[0];
  }
  return undefined;
}

/** Breadth-first walk up through data (non-constant) inputs, looking for the [CLS] selector. */
function findClsSource(g: GraphIndex, from: string): { tensor: string; node: NodeProto } | undefined {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0 && seen.size < 200) {
    const name = queue.shift()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const node = g.producer.get(name);
    if (!node) continue;
    const hit = clsSelectorInput(g, node);
    if (hit) return { tensor: hit, node };
    for (const inp of node.input ?? []) {
      if (inp && !constantTensor(g, inp) && !g.inputs.has(inp)) queue.push(inp);
    }
  }
  return undefined;
}

export function locateSources(model: ModelProto, hints: { hiddenSize?: number } = {}): LocatedSources {
  const graph = model.graph;
  const notes: string[] = [];
  if (!graph) return { sources: {}, expose: [], notes: ['the model has no graph'] };
  const g = indexGraph(graph);

  // Symbolic batch/sequence dims, taken from the first rank-2 graph input (input_ids).
  const firstInput = (graph.input ?? []).find((i) => g.inputs.has(i.name ?? '') && tensorTypeOf(i)?.dims?.length === 2);
  const inDims = firstInput ? tensorTypeOf(firstInput)?.dims : undefined;
  const batchDim: Dim = inDims?.[0] ?? 'batch_size';
  const seqDim: Dim = inDims?.[1] ?? 'sequence_length';

  const outputs = (graph.output ?? []).map((o) => ({ name: o.name ?? '', type: tensorTypeOf(o) }));
  const floatOut = outputs.find((o) => o.type?.elemType === ElemType.FLOAT || o.type?.elemType === ElemType.FLOAT16);
  const elemType = floatOut?.type?.elemType ?? ElemType.FLOAT;
  const outputNames = new Set(outputs.map((o) => o.name));

  const rank3: string[] = [];
  const rank2Plain: { name: string; dim?: number }[] = [];
  const heads: { name: string; head: LinearHead }[] = [];
  for (const o of outputs) {
    const rank = o.type?.dims?.length;
    if (rank === 3) {
      rank3.push(o.name);
      continue;
    }
    const head = rank === 2 || rank === undefined ? linearHead(g, o.name) : undefined;
    if (head) heads.push({ name: o.name, head });
    else if (rank === 2) {
      const d = o.type?.dims?.[1];
      rank2Plain.push({ name: o.name, dim: typeof d === 'number' ? d : undefined });
    } else notes.push(`output '${o.name}' (rank ${rank ?? 'unknown'}) is not used`);
  }

  const sources: EmbeddingSources = {};
  const expose: ExposedTensor[] = [];
  let numLabels: number | undefined;
  let pooledDim: number | undefined;

  // 1. logits and the classifier's input.
  const logitsHead = heads[0];
  if (logitsHead) {
    const { head } = logitsHead;
    sources.logits = logitsHead.name;
    numLabels = head.outDim;
    pooledDim = head.inDim;
    notes.push(`logits: output '${logitsHead.name}' ← ${describe(head.node)} (${head.inDim ?? '?'} → ${head.outDim ?? '?'})`);
    if (heads.length > 1)
      notes.push(
        `other linear-head outputs ignored: ${heads
          .slice(1)
          .map((h) => h.name)
          .join(', ')}`,
      );
    sources.pooled = head.input;
    const producer = g.producer.get(head.input);
    const from = producer ? `produced by ${describe(producer)}` : 'a graph input';
    if (outputNames.has(head.input)) {
      notes.push(`pooled: classifier input '${head.input}' (${from}) is already a graph output`);
    } else {
      expose.push({ name: head.input, elemType, dims: [batchDim, head.inDim ?? hints.hiddenSize ?? 'hidden'] });
      notes.push(`pooled: classifier input '${head.input}' (${from}), exposed as a graph output`);
    }
  } else if (rank2Plain[0]) {
    sources.pooled = rank2Plain[0].name;
    pooledDim = rank2Plain[0].dim;
    notes.push(`pooled: rank-2 output '${rank2Plain[0].name}' (not a linear head)`);
    notes.push('logits: no output is produced by a linear classifier head');
  } else {
    notes.push('logits: no output is produced by a linear classifier head');
    notes.push('pooled: no classifier head and no rank-2 output');
  }

  // 2. the last hidden state, via the [CLS] selector upstream of the pooled vector.
  const cls = sources.pooled ? findClsSource(g, sources.pooled) : undefined;
  if (cls) {
    sources.lastHiddenState = cls.tensor;
    if (outputNames.has(cls.tensor)) {
      notes.push(`lastHiddenState: output '${cls.tensor}', read by [CLS] ${describe(cls.node)}`);
    } else {
      const hidden = hints.hiddenSize ?? pooledDim ?? 'hidden';
      expose.push({ name: cls.tensor, elemType, dims: [batchDim, seqDim, hidden] });
      notes.push(`lastHiddenState: '${cls.tensor}' read by [CLS] ${describe(cls.node)}, exposed as a graph output`);
    }
  } else if (rank3.length > 0) {
    sources.lastHiddenState = rank3[rank3.length - 1];
    notes.push(`lastHiddenState: rank-3 output '${sources.lastHiddenState}'`);
  } else {
    notes.push(
      sources.pooled
        ? `lastHiddenState: no [CLS] selection (Gather axis 1 index 0, or Slice 0:1 on axis 1) upstream of '${sources.pooled}' and no rank-3 output; cls/mean unavailable`
        : 'lastHiddenState: no rank-3 output and nothing to trace from; cls/mean unavailable',
    );
  }

  const result: LocatedSources = { sources, expose, notes };
  if (numLabels !== undefined) result.numLabels = numLabels;
  if (pooledDim !== undefined) result.pooledDim = pooledDim;
  return result;
}
