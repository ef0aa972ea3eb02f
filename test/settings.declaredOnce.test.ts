/**
 * Every setting is declared once (src/settings.ts): no command declares a table flag by hand, and
 * every environment variable the code or the README names is in the table — or is one of the few
 * that belong to something else (the compose file, the test harness), listed here with why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { SETTINGS, type Setting } from '../src/settings.js';
import { repoRoot } from './helpers/shared.js';

const settings: Setting[] = Object.values(SETTINGS);
const tableFlags = new Set(settings.flatMap((s) => (s.flag ? [s.flag.split(' ')[0]!] : [])));
const tableVars = new Set(settings.flatMap((s) => (s.env ? [s.env] : [])));

/** Variables that are not pairscore settings. */
const NOT_SETTINGS: Record<string, string> = {
  PAIRSCORE_DASHBOARD_PORT: 'docker-compose.yml: the host port it publishes the dashboard on',
  PAIRSCORE_GPU_BATCH_TOKENS: 'docker-compose.yml: passed to worker-gpu as --batch-tokens',
  REDIS_MAXMEMORY: "docker-compose.yml: the Redis container's maxmemory",
  PAIRSCORE_REQUIRE_SHARED: 'test harness (.ci/run): a missing ../shared fails instead of skipping',
  PAIRSCORE_REQUIRE_COMPOSE: 'test harness (.ci/run): a missing docker-compose fails instead of skipping',
  PAIRSCORE_SHARED_DIR: 'test harness: where ../shared is',
  PAIRSCORE_TEST_CHROMIUM: 'test harness: the Chromium the browser tests drive',
  PAIRSCORE_KEEP_SCREENSHOTS: 'test harness: keep the browser tests’ screenshots',
};

function filesUnder(dir: string, ext: string): string[] {
  return fs
    .readdirSync(path.join(repoRoot, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.join(e.parentPath, e.name));
}

test('no command declares a flag of the settings table by hand', () => {
  const found: string[] = [];
  for (const file of filesUnder('src', '.ts')) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\.option|\.requiredOption|new Option)\(\s*['"`](--[a-z0-9-]+)/g)) {
      if (tableFlags.has(m[1]!)) found.push(`${path.relative(repoRoot, file)}: ${m[1]}`);
    }
  }
  assert.deepEqual(found, [], 'declare these through settingOption() (src/commands/setting-option.ts)');
});

test('every PAIRSCORE_*/REDIS_* variable named in the code or the docs is in the table', () => {
  const sources = [
    ...filesUnder('src', '.ts'),
    ...filesUnder('workers', '.ts'),
    path.join(repoRoot, 'README.md'),
    path.join(repoRoot, 'docker-compose.yml'),
    path.join(repoRoot, 'Dockerfile'),
  ];
  const unknown = new Set<string>();
  for (const file of sources) {
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/\b(?:PAIRSCORE|REDIS)_[A-Z][A-Z0-9_]*\b/g)) {
      const name = m[0];
      if (!tableVars.has(name) && !(name in NOT_SETTINGS)) unknown.add(`${name} (${path.relative(repoRoot, file)})`);
    }
  }
  assert.deepEqual([...unknown], []);
});

test('no module but src/config.ts reads process.env', () => {
  const readers = [...filesUnder('src', '.ts'), ...filesUnder('workers', '.ts')]
    .filter((f) => !f.endsWith(path.join('src', 'config.ts')))
    .filter((f) => /process\.env\b/.test(fs.readFileSync(f, 'utf8')));
  assert.deepEqual(
    readers.map((f) => path.relative(repoRoot, f)),
    [],
  );
});
