/**
 * Graph surgery output: a copy of the user's model with inner tensors added as
 * graph outputs, written once into the cache and reused (keyed by the sha256 of
 * the user's model.onnx). The user's file is never modified. Writes are atomic
 * (report/atomic-file.ts), so concurrent processes never see a half-written model.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExposedTensor } from './locate-sources.js';
import { encodeModel, makeTensorValueInfo, type ModelProto } from './onnx-model.js';
import { writeFileAtomic } from '../report/atomic-file.js';

export function derivedPaths(cacheDir: string, sha256: string): { model: string; facts: string } {
  const dir = path.join(cacheDir, 'derived');
  return { model: path.join(dir, `${sha256}.onnx`), facts: path.join(dir, `${sha256}.json`) };
}

/** Adds each tensor as a graph output (unless it already is one). Mutates `model`. */
export function addGraphOutputs(model: ModelProto, expose: readonly ExposedTensor[]): void {
  const graph = model.graph;
  if (!graph) return;
  const outputs = (graph.output ??= []);
  const existing = new Set(outputs.map((o) => o.name));
  for (const t of expose) {
    if (existing.has(t.name)) continue;
    outputs.push(makeTensorValueInfo(t.name, t.elemType, t.dims));
    existing.add(t.name);
  }
}

/** Encodes the rewritten model and stores it at `file` (no-op when it already exists). */
export async function writeDerivedModel(model: ModelProto, file: string): Promise<boolean> {
  if (await exists(file)) return false;
  await writeFileAtomic(file, encodeModel(model));
  return true;
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
