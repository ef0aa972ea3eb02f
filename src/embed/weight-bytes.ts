/**
 * What one session's weights take, for the memory budget of the session layout: the model file,
 * plus the external data files it names (a large export keeps its weights beside a small
 * model.onnx, so the file alone would let the layout start far more sessions than fit).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeModel } from './onnx-model.js';

/** A model.onnx above this is read as single-file: decoding it only to find no external data costs seconds. */
const DECODE_LIMIT = 64 * 1024 * 1024;

/** The external data files `model` names (relative to its folder), once each. */
export function externalDataFiles(modelBytes: Uint8Array): string[] {
  const files = new Set<string>();
  for (const t of decodeModel(modelBytes).graph?.initializer ?? []) {
    const location = t.externalData?.find((e) => e.key === 'location')?.value;
    if (location) files.add(location);
  }
  return [...files];
}

export async function weightBytes(modelPath: string): Promise<number> {
  const size = (await fs.stat(modelPath)).size;
  if (size > DECODE_LIMIT) return size;
  let extra = 0;
  for (const file of externalDataFiles(await fs.readFile(modelPath))) {
    // A missing file is the runtime's to report when the session loads; here it weighs nothing.
    extra += await fs.stat(path.join(path.dirname(modelPath), file)).then(
      (s) => s.size,
      () => 0,
    );
  }
  return size + extra;
}
