/**
 * Runs name models; each host resolves the name under its own models root.
 * A run can therefore never make a worker read an arbitrary path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError, ModelError } from '../errors.js';

const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function resolveModelDir(modelsRoot: string, name: string): string {
  if (!MODEL_NAME.test(name) || name.includes('..')) {
    throw new InputError(
      `model name '${name}' is not a plain name (letters, digits, . _ -): distributed runs name a folder under --models-root`,
    );
  }
  const dir = path.resolve(modelsRoot, name);
  if (!fs.existsSync(path.join(dir, 'model.onnx'))) {
    throw new ModelError(`model '${name}' is not in the models root ${path.resolve(modelsRoot)} (no ${path.join(dir, 'model.onnx')})`);
  }
  return dir;
}
