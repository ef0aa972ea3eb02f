/**
 * pairscore's own version, read from its package.json when first asked (not at
 * import time). Runs record the version that planned them, so a worker of
 * another version can say which two versions disagree.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function pairscoreVersion(): string {
  if (cached === undefined) {
    // src/version.ts and dist/src/version.js both sit below the package root.
    let dir = path.dirname(fileURLToPath(import.meta.url));
    while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
    try {
      cached = String((JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version ?? 'unknown');
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
