/** `make-model --head base` works from the CLI (a default `--labels` once made it fail); `--labels` with it is refused. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-makemodel-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('make-model --head base writes a model with last_hidden_state and pooler_output; with --labels it exits 2', async () => {
  const out = path.join(dir, 'base');
  const r = await runCli(['make-model', '--size', 'tiny', '--head', 'base', '--out', out], {
    PAIRSCORE_CACHE_DIR: path.join(dir, 'cache'),
  });
  assert.equal(r.code, 0, r.stderr);
  const inspect = await runCli(['inspect', out, '--json'], { PAIRSCORE_CACHE_DIR: path.join(dir, 'cache') });
  assert.equal(inspect.code, 0, inspect.stderr);
  assert.match(inspect.stdout, /last_hidden_state/);
  assert.match(inspect.stdout, /pooler_output/);
  const bad = await runCli(['make-model', '--head', 'base', '--labels', '3', '--out', path.join(dir, 'bad')]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /labels and labelNames apply to head seqcls only/);
});
