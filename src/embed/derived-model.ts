/**
 * Graph surgery output: a copy of the user's model with inner tensors added as
 * graph outputs (and, for runs that read position 0 only, a [CLS]-only copy of
 * that: cls-only-model.ts), written once into the cache and reused (keyed by the
 * sha256 of the user's model.onnx). The user's file is never modified. Writes are atomic
 * (report/atomic-file.ts), so concurrent processes never see a half-written model.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ExposedTensor } from './locate-sources.js';
import { encodeModel, makeTensorValueInfo, type ModelProto } from './onnx-model.js';
import { writeFileAtomic } from '../report/atomic-file.js';

/**
 * Where a derived copy and its facts live: `<sha256>.onnx` for the exposed-outputs copy,
 * `<sha256>.<variant>.onnx` for a further rewrite (cls-only-model.ts), so copies never collide.
 */
export function derivedPaths(cacheDir: string, sha256: string, variant?: string): { model: string; facts: string } {
  const dir = path.join(cacheDir, 'derived');
  const stem = variant ? `${sha256}.${variant}` : sha256;
  return { model: path.join(dir, `${stem}.onnx`), facts: path.join(dir, `${stem}.json`) };
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
