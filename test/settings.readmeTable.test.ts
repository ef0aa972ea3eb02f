/** The README's settings table is the one rendered from src/settings.ts (`npm run docs:settings` rewrites it). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { README_MARKERS, renderSettingsTable, withSettingsTable } from '../src/settings-doc.js';
import { repoRoot } from './helpers/shared.js';

test('the README settings table matches src/settings.ts', () => {
  const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  assert.ok(readme.includes(README_MARKERS.start) && readme.includes(README_MARKERS.end), 'README lacks the settings markers');
  assert.equal(withSettingsTable(readme), readme, 'README settings table is stale: run npm run docs:settings');
});

test('the table has a row for every setting, PAIRSCORE_LOCK_MS included', () => {
  const table = renderSettingsTable();
  for (const name of [
    'PAIRSCORE_LOCK_MS',
    'PAIRSCORE_TEST_FAIL_MARKER',
    'REDIS_PASSWORD',
    '`--chunk-size <n>`',
    '`--timeout <duration>`',
  ]) {
    assert.ok(table.includes(name), `no row for ${name}`);
  }
});
