/**
 * clsOnlyGraph: a derived graph whose last encoder layer computes only the [CLS] row.
 *
 * cls, pooled and logits read the last hidden state at position 0 only. In the last layer,
 * attention still needs K and V of every position, but the Q projection, the attention
 * output projection, residual + LayerNorm and the feed-forward block are needed for row 0
 * alone. The rewrite slices the layer input X to X0 = X[:, 0:1, :] and feeds X0 to the Q
 * projection, to the first residual Add and to the Shape nodes that size the merged heads;
 * everything downstream of them then runs on one row. The last hidden state becomes
 * [batch, 1, hidden] (so `mean` cannot be read from this graph).
 *
 * The layer is recognised by structure, not names: H = LN(A + ffn), A = LN(X + attn) with
 * LN a LayerNormalization op or the torch-decomposed ReduceMean/Sub/Pow/…/Add chain; three
 * projections of X (fp32 MatMul, or int8 MatMulInteger behind a shared DynamicQuantizeLinear,
 * or DynamicQuantizeMatMul) reaching the scores MatMul as its left (Q) and right (K) input and
 * the context MatMul as its right input (V), the context MatMul's left input coming from the
 * scores through a Softmax. Then every node that reads a one-row tensor is checked: it must
 * feed H, be an op known to work row by row, reduce only over the last axis, read full-length
 * tensors only where attention reads K/V, and reshape without a hard-coded sequence length;
 * H must be read only by [CLS] selectors or as a graph output. Anything else (fused attention
 * ops, other export styles, mean pooling inside the graph) returns null with the reason —
 * never a wrong graph.
 *
 * With int8 (matmulinteger) the Q projection reads a slice of the shared quantized X, so its
 * scale is the full tensor's; the FFN's dynamic quantization then sees one row instead of
 * all, so its per-tensor scale (and the result) differs slightly from the full graph's.
 */
