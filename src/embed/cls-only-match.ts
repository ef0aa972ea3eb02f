/**
 * Graph walking for cls-only-graph.ts: finding the pieces of the last encoder layer (the
 * LayerNorms and residual Adds, the attention MatMuls, the Reshapes a sequence length sizes)
 * and proving which nodes work row by row. `fail` ends a match with its reason (NoMatch).
 */
import { attrInt, attrInts, constantInts, isConstant, type GraphIndex, type NodeProto } from './onnx-model.js';

export class NoMatch extends Error {}
export function fail(reason: string): never {
  throw new NoMatch(reason);
}

export function describe(node: NodeProto): string {
  return node.name ? `${node.opType} '${node.name}'` : `${node.opType ?? '?'} node`;
}

/** The producer of a node's single non-constant input (undefined when there are 0 or 2+). */
function dataProducer(g: GraphIndex, node: NodeProto): NodeProto | undefined {
  const data = (node.input ?? []).filter((i) => i && !isConstant(g, i));
  return data.length === 1 ? g.producer.get(data[0]!) : undefined;
}

export function reducesLastAxisOnly(g: GraphIndex, node: NodeProto): boolean {
  const axes = attrInts(node, 'axes') ?? (node.input?.[1] ? constantInts(g, node.input[1]) : undefined);
  return axes?.length === 1 && axes[0] === -1;
}

/** The input x of a LayerNorm whose output is `name`, or undefined when `name` is not one. */
export function layerNormInput(g: GraphIndex, name: string): string | undefined {
  const last = g.producer.get(name);
  if (!last) return undefined;
  if (last.opType === 'LayerNormalization') return attrInt(last, 'axis', -1) === -1 ? (last.input?.[0] ?? undefined) : undefined;
  if (last.opType !== 'Add') return undefined;
  const mul = dataProducer(g, last);
  if (mul?.opType !== 'Mul') return undefined;
  const div = dataProducer(g, mul);
  if (div?.opType !== 'Div') return undefined;
  const sub = g.producer.get(div.input?.[0] ?? '');
  if (sub?.opType !== 'Sub') return undefined;
  const [x, m] = sub.input ?? [];
  const mean = g.producer.get(m ?? '');
  if (!x || mean?.opType !== 'ReduceMean' || mean.input?.[0] !== x || !reducesLastAxisOnly(g, mean)) return undefined;
  return x;
}

/** A residual Add(a, b) of two computed tensors; `skip` is the one that is a LayerNorm output. */
export function residual(g: GraphIndex, name: string, what: string): { node: NodeProto; skip: string } {
  const node = g.producer.get(name);
  const ins = (node?.input ?? []).filter((i) => i && !isConstant(g, i));
  if (!node || node.opType !== 'Add' || ins.length !== 2) fail(`${what}: expected a residual Add of two tensors`);
  const lnInputs = ins.filter((i) => layerNormInput(g, i) !== undefined);
  if (lnInputs.length !== 1) fail(`${what}: ${describe(node)} does not add a LayerNorm output to a branch`);
  return { node, skip: lnInputs[0]! };
}

/** Every node `name` depends on. */
export function ancestors(g: GraphIndex, name: string): Set<NodeProto> {
  const seen = new Set<NodeProto>();
  const stack = [name];
  while (stack.length > 0) {
    const node = g.producer.get(stack.pop()!);
    if (!node || seen.has(node)) continue;
    seen.add(node);
    for (const i of node.input ?? []) if (i) stack.push(i);
  }
  return seen;
}

/**
 * Tensors whose values or shape depend on x's sequence dimension. DynamicQuantizeLinear's
 * scale and zero point are scalars, so only its quantized output carries the sequence.
 */
export function sequenceDependents(g: GraphIndex, x: string): Set<string> {
  const seen = new Set<string>([x]);
  const stack = [x];
  while (stack.length > 0) {
    const t = stack.pop()!;
    for (const node of g.consumers.get(t) ?? []) {
      const outs = node.opType === 'DynamicQuantizeLinear' ? (node.output ?? []).slice(0, 1) : (node.output ?? []);
      for (const o of outs) {
        if (o && !seen.has(o)) {
          seen.add(o);
          stack.push(o);
        }
      }
    }
  }
  return seen;
}

