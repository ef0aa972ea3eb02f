/**
 * inspectModel: what a model directory holds and where each embedding kind comes from.
 *
 * Reads model.onnx + config.json (+ tokenizer_config.json when present), locates the
 * sources by walking the graph (locate-sources.ts) and, when some are inner tensors,
 * writes a derived copy with them as extra outputs to `${cacheDir}/derived/<sha256>.onnx`.
 * The graph facts are cached next to it (`<sha256>.json`), and the model's sha256 is
 * remembered by file identity (sha256FileCached: path, inode, size, mtime, ctime), so a
 * second call on an unchanged model reads two small files instead of hashing hundreds of MB.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { EMBEDDING_KINDS, type EmbeddingKind, type EmbeddingSources, type ModelInfo } from '../contracts.js';
import { ModelError } from '../errors.js';
import { addGraphOutputs, derivedPaths, exists, writeDerivedModel } from './derived-model.js';
import { writeFileAtomic } from '../report/atomic-file.js';
import { locateSources, type LocatedSources } from './locate-sources.js';
import { decodeModel, usesExternalData, type ModelProto } from './onnx-model.js';
import { sha256FileCached } from '../sha256-file.js';
import { externalDataFiles } from './weight-bytes.js';
import { quantizedOpCount, quantMetadata } from './quantize.js';

export interface InspectOptions {
  cacheDir: string;
}

export interface InspectResult {
  info: ModelInfo;
  /** The file to load: the user's model.onnx, or the derived copy when outputs were exposed. */
  modelPath: string;
  /** Padding token id (config.json pad_token_id, default 0). */
  padId: number;
  /** External data files the user's model.onnx names, relative to its folder (weight-bytes.ts); a derived copy has none. */
  externalDataFiles: string[];
}

/** Graph facts cached per sha256; bump FACTS_VERSION when locate-sources changes. */
const FACTS_VERSION = 3;
interface GraphFacts {
  version: number;
  inputs: string[];
  outputs: string[];
  exposed: string[];
  sources: EmbeddingSources;
  notes: string[];
  numLabels?: number;
  pooledDim?: number;
  /** External data files model.onnx names (its weights' size counts them: weight-bytes.ts). */
  externalData: string[];
}

type Json = Record<string, unknown>;

async function readJson(file: string, required: boolean): Promise<Json | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ModelError(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    const v: unknown = JSON.parse(text);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v as Json;
  } catch (err) {
    throw new ModelError(`cannot parse ${file}: ${(err as Error).message}`, { cause: err });
  }
}

function positiveInt(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
}

function labelsFrom(config: Json, numLabels: number | undefined): string[] {
  const raw = config.id2label;
  if (raw && typeof raw === 'object') {
    const entries = Object.entries(raw as Record<string, unknown>)
      .map(([k, v]) => [Number(k), String(v)] as const)
      .filter(([k]) => Number.isInteger(k) && k >= 0)
      .sort((a, b) => a[0] - b[0]);
    const labels: string[] = [];
    for (const [k, v] of entries) labels[k] = v;
    if (labels.length > 0) return Array.from(labels, (l, i) => l ?? `LABEL_${i}`);
  }
  return numLabels ? Array.from({ length: numLabels }, (_, i) => `LABEL_${i}`) : [];
}

async function statDir(dir: string): Promise<void> {
  try {
    const st = await fs.stat(dir);
    if (!st.isDirectory()) throw new ModelError(`model path is not a directory: ${dir}`);
  } catch (err) {
    if (err instanceof ModelError) throw err;
    throw new ModelError(`model directory not found: ${dir}`, { cause: err });
  }
}

async function loadFacts(file: string): Promise<GraphFacts | undefined> {
  try {
    const facts = JSON.parse(await fs.readFile(file, 'utf8')) as GraphFacts;
    return facts.version === FACTS_VERSION ? facts : undefined;
  } catch {
    return undefined;
  }
}

