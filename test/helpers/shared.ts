/**
 * ../shared holds test models and SICK data on developer and CI machines only.
 * Tests that need it call `sharedPath()` and skip with a clear message when absent —
 * except with PAIRSCORE_REQUIRE_SHARED=1 (.ci/run sets it under CI=1): there a missing
 * ../shared is a broken CI machine, and `sharedPath()` throws, so the test fails instead
 * of skipping quietly. PAIRSCORE_SHARED_DIR points elsewhere (the switch's own test uses it).
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

const sharedRoot = path.resolve(process.env.PAIRSCORE_SHARED_DIR || path.join(repoRoot, '..', 'shared'));

/** Tests read the environment directly (src goes through src/config.ts); this switch is for tests only. */
const sharedRequired = process.env.PAIRSCORE_REQUIRE_SHARED === '1';

/**
 * Absolute path inside ../shared, or undefined when ../shared (or that file) is missing;
 * throws instead when PAIRSCORE_REQUIRE_SHARED=1.
 */
export function sharedPath(...parts: string[]): string | undefined {
  const p = path.join(sharedRoot, ...parts);
  if (fs.existsSync(p)) return p;
  if (sharedRequired)
    throw new Error(`PAIRSCORE_REQUIRE_SHARED=1 but ${p} is missing: this machine must have ../shared (tests would otherwise skip)`);
  return undefined;
}

export const SHARED_MISSING = `../shared is absent (expected at ${sharedRoot}); this test needs its models/data and is skipped`;
