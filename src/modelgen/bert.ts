/**
 * The BERT graph, laid out the way torch 1.13 / optimum export BertModel and
 * BertForSequenceClassification at opset 14: same op types, node and initializer naming
 * ("/bert/encoder/layer.0/attention/self/query/MatMul", "bert.pooler.dense.weight",
 * "onnx::MatMul_N" for the transposed projection weights), LayerNorm decomposed into
 * ReduceMean/Sub/Pow/Add/Sqrt/Div/Mul/Add, GELU as x·½·(1+erf(x/√2)), pooler Gather→Gemm→Tanh.
 * Only the head reshapes differ: a constant target shape [0, 0, heads, head_dim] (0 = copy the
 * input dim) instead of torch's Shape/Gather/Concat chain — same result, fewer nodes.
 */
import { fillNormal } from './prng.js';
import { FLOAT, GraphBuilder, INT64, attr, valueInfo, type InitializerSpec, type ModelHeader } from './onnx-writer.js';

export interface BertSpec {
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  vocabSize: number;
  maxPositions: number;
  typeVocabSize: number;
  layerNormEps: number;
  padTokenId: number;
  head: 'base' | 'seqcls';
  /** seqcls only. */
  labels: number;
  tokenTypeIds: boolean;
  seed: number;
  /** Standard deviation of the random weights (BERT's initializer_range). */
  initStd: number;
}

export const IR_VERSION = 7;
export const OPSET = 14;
/** torch.finfo(torch.float32).min, what transformers multiplies (1 - mask) by. */
const MASK_FILL = -3.4028234663852886e38;

export interface BertGraph {
  header: ModelHeader;
  inits: InitializerSpec[];
}

