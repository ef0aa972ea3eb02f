/**
 * The [CLS]-only copy of a model, for runs that read position 0 of the last hidden state
 * only (cls, pooled, logits): cls-only-graph.ts rewrites the last encoder layer; this module
 * decides whether the copy may be used, derives it once and caches it beside the
 * exposed-outputs copy (derived-model.ts):
 *
 *   <cacheDir>/derived/<sha256>.cls-only-v1.onnx   the copy
 *   <cacheDir>/derived/<sha256>.cls-only-v1.json   the outcome, kept also when the copy is not
 *                                                  used, so a model is decoded once, not at every start
 *
 * It is built from the file the embedder would load otherwise — the exposed copy when a
 * logits-only export needed its inner tensors as outputs — so such a model goes through both
 * steps, each with its own file. Only fp32 models qualify: with dynamic int8 quantization the
 * one-row feed-forward takes its activation scales over one row instead of all, which moved
 * BERT-base outputs by up to 3e-2 (scripts/bench/cls-only.ts). Before the copy is used, both
 * graphs run one probe batch in session workers, as the embedder runs them, and every output
 * must agree within PROBE_TOLERANCE. Any failure (no match, a copy that does not load or
 * agree, a full disk) means the full graph, never a failed run.
 */
import fs from 'node:fs/promises';
import type { EmbeddingKind, EmbeddingSources } from '../contracts.js';
import { writeFileAtomic } from '../report/atomic-file.js';
import { clsOnlyGraph } from './cls-only-graph.js';
import { derivedPaths, exists, writeDerivedModel } from './derived-model.js';
import type { InspectResult } from './inspect.js';
import { ElemType, decodeModel, usesExternalData, type ModelProto } from './onnx-model.js';
import { quantizedOpCount, quantMetadata } from './quantize-metadata.js';
import { SessionPool, type BatchInput } from './session-pool.js';
import type { BatchVectors } from './worker-protocol.js';

/** Bump when cls-only-graph.ts or the checks here change: older copies are then derived again. */
const VARIANT = 'cls-only-v1';

/** Largest |Δ| allowed between the copy and the full graph on the probe batch. */
export const PROBE_TOLERANCE = 1e-5;

/** The copy to load, or null and why not. */
export interface ClsOnlyModel {
  path: string | null;
  why: string;
}

interface Outcome {
  used: boolean;
  why: string;
}

/** True when no kind reads beyond position 0 of the last hidden state: everything but mean. */
export function readsPosition0Only(kinds: readonly EmbeddingKind[]): boolean {
  return !kinds.includes('mean');
}

async function readOutcome(file: string): Promise<Outcome | undefined> {
  try {
    const o = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Outcome>;
    return typeof o.used === 'boolean' && typeof o.why === 'string' ? { used: o.used, why: o.why } : undefined;
  } catch {
    return undefined;
  }
}

/** Why the model is not plain fp32, if it is not. */
function precisionBlocker(model: ModelProto): string | undefined {
  const int8 = quantizedOpCount(model);
  if (int8 > 0 || quantMetadata(model)) {
    return `quantized model (${int8} int8 linear ops): one-row dynamic quantization would change its outputs`;
  }
  const half = (model.graph?.initializer ?? []).some((t) => t.dataType === ElemType.FLOAT16 || t.dataType === ElemType.BFLOAT16);
  return half ? 'half-precision weights: the copy is checked and measured on fp32 models only' : undefined;
}

/** Writes the copy; returns why not when the model does not qualify. Its own function so the decoded model can be freed before the probe. */
async function writeCopy(inspected: InspectResult, file: string): Promise<string | undefined> {
  const model = decodeModel(await fs.readFile(inspected.modelPath));
  if (usesExternalData(model)) return 'the weights are in external data files';
  const blocker = precisionBlocker(model);
  if (blocker) return blocker;
  const derived = clsOnlyGraph(model, inspected.info.sources);
  if (derived.model === null) return `the graph does not match the [CLS]-only pattern: ${derived.reason}`;
  await writeDerivedModel(derived.model, file);
  return undefined;
}

