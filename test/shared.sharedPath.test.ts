/**
 * The CI switch itself: with PAIRSCORE_REQUIRE_SHARED=1 a test that needs a missing ../shared
 * fails; without it the same test skips with its message. A child `node --test` runs a tiny
 * test file written the way the real ones use the helper, against a shared path that does not exist.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const helper = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), 'helpers', 'shared.js')).href;

function runChild(env: Record<string, string>): { code: number | null; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-require-shared-'));
  try {
    const file = path.join(dir, 'needs-shared.test.mjs');
    fs.writeFileSync(
      file,
      [
        "import { test } from 'node:test';",
        `import { SHARED_MISSING, sharedPath } from ${JSON.stringify(helper)};`,
        "const model = sharedPath('models', 'bert-tiny-random');",
        "test('needs ../shared', { skip: model ? false : SHARED_MISSING }, () => {});",
        '',
      ].join('\n'),
    );
    const childEnv: NodeJS.ProcessEnv = { ...process.env, PAIRSCORE_SHARED_DIR: path.join(dir, 'no-such-shared'), ...env };
    if (env.PAIRSCORE_REQUIRE_SHARED === undefined) delete childEnv.PAIRSCORE_REQUIRE_SHARED;
    // Set by the parent's runner; the child would report to it instead of running on its own.
    delete childEnv.NODE_TEST_CONTEXT;
    const r = spawnSync(process.execPath, ['--test', '--test-reporter=tap', file], { env: childEnv, encoding: 'utf8', timeout: 60000 });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('PAIRSCORE_REQUIRE_SHARED=1: a test whose ../shared is missing fails, naming the missing path', () => {
  const r = runChild({ PAIRSCORE_REQUIRE_SHARED: '1' });
  assert.notEqual(r.code, 0, r.out);
  assert.match(r.out, /PAIRSCORE_REQUIRE_SHARED=1 but .*no-such-shared.* is missing/);
  assert.match(r.out, /# fail [1-9]/);
});

test('without the switch the same test skips with its message and the run passes', () => {
  const r = runChild({});
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /# skipped 1/);
  assert.match(r.out, /SKIP .*shared is absent/);
});
