/**
 * A throw-away deployment for the distributed CLI tests: a temp dir with a
 * `demo` model under models/, generated pairs, a unique key prefix and the
 * environment every worker and command of the test runs with.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './cli.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from './redis.js';

export interface Deployment {
  dir: string;
  prefix: string;
  env: NodeJS.ProcessEnv;
  /** The generated pairs (JSONL). */
  pairs: string;
  /** Deletes the prefix's keys and the temp dir. */
  tearDown(): Promise<void>;
}

export async function setUpDeployment(
  label: string,
  opts: { size: 'tiny' | 'mini'; count: number; seed: number; env?: NodeJS.ProcessEnv },
): Promise<Deployment> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pairscore-${label}-`));
  const prefix = uniquePrefix(label);
  const env: NodeJS.ProcessEnv = {
    REDIS_URL,
    PAIRSCORE_PREFIX: prefix,
    PAIRSCORE_MODELS_ROOT: path.join(dir, 'models'),
    PAIRSCORE_CACHE_DIR: path.join(dir, 'cache'),
    PAIRSCORE_THREADS: '1',
    PAIRSCORE_LOG_LEVEL: 'warn',
    ...opts.env,
  };
  const pairs = path.join(dir, 'pairs.jsonl');
  for (const args of [
    ['make-model', '--size', opts.size, '--head', 'seqcls', '--out', path.join(dir, 'models', 'demo')],
    ['generate', '--count', String(opts.count), '--seed', String(opts.seed), '--out', pairs],
  ]) {
    const r = await runCli(args, env);
    assert.equal(r.code, 0, r.stderr);
  }
  return {
    dir,
    prefix,
    env,
    pairs,
    async tearDown() {
      await cleanPrefix(prefix);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