/** Three right-padded rows of ids every BERT-like vocabulary holds (1–98). */
function probeBatch(maxLength: number, padId: number, kinds: EmbeddingKind[]): BatchInput {
  const seqLen = Math.max(3, Math.min(16, maxLength));
  const lengths = Int32Array.from([seqLen, Math.max(2, seqLen - 5), 2]);
  const rows = lengths.length;
  const ids = new Int32Array(rows * seqLen).fill(padId);
  for (let r = 0; r < rows; r++) for (let t = 0; t < lengths[r]!; t++) ids[r * seqLen + t] = 1 + ((r * 31 + t * 17) % 98);
  return { rows, seqLen, ids, typeIds: new Int32Array(rows * seqLen), lengths, kinds };
}

async function runProbe(modelPath: string, sources: EmbeddingSources, clsOnly: boolean, batch: BatchInput): Promise<BatchVectors> {
  const pool = await SessionPool.start({ modelPath, threads: 1, executionProviders: ['cpu'], sources, clsOnly }, 1);
  try {
    return await pool.run(batch);
  } finally {
    await pool.close();
  }
}

/** The largest |Δ| over every kind the copy can give, between the full graph and the copy. */
async function probeGap(inspected: InspectResult, copy: string): Promise<number> {
  const { info, modelPath, padId } = inspected;
  const kinds = info.available.filter((k) => k !== 'mean');
  // One session at a time: the probe never holds more than one extra copy of the weights.
  const full = await runProbe(modelPath, info.sources, false, probeBatch(info.maxLength, padId, kinds));
  const cut = await runProbe(copy, info.sources, true, probeBatch(info.maxLength, padId, kinds));
  let gap = 0;
  for (const k of kinds) {
    const a = full[k]?.data;
    const b = cut[k]?.data;
    if (!a || !b || a.length !== b.length) return Infinity;
    for (let i = 0; i < a.length; i++) gap = Math.max(gap, Math.abs(a[i]! - b[i]!));
  }
  return gap;
}

async function derive(inspected: InspectResult, file: string): Promise<Outcome> {
  const blocker = await writeCopy(inspected, file);
  if (blocker) return { used: false, why: blocker };
  let gap: number;
  try {
    gap = await probeGap(inspected, file);
  } catch (err) {
    await fs.rm(file, { force: true });
    return { used: false, why: `the [CLS]-only copy did not run: ${(err as Error).message}` };
  }
  if (!(gap <= PROBE_TOLERANCE)) {
    await fs.rm(file, { force: true });
    return { used: false, why: `the [CLS]-only copy differs from the full graph by ${gap.toExponential(1)} on a probe batch` };
  }
  return {
    used: true,
    why: `equal to the full graph within ${PROBE_TOLERANCE.toExponential(0)} on a probe batch (max |Δ| ${gap.toExponential(1)})`,
  };
}

/**
 * The cached [CLS]-only copy of an inspected model, deriving and checking it the first time;
 * `path: null` with the reason when the full graph must be used.
 */
export async function clsOnlyModel(inspected: InspectResult, cacheDir: string): Promise<ClsOnlyModel> {
  if (!inspected.info.sources.lastHiddenState) return { path: null, why: 'no last hidden state' };
  const paths = derivedPaths(cacheDir, inspected.info.sha256, VARIANT);
  let outcome = await readOutcome(paths.facts);
  if (!outcome || (outcome.used && !(await exists(paths.model)))) {
    try {
      outcome = await derive(inspected, paths.model);
      await writeFileAtomic(paths.facts, JSON.stringify(outcome, null, 2));
    } catch (err) {
      // Nothing recorded: the next start tries again (a full disk may have room by then).
      return { path: null, why: `cannot derive the [CLS]-only copy: ${(err as Error).message}` };
    }
  }
  return outcome.used ? { path: paths.model, why: outcome.why } : { path: null, why: outcome.why };
}
