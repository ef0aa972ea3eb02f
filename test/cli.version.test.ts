/** `pairscore --version` / `-V`: prints package.json's version and exits 0 (commander's exit mapped in src/cli.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from './helpers/cli.js';
import { repoRoot } from './helpers/shared.js';
import { pairscoreVersion } from '../src/version.js';

test('--version and -V print the package version and exit 0', async () => {
  const expected = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  assert.equal(pairscoreVersion(), expected);
  for (const flag of ['--version', '-V']) {
    const r = await runCli([flag]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), expected);
  }
});
