/**
 * Tests that need a live Redis are named *.redis.test.ts (issue 14), so a reader can tell them apart and
 * `npm run test:unit` can run the rest on a machine without Redis. The rule is read from the sources, not
 * from names: a test needs Redis when it imports a Redis client itself (ioredis, bullmq), or imports —
 * directly or through other test/ and scripts/ modules — test/helpers/redis.ts (the shared Redis at
 * REDIS_URL) or a module that starts its own redis-server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './helpers/shared.js';

const testDir = path.join(repoRoot, 'test');
const redisHelper = path.join(testDir, 'helpers', 'redis.ts');
// Imports are followed only through test and script code: src/ connects to whatever URL the test gives it,
// so importing src/queue says nothing about whether a Redis is needed.
const followed = [testDir, path.join(repoRoot, 'scripts')].map((d) => d + path.sep);

/** Module specifiers a source loads at run time (`import type` loads nothing). */
function runtimeImports(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?\bfrom\s+['"]([^'"]+)['"]/gm)) if (!m[1]) specs.push(m[2]!);
  for (const m of source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)) specs.push(m[1]!);
  for (const m of source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) specs.push(m[1]!);
  return specs;
}

/** The .ts source a relative specifier names, when it is test or script code. */
function followedSource(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const file = path.resolve(path.dirname(from), spec).replace(/\.js$/, '.ts');
  return followed.some((d) => file.startsWith(d)) && fs.existsSync(file) ? file : undefined;
}

/** Why `file` needs a Redis server (the chain of imports that reaches one), or undefined when it does not. */
function redisReason(file: string, depth = 0, seen = new Set<string>()): string | undefined {
  if (seen.has(file)) return undefined;
  seen.add(file);
  const rel = path.relative(repoRoot, file);
  if (file === redisHelper) return `${rel} (the shared Redis at REDIS_URL)`;
  const source = fs.readFileSync(file, 'utf8');
  if (/['"]redis-server['"]/.test(source)) return `${rel} starts a redis-server`;
  const specs = runtimeImports(source);
  // A client imported by the test itself connects somewhere; deeper down it may only be a type or a helper.
  const client = depth === 0 ? specs.find((s) => s === 'ioredis' || s === 'bullmq') : undefined;
  if (client) return `${rel} imports ${client}`;
  for (const spec of specs) {
    const dep = followedSource(file, spec);
    const why = dep && redisReason(dep, depth + 1, seen);
    if (why) return `${rel} → ${why}`;
  }
  return undefined;
}

test('a test that needs Redis is named *.redis.test.ts, and a *.redis.test.ts needs Redis', () => {
  const names = fs.readdirSync(testDir).filter((n) => n.endsWith('.test.ts'));
  const wrong: string[] = [];
  let redis = 0;
  for (const name of names) {
    const why = redisReason(path.join(testDir, name));
    const named = name.endsWith('.redis.test.ts');
    if (why) redis++;
    if (why && !named) wrong.push(`test/${name} needs Redis (${why}): rename it to ${name.replace(/\.test\.ts$/, '.redis.test.ts')}`);
    if (!why && named) wrong.push(`test/${name} is named .redis but shows no sign of needing Redis: drop .redis from its name`);
  }
  assert.deepEqual(wrong, []);
  // A rule that matched nothing (or everything) would pass the check above vacuously.
  assert.ok(redis > 0 && redis < names.length, `${redis} of ${names.length} tests need Redis`);
});

test('the rule follows helpers and scripts to the Redis they use, and no further', () => {
  const reason = (rel: string) => redisReason(path.join(repoRoot, rel));
  for (const rel of ['test/helpers/queue-fixture.ts', 'test/helpers/deployment.ts', 'test/helpers/tls.ts', 'scripts/chaos/harness.ts'])
    assert.ok(reason(rel), `${rel} reaches a Redis`);
  for (const rel of ['test/helpers/cli.ts', 'test/helpers/shared.ts', 'scripts/chaos/account.ts'])
    assert.equal(reason(rel), undefined, rel);
});