/** Ops on a projection's way to attention (bias, scaling, int8 dequantize, head split). */
export const PROJECTION_CHAIN = new Set(['Add', 'Mul', 'Div', 'Cast', 'Reshape', 'Transpose', 'Identity']);
/** Ops between the scores and the context MatMul. */
export const SCORES_CHAIN = new Set(['Add', 'Mul', 'Div', 'Softmax', 'Cast', 'Where', 'Identity', 'Dropout']);

export interface Site {
  mm: NodeProto;
  index: number;
}

/** Follows a single (non-Shape) consumer chain from `start` to the first activation × activation MatMul. */
export function attentionSite(g: GraphIndex, start: NodeProto, chain: Set<string>, seen?: Set<string>): Site | undefined {
  let node = start;
  for (let hops = 0; hops < 16; hops++) {
    const out = node.output?.[0];
    if (!out) return undefined;
    const users = (g.consumers.get(out) ?? []).filter((u) => u.opType !== 'Shape');
    if (users.length !== 1) return undefined;
    const u = users[0]!;
    const [a, b] = u.input ?? [];
    if (u.opType === 'MatMul' && a && b && !isConstant(g, a) && !isConstant(g, b)) return { mm: u, index: a === out ? 0 : 1 };
    if (!chain.has(u.opType ?? '')) return undefined;
    seen?.add(u.opType ?? '');
    node = u;
  }
  return undefined;
}

/** Ops that work row by row on data (given the axis checks below). */
export const ROW_OPS = new Set([
  'MatMul',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Pow',
  'Sqrt',
  'Erf',
  'Tanh',
  'Relu',
  'Gelu',
  'Softmax',
  'ReduceMean',
  'LayerNormalization',
  'Reshape',
  'Transpose',
  'Cast',
  'Identity',
  'Dropout',
  'Where',
  'Shape',
  'DynamicQuantizeLinear',
  'MatMulInteger',
  'DynamicQuantizeMatMul',
  'MatMulIntegerToFloat',
]);
/** Ops allowed only on shape vectors (sizing a Reshape). */
export const SHAPE_OPS = new Set(['Gather', 'Unsqueeze', 'Concat', 'Squeeze', 'Cast', 'Slice']);

export function isShapeValued(g: GraphIndex, name: string, depth = 0): boolean {
  const p = g.producer.get(name);
  if (!p || depth > 8) return false;
  if (p.opType === 'Shape') return true;
  if (!SHAPE_OPS.has(p.opType ?? '')) return false;
  const data = p.opType === 'Concat' ? (p.input ?? []) : (p.input ?? []).slice(0, 1);
  return data.every((i) => !i || isConstant(g, i) || isShapeValued(g, i, depth + 1));
}

/** Reshapes whose target shape `shapeNode`'s output flows into (through shape-vector ops only). */
export function reshapesSizedBy(g: GraphIndex, shapeNode: NodeProto): NodeProto[] {
  const found: NodeProto[] = [];
  const stack = [shapeNode.output?.[0] ?? ''];
  const seen = new Set<string>();
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (seen.has(t)) continue;
    seen.add(t);
    for (const u of g.consumers.get(t) ?? []) {
      if (u.opType === 'Reshape' && u.input?.[1] === t) found.push(u);
      else if (SHAPE_OPS.has(u.opType ?? '')) stack.push(u.output?.[0] ?? '');
      else fail(`the layer input's shape feeds ${describe(u)}, not only Reshape targets`);
    }
  }
  return found;
}

/** Nodes reached forward from `roots`, not expanding past `stop`. */
export function forwardClosure(g: GraphIndex, roots: NodeProto[], stop: string): Set<NodeProto> {
  const seen = new Set<NodeProto>();
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const o of node.output ?? []) {
      if (!o || o === stop) continue;
      for (const u of g.consumers.get(o) ?? []) stack.push(u);
    }
  }
  return seen;
}
