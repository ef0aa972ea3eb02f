/**
 * `npm run chaos [-- NAME…]`: every scenario (or the named ones) against real worker
 * processes and a private redis-server with AOF; one result line per scenario, then
 * the notes of the ones that broke their expectation. Exit 1 when any did.
 * About 15 minutes on 2 cores; not part of `npm test` (the fast cases are, as
 * test/chaos.*.redis.test.ts).
 */
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import { prepareFixtures, runScenario, type ScenarioResult } from './harness.js';
import { SCENARIOS } from './scenarios/index.js';

function cpuFlag(): string {
  try {
    return execFileSync('grep', ['-o', '-m1', 'avx512_vnni', '/proc/cpuinfo'], { encoding: 'utf8' }).trim() || 'no avx512_vnni';
  } catch {
    return 'no avx512_vnni';
  }
}

async function main(): Promise<number> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !SCENARIOS.some((s) => s.name === w));
  if (unknown.length) {
    console.error(`unknown scenario(s): ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
    return 2;
  }
  const scenarios = wanted.length ? SCENARIOS.filter((s) => wanted.includes(s.name)) : SCENARIOS;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(
    `chaos: ${new Date().toISOString()}  ${os.cpus()[0]?.model ?? 'cpu'} ×${os.availableParallelism()}  ${cpuFlag()}  node ${process.version}`,
  );
  const fixtures = await prepareFixtures({ size: 'small', rows: Math.max(...SCENARIOS.map((s) => s.rows)), log });
  const results: ScenarioResult[] = [];
  const stop = () => {
    fixtures.close();
    process.exit(130);
  };
  process.once('SIGINT', stop);
  try {
    for (const s of scenarios) {
      log(`chaos: ${s.name} (${s.rows} rows, ${s.workers} workers)…`);
      const r = await runScenario(fixtures, s);
      results.push(r);
      process.stdout.write(`${r.line}${r.skipped ? '' : r.passed ? ' verdict=pass' : ' verdict=FAIL'}\n`);
      for (const n of r.notes) process.stdout.write(`  ${n}\n`);
    }
  } finally {
    fixtures.close();
  }
  const failed = results.filter((r) => !r.passed);
  const skipped = results.filter((r) => r.skipped);
  log(
    `chaos: ${results.length - failed.length - skipped.length} passed, ${failed.length} failed${failed.length ? ` (${failed.map((r) => r.name).join(', ')})` : ''}, ${skipped.length} skipped`,
  );
  return failed.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
