/**
 * What one session's weights take, for the memory budget of the session layout: the model file,
 * plus the external data files it names (a large export keeps its weights beside a small
 * model.onnx, so the file alone would let the layout start far more sessions than fit). The
 * names are read once, when inspect.ts decodes the graph, and cached with its facts.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ModelProto } from './onnx-model.js';

/** The external data files `model` names (relative to its folder), once each. */
export function externalDataFiles(model: ModelProto): string[] {
  const files = new Set<string>();
  for (const t of model.graph?.initializer ?? []) {
    const location = t.externalData?.find((e) => e.key === 'location')?.value;
    if (location) files.add(location);
  }
  return [...files];
}

/** The model file's size plus its external data files' (`files` relative to its folder). */
export async function weightBytes(modelPath: string, files: readonly string[]): Promise<number> {
  let bytes = (await fs.stat(modelPath)).size;
  for (const file of files) {
    // A missing file is the runtime's to report when the session loads; here it weighs nothing.
    bytes += await fs.stat(path.join(path.dirname(modelPath), file)).then(
      (s) => s.size,
      () => 0,
    );
  }
  return bytes;
}