async function computeFacts(modelFile: string, derivedFile: string, hiddenSize: number | undefined): Promise<GraphFacts> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(modelFile);
  } catch (err) {
    throw new ModelError(`cannot read ${modelFile}: ${(err as Error).message}`, { cause: err });
  }
  let model;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new ModelError(`${modelFile} is not a valid ONNX model: ${(err as Error).message}`, { cause: err });
  }
  const graph = model.graph;
  if (!graph) throw new ModelError(`${modelFile} has no graph`);
  const initNames = new Set((graph.initializer ?? []).map((t) => t.name));
  const located: LocatedSources = locateSources(model, hiddenSize !== undefined ? { hiddenSize } : {});
  const quantNote = quantizationNote(model);
  if (quantNote) located.notes.unshift(quantNote);
  const facts: GraphFacts = {
    version: FACTS_VERSION,
    inputs: (graph.input ?? []).map((i) => i.name ?? '').filter((n) => n && !initNames.has(n)),
    outputs: (graph.output ?? []).map((o) => o.name ?? ''),
    exposed: located.expose.map((e) => e.name),
    sources: located.sources,
    notes: located.notes,
    externalData: externalDataFiles(model),
  };
  if (located.numLabels !== undefined) facts.numLabels = located.numLabels;
  if (located.pooledDim !== undefined) facts.pooledDim = located.pooledDim;
  if (located.expose.length > 0) {
    if (usesExternalData(model)) {
      throw new ModelError(
        `${modelFile} keeps its weights in external data files; exposing ${facts.exposed.join(', ')} ` +
          'needs a single-file model (re-export without external data, or export with these outputs)',
      );
    }
    addGraphOutputs(model, located.expose);
    try {
      await writeDerivedModel(model, derivedFile);
    } catch (err) {
      throw new ModelError(`cannot write derived model ${derivedFile}: ${(err as Error).message}`, { cause: err });
    }
  }
  return facts;
}

/** 'quantized: …' when the model holds int8 linear ops (a `pairscore quantize` output or another tool's). */
function quantizationNote(model: ModelProto): string | undefined {
  const meta = quantMetadata(model);
  if (meta) {
    return `quantized: ${meta.method}, ${meta.rewritten} linear ops → ${meta.op}, weights ${meta.weights} (${meta.tool}; fp32 source sha256 ${meta.source_sha256.slice(0, 12)}…)`;
  }
  const ops = quantizedOpCount(model);
  return ops > 0 ? `quantized: ${ops} quantized linear ops (not marked by pairscore quantize)` : undefined;
}

function availableKinds(sources: EmbeddingSources): EmbeddingKind[] {
  return EMBEDDING_KINDS.filter((k) =>
    k === 'cls' || k === 'mean' ? !!sources.lastHiddenState : k === 'pooled' ? !!sources.pooled : !!sources.logits,
  );
}

export async function inspectModel(dir: string, opts: InspectOptions): Promise<InspectResult> {
  const absDir = path.resolve(dir);
  await statDir(absDir);
  const modelFile = path.join(absDir, 'model.onnx');
  if (!(await exists(modelFile))) throw new ModelError(`model file not found: ${modelFile}`);
  const config = (await readJson(path.join(absDir, 'config.json'), true))!;
  const tokConfig = (await readJson(path.join(absDir, 'tokenizer_config.json'), false)) ?? {};
  const configHidden = positiveInt(config.hidden_size) ?? positiveInt(config.dim) ?? positiveInt(config.d_model);

  let sha256: string;
  try {
    sha256 = await sha256FileCached(modelFile, opts.cacheDir);
  } catch (err) {
    throw new ModelError(`cannot read ${modelFile}: ${(err as Error).message}`, { cause: err });
  }
  const paths = derivedPaths(opts.cacheDir, sha256);
  let facts = await loadFacts(paths.facts);
  if (!facts || (facts.exposed.length > 0 && !(await exists(paths.model)))) {
    facts = await computeFacts(modelFile, paths.model, configHidden);
    try {
      await writeFileAtomic(paths.facts, JSON.stringify(facts, null, 2));
    } catch (err) {
      throw new ModelError(`cannot write ${paths.facts}: ${(err as Error).message}`, { cause: err });
    }
  }

  const numLabels = facts.numLabels ?? 0;
  const id2label = labelsFrom(config, numLabels);
  const maxPos = positiveInt(config.max_position_embeddings);
  const tokMax = positiveInt(tokConfig.model_max_length);
  // tokenizer_config often says 1e30 ("no limit"); RoBERTa's positions are offset by 2 (514 → 512).
  const posLimit = maxPos !== undefined && config.model_type === 'roberta' ? maxPos - 2 : maxPos;
  const limits = [posLimit, tokMax !== undefined && tokMax < 1_000_000 ? tokMax : undefined].filter((v): v is number => v !== undefined);
  const info: ModelInfo = {
    dir: absDir,
    sha256,
    inputs: facts.inputs,
    outputs: facts.outputs,
    exposed: facts.exposed,
    hiddenSize: configHidden ?? facts.pooledDim ?? 0,
    numLabels: numLabels || id2label.length,
    id2label,
    maxLength: limits.length > 0 ? Math.min(...limits) : 512,
    available: availableKinds(facts.sources),
    sources: facts.sources,
    notes: facts.notes,
  };
  const padId = typeof config.pad_token_id === 'number' ? config.pad_token_id : 0;
  const derived = facts.exposed.length > 0;
  return { info, modelPath: derived ? paths.model : modelFile, padId, externalDataFiles: derived ? [] : facts.externalData };
}
