/**
 * The chaos suite's fast case in `npm test`: one worker SIGKILLed mid-run (the suite
 * runs ×5 at size, `npm run chaos`). Same harness: real worker processes, a private
 * redis-server with AOF, the export accounted row by row against a local baseline.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { prepareFixtures, runScenario, type Fixtures } from '../scripts/chaos/harness.js';
import { killWorkers } from '../scripts/chaos/scenarios/worker-faults.js';

let fixtures: Fixtures | undefined;
before(async () => {
  fixtures = await prepareFixtures({ size: 'mini', rows: 3000 });
});
after(() => fixtures?.close());

test('kill -9 of a worker mid-run: every row exactly once, run completed', { timeout: 120000 }, async () => {
  const r = await runScenario(fixtures!, killWorkers('kill9-worker-x1', 1, 3000));
  assert.ok(r.passed, `${r.line}\n${r.notes.join('\n')}`);
  assert.deepEqual(
    { ok: r.ok, lost: r.lost, duplicated: r.duplicated, unexpected: r.unexpected, errorRows: r.errorRows },
    { ok: 3000, lost: 0, duplicated: 0, unexpected: 0, errorRows: 0 },
  );
});