export function buildBert(spec: BertSpec): BertGraph {
  const g = new GraphBuilder();
  const inits: InitializerSpec[] = [];
  const seqcls = spec.head === 'seqcls';
  // BertForSequenceClassification nests the encoder under `bert`; BertModel does not.
  const p = seqcls ? 'bert.' : '';
  const s = seqcls ? '/bert' : '';
  const H = spec.hidden;
  const headDim = H / spec.heads;

  /** `key` names the random stream independent of export naming (so base and seqcls share weights). */
  const normal = (name: string, key: string, dims: number[], zeroRow?: number): string => {
    inits.push({
      name,
      dims,
      fill: (out) => {
        fillNormal(out, spec.initStd, spec.seed, key);
        if (zeroRow !== undefined) out.fill(0, zeroRow * dims[1]!, (zeroRow + 1) * dims[1]!);
      },
    });
    return name;
  };
  const constant = (name: string, dims: number[], value: number): string => {
    inits.push({ name, dims, fill: (out) => out.fill(value) });
    return name;
  };
  let matmulId = 0;
  /** Projection weight stored [in, out] for MatMul, named like torch's anonymous initializers. */
  const matmulWeight = (key: string, inDim: number, outDim: number): string => normal(`onnx::MatMul_${++matmulId}`, key, [inDim, outDim]);

  // ---- inputs -------------------------------------------------------------------------------
  const dynamic = ['batch_size', 'sequence_length'];
  const inputs = [valueInfo('input_ids', INT64, dynamic), valueInfo('attention_mask', INT64, dynamic)];
  if (spec.tokenTypeIds) inputs.push(valueInfo('token_type_ids', INT64, dynamic));

  // ---- extended attention mask: (1 - mask[:, None, None, :]) * finfo.min --------------------
  const zeroScalar = g.constant(s, 'int64', [], [0]);
  const maskAxes = g.constant(s, 'int64', [2], [1, 2]);
  const maskU = g.op('Unsqueeze', s, ['attention_mask', maskAxes]);
  const maskF = g.op('Cast', s, [maskU], [attr.int('to', FLOAT)]);
  const one = g.constant(s, 'float', [], [1]);
  const inv = g.op('Sub', s, [one, maskF]);
  const extMask = g.op('Mul', s, [inv, g.constant(s, 'float', [], [MASK_FILL])]);

  // ---- embeddings ---------------------------------------------------------------------------
  const e = `${s}/embeddings`;
  const wordW = normal(`${p}embeddings.word_embeddings.weight`, 'embeddings.word_embeddings.weight', [spec.vocabSize, H], spec.padTokenId);
  const posW = normal(`${p}embeddings.position_embeddings.weight`, 'embeddings.position_embeddings.weight', [spec.maxPositions, H]);
  const typeW = normal(`${p}embeddings.token_type_embeddings.weight`, 'embeddings.token_type_embeddings.weight', [spec.typeVocabSize, H]);
  const shape = g.op('Shape', e, ['input_ids']);
  const seqLen = g.op('Gather', e, [shape, g.constant(e, 'int64', [], [1])], [attr.int('axis', 0)]);
  const range = g.op('Range', e, [g.constant(e, 'int64', [], [0]), seqLen, g.constant(e, 'int64', [], [1])]);
  const positionIds = g.op('Unsqueeze', e, [range, g.constant(e, 'int64', [1], [0])]);
  const wordE = g.op('Gather', `${e}/word_embeddings`, [wordW, 'input_ids']);
  const posE = g.op('Gather', `${e}/position_embeddings`, [posW, positionIds]);
  let x = g.op('Add', e, [wordE, posE]);
  // Without a token_type_ids input, BERT uses all-zero type ids: row 0, broadcast over [batch, seq].
  const typeIds = spec.tokenTypeIds ? 'token_type_ids' : g.constant(e, 'int64', [], [0]);
  x = g.op('Add', e, [x, g.op('Gather', `${e}/token_type_embeddings`, [typeW, typeIds])]);

  const layerNorm = (scope: string, input: string, key: string, output?: string): string => {
    const ln = `${scope}/LayerNorm`;
    const gamma = constant(`${p}${key}.LayerNorm.weight`, [H], 1);
    const beta = constant(`${p}${key}.LayerNorm.bias`, [H], 0);
    const mean = g.op('ReduceMean', ln, [input], [attr.ints('axes', [-1])]);
    const centered = g.op('Sub', ln, [input, mean]);
    const sq = g.op('Pow', ln, [centered, g.constant(ln, 'float', [], [2])]);
    const variance = g.op('ReduceMean', ln, [sq], [attr.ints('axes', [-1])]);
    const std = g.op('Sqrt', ln, [g.op('Add', ln, [variance, g.constant(ln, 'float', [], [spec.layerNormEps])])]);
    const normed = g.op('Div', ln, [centered, std]);
    return g.op('Add', ln, [g.op('Mul', ln, [normed, gamma]), beta], [], output);
  };
  /** x @ W + b, torch style: MatMul then Add(bias, product). */
  const dense = (scope: string, input: string, key: string, inDim: number, outDim: number): string => {
    const w = matmulWeight(`${key}.weight`, inDim, outDim);
    const b = normal(`${p}${key}.bias`, `${key}.bias`, [outDim]);
    return g.op('Add', scope, [b, g.op('MatMul', scope, [input, w])]);
  };

  x = layerNorm(e, x, 'embeddings');

  // ---- encoder ------------------------------------------------------------------------------
  const headsShape = g.constant(s, 'int64', [4], [0, 0, spec.heads, headDim]);
  const mergedShape = g.constant(s, 'int64', [3], [0, 0, H]);
  for (let i = 0; i < spec.layers; i++) {
    const L = `${s}/encoder/layer.${i}`;
    const k = `encoder.layer.${i}`;
    const sa = `${L}/attention/self`;
    const split = (t: string, perm: number[]): string =>
      g.op('Transpose', sa, [g.op('Reshape', sa, [t, headsShape])], [attr.ints('perm', perm)]);
    const q = split(dense(`${sa}/query`, x, `${k}.attention.self.query`, H, H), [0, 2, 1, 3]);
    const kT = split(dense(`${sa}/key`, x, `${k}.attention.self.key`, H, H), [0, 2, 3, 1]);
    const v = split(dense(`${sa}/value`, x, `${k}.attention.self.value`, H, H), [0, 2, 1, 3]);
    const scores = g.op('Div', sa, [g.op('MatMul', sa, [q, kT]), g.constant(sa, 'float', [], [Math.sqrt(headDim)])]);
    const probs = g.op('Softmax', sa, [g.op('Add', sa, [scores, extMask])], [attr.int('axis', -1)]);
    const ctx = g.op('MatMul', sa, [probs, v]);
    const merged = g.op('Reshape', sa, [g.op('Transpose', sa, [ctx], [attr.ints('perm', [0, 2, 1, 3])]), mergedShape]);

    const ao = `${L}/attention/output`;
    const attnOut = layerNorm(
      ao,
      g.op('Add', ao, [dense(`${ao}/dense`, merged, `${k}.attention.output.dense`, H, H), x]),
      `${k}.attention.output`,
    );

    const im = `${L}/intermediate`;
    const h = dense(`${im}/dense`, attnOut, `${k}.intermediate.dense`, H, spec.intermediate);
    const erf = g.op('Erf', im, [g.op('Div', im, [h, g.constant(im, 'float', [], [Math.SQRT2])])]);
    const gelu = g.op('Mul', im, [
      g.op('Mul', im, [h, g.op('Add', im, [erf, g.constant(im, 'float', [], [1])])]),
      g.constant(im, 'float', [], [0.5]),
    ]);

    const out = `${L}/output`;
    const last = i === spec.layers - 1;
    x = layerNorm(
      out,
      g.op('Add', out, [dense(`${out}/dense`, gelu, `${k}.output.dense`, spec.intermediate, H), attnOut]),
      `${k}.output`,
      last && !seqcls ? 'last_hidden_state' : undefined,
    );
  }

  // ---- pooler (+ classifier) ----------------------------------------------------------------
  const pl = `${s}/pooler`;
  const cls = g.op('Gather', pl, [x, zeroScalar], [attr.int('axis', 1)]);
  const gemm = (scope: string, input: string, w: string, b: string, output?: string): string =>
    g.op('Gemm', scope, [input, w, b], [attr.float('alpha', 1), attr.float('beta', 1), attr.int('transB', 1)], output);
  const poolW = normal(`${p}pooler.dense.weight`, 'pooler.dense.weight', [H, H]);
  const poolB = normal(`${p}pooler.dense.bias`, 'pooler.dense.bias', [H]);
  const pooled = g.op('Tanh', pl, [gemm(`${pl}/dense`, cls, poolW, poolB)], [], seqcls ? undefined : 'pooler_output');

  const outputs = seqcls
    ? [valueInfo('logits', FLOAT, ['batch_size', spec.labels])]
    : [valueInfo('last_hidden_state', FLOAT, ['batch_size', 'sequence_length', H]), valueInfo('pooler_output', FLOAT, ['batch_size', H])];
  if (seqcls) {
    const cw = normal('classifier.weight', 'classifier.weight', [spec.labels, H]);
    const cb = normal('classifier.bias', 'classifier.bias', [spec.labels]);
    gemm('/classifier', pooled, cw, cb, 'logits');
  }

  // Initializer order as torch writes it: named parameters first, then the anonymous MatMul weights.
  const named = inits.filter((t) => !t.name.startsWith('onnx::'));
  const anonymous = inits.filter((t) => t.name.startsWith('onnx::'));
  return {
    header: {
      irVersion: IR_VERSION,
      opset: OPSET,
      producerName: 'pairscore make-model',
      producerVersion: '1',
      docString: `random BERT (${spec.layers}x${H}, ${spec.heads} heads, ffn ${spec.intermediate}), head ${spec.head}, seed ${spec.seed}`,
      graphName: 'main_graph',
      inputs,
      outputs,
      nodes: g.nodes,
    },
    inits: [...named, ...anonymous],
  };
}
