/**
 * ../shared holds test models and SICK data on developer and CI machines only.
 * Tests that need it call `sharedPath()` and skip with a clear message when absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, from either test/helpers (tsx) or dist/test/helpers (compiled). */
export const repoRoot: string = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

const sharedRoot = path.resolve(repoRoot, '..', 'shared');

/** Absolute path inside ../shared, or undefined when ../shared (or that file) is missing. */
export function sharedPath(...parts: string[]): string | undefined {
  const p = path.join(sharedRoot, ...parts);
  return fs.existsSync(p) ? p : undefined;
}

export const SHARED_MISSING = `../shared is absent (expected at ${sharedRoot}); this test needs its models/data and is skipped`;