import type { EmbeddingSources } from '../contracts.js';
import { clsSelectorInput } from './locate-sources.js';
import {
  ElemType,
  attrInt,
  constantInts,
  indexGraph,
  isConstant,
  onnx,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from './onnx-model.js';
import {
  NoMatch,
  fail,
  describe,
  reducesLastAxisOnly,
  layerNormInput,
  residual,
  ancestors,
  sequenceDependents,
  PROJECTION_CHAIN,
  SCORES_CHAIN,
  type Site,
  attentionSite,
  ROW_OPS,
  SHAPE_OPS,
  isShapeValued,
  reshapesSizedBy,
  forwardClosure,
} from './cls-only-match.js';

export type ClsOnlyResult = { model: ModelProto; notes: string[] } | { model: null; reason: string };

function int64Tensor(name: string, values: number[]): TensorProto {
  return onnx.TensorProto.create({ name, dataType: ElemType.INT64, dims: [values.length], int64Data: values });
}

/** Rewrites `model`'s last encoder layer to compute the [CLS] row only; the input model is not modified. */
export function clsOnlyGraph(model: ModelProto, sources: EmbeddingSources): ClsOnlyResult {
  try {
    return rewrite(model, sources);
  } catch (err) {
    if (err instanceof NoMatch) return { model: null, reason: err.message };
    throw err;
  }
}

function rewrite(model: ModelProto, sources: EmbeddingSources): ClsOnlyResult {
  const graph = model.graph ?? fail('the model has no graph');
  const hidden = sources.lastHiddenState ?? fail('no last hidden state: [CLS] is not read from an encoder output');
  const g = indexGraph(graph);
  if (!g.producer.has(hidden)) fail(`'${hidden}' is not produced by a node`);

  for (const c of g.consumers.get(hidden) ?? []) {
    if (clsSelectorInput(g, c) !== hidden) fail(`${describe(c)} reads the last hidden state beyond [CLS]`);
  }

  // ---- the last layer: H = LN(A + ffn), A = LN(X + attn) ------------------------------------
  const r2 = layerNormInput(g, hidden) ?? fail('the last hidden state is not a LayerNorm output');
  const { skip: a } = residual(g, r2, 'output residual');
  const r1 = layerNormInput(g, a) ?? fail('the attention block does not end in a LayerNorm');
  const { node: r1Node, skip: x } = residual(g, r1, 'attention residual');
  const inLayer = ancestors(g, hidden);
  const seqDep = sequenceDependents(g, x);

  // ---- who reads X: the residual, Q/K/V projections, Shape nodes -----------------------------
  interface Projection {
    node: NodeProto;
    /** The tensor its input 0 reads: X, or X quantized by a shared DynamicQuantizeLinear. */
    reads: string;
    site: Site;
  }
  const projections: Projection[] = [];
  const shapeReaders: NodeProto[] = [];
  const addProjection = (node: NodeProto, reads: string): void => {
    const w = node.input?.[1];
    if (node.input?.[0] !== reads || !w || !isConstant(g, w)) fail(`${describe(node)} is not a projection with a constant weight`);
    const site =
      attentionSite(g, node, PROJECTION_CHAIN) ??
      fail(`${describe(node)} does not lead to an attention MatMul (fused or unknown attention)`);
    projections.push({ node, reads, site });
  };
  for (const c of g.consumers.get(x) ?? []) {
    if (c === r1Node || !inLayer.has(c)) continue;
    switch (c.opType) {
      case 'Shape':
        shapeReaders.push(c);
        break;
      case 'MatMul':
      case 'DynamicQuantizeMatMul':
      case 'MatMulIntegerToFloat':
        addProjection(c, x);
        break;
      case 'DynamicQuantizeLinear': {
        const xq = c.output?.[0] ?? fail(`${describe(c)} has no output`);
        for (const m of g.consumers.get(xq) ?? []) {
          if (!inLayer.has(m)) continue;
          if (m.opType !== 'MatMulInteger') fail(`${describe(m)} reads the quantized layer input`);
          addProjection(m, xq);
        }
        break;
      }
      default:
        fail(`${describe(c)} reads the last layer's input (expected Q/K/V projections and the residual)`);
    }
  }
  const qs = projections.filter((p) => p.site.index === 0);
  if (projections.length !== 3 || qs.length !== 1) fail(`expected 3 projections of the layer input (Q, K, V), found ${projections.length}`);
  const q = qs[0]!;
  const scores = q.site.mm;
  const ks = projections.filter((p) => p.site.mm === scores && p.site.index === 1);
  const vs = projections.filter((p) => p.site.mm !== scores && p.site.index === 1);
  if (ks.length !== 1 || vs.length !== 1) fail('the projections do not form Q·Kᵀ and probs·V');
  const context = vs[0]!.site.mm;
  const softmaxSeen = new Set<string>();
  const probsSite = attentionSite(g, scores, SCORES_CHAIN, softmaxSeen);
  if (probsSite?.mm !== context || probsSite.index !== 0 || !softmaxSeen.has('Softmax')) {
    fail('the scores do not reach the context MatMul through a Softmax');
  }

  // ---- the one-row part: from Q and the residual, plus the Shape(X) nodes that size it -------
  const rowRoots = [q.node, r1Node];
  const provisional = forwardClosure(g, rowRoots, hidden);
  const rowShapes: NodeProto[] = [];
  for (const s of shapeReaders) {
    const sized = reshapesSizedBy(g, s);
    const row = sized.filter((r) => provisional.has(r));
    if (row.length > 0 && row.length !== sized.length) fail(`${describe(s)} sizes both one-row and full-length reshapes`);
    if (row.length > 0) rowShapes.push(s);
  }
  const rowNodes = forwardClosure(g, [...rowRoots, ...rowShapes], hidden);
  const rowTensors = new Set<string>();
  for (const n of rowNodes) for (const o of n.output ?? []) if (o) rowTensors.add(o);
  const rewired = new Map<NodeProto, string>([[r1Node, x], [q.node, q.reads], ...rowShapes.map((s): [NodeProto, string] => [s, x])]);

  for (const n of rowNodes) {
    const op = n.opType ?? '';
    if (!inLayer.has(n)) fail(`${describe(n)} reads a [CLS]-only tensor but does not feed the last hidden state`);
    if (!ROW_OPS.has(op)) {
      if (!SHAPE_OPS.has(op)) fail(`${describe(n)}: ${op} is not known to work row by row`);
      if (!isShapeValued(g, n.output?.[0] ?? '')) fail(`${describe(n)} selects or reshapes data in the last layer`);
    }
    if (op === 'ReduceMean' && !reducesLastAxisOnly(g, n)) fail(`${describe(n)} reduces over more than the last axis`);
    if (op === 'Softmax' && attrInt(n, 'axis', -1) !== -1) fail(`${describe(n)} is not over the last axis`);
    if (op === 'LayerNormalization' && attrInt(n, 'axis', -1) !== -1) fail(`${describe(n)} is not over the last axis`);
    if (op === 'Reshape' && n.input?.[1] && isConstant(g, n.input[1])) {
      const target = constantInts(g, n.input[1]);
      if (!target || target.length < 2 || (target[1] !== 0 && target[1] !== -1)) fail(`${describe(n)} hard-codes the sequence length`);
    }
    (n.input ?? []).forEach((inp, i) => {
      if (!inp || rowTensors.has(inp) || isConstant(g, inp) || !seqDep.has(inp)) return;
      if (rewired.get(n) === inp) return;
      if (i === 1 && (n === scores || n === context)) return; // attention reads K and V of every position
      fail(`${describe(n)} mixes the [CLS] row with the full sequence ('${inp}')`);
    });
  }

  // ---- build the derived graph (nodes cloned only where rewired; weights shared) -------------
  const used = new Set<string>([...g.producer.keys(), ...g.initializers.keys(), ...g.inputs]);
  const fresh = (base: string): string => {
    let name = base;
    for (let i = 1; used.has(name); i++) name = `${base}_${i}`;
    used.add(name);
    return name;
  };
  const starts = int64Tensor(fresh('cls_only/starts'), [0]);
  const ends = int64Tensor(fresh('cls_only/ends'), [1]);
  const axes = int64Tensor(fresh('cls_only/axes'), [1]);
  const sliced = new Map<string, { name: string; node: NodeProto }>();
  const sliceOf = (t: string): string => {
    const hit = sliced.get(t);
    if (hit) return hit.name;
    const name = fresh(`${t}/cls_row`);
    const node = onnx.NodeProto.create({
      name: fresh(`/cls_only/Slice_${sliced.size}`),
      opType: 'Slice',
      input: [t, starts.name!, ends.name!, axes.name!],
      output: [name],
    });
    sliced.set(t, { name, node });
    return name;
  };
  const replaced = new Map<NodeProto, NodeProto>();
  for (const [node, from] of rewired) {
    const to = sliceOf(from);
    replaced.set(node, onnx.NodeProto.create({ ...node, input: (node.input ?? []).map((i) => (i === from ? to : i)) }));
  }
  const nodes: NodeProto[] = [];
  const pending = new Map([...sliced].map(([t, s]) => [t, s.node]));
  const emitSlices = (t: string): void => {
    const s = pending.get(t);
    if (s) {
      nodes.push(s);
      pending.delete(t);
    }
  };
  for (const t of [...pending.keys()]) if (!g.producer.has(t)) emitSlices(t); // a graph input
  for (const node of graph.node ?? []) {
    nodes.push(replaced.get(node) ?? node);
    for (const o of node.output ?? []) if (o) emitSlices(o);
  }
  const output = (graph.output ?? []).map((o) => {
    if (o.name !== hidden) return o;
    const copy = onnx.ValueInfoProto.decode(onnx.ValueInfoProto.encode(o).finish());
    const dim = copy.type?.tensorType?.shape?.dim;
    if (dim && dim.length === 3) dim[1] = onnx.TensorShapeProto.Dimension.create({ dimValue: 1 });
    return copy;
  });
  const derived = onnx.ModelProto.create({
    ...model,
    graph: onnx.GraphProto.create({
      ...graph,
      node: nodes,
      initializer: [...(graph.initializer ?? []), starts, ends, axes],
      output,
      valueInfo: (graph.valueInfo ?? []).filter((v) => !rowTensors.has(v.name ?? '')),
    }),
  });
  const notes = [
    `cls-only: last layer computes [CLS] only — Q, attention output and FFN on row 0 (${rowNodes.size} nodes), ` +
      `K/V over all positions; '${hidden}' is [batch, 1, hidden]`,
  ];
  return { model: derived, notes };
}
