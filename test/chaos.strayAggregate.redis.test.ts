/**
 * The chaos suite's fast case in `npm test`: an `aggregate` job added by another
 * program for a live run must not end it early (issue 11, item 5): the aggregator refuses
 * jobs that are not the run's own flow parent (src/queue/aggregator.ts).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { prepareFixtures, runScenario, type Fixtures, type ScenarioResult } from '../scripts/chaos/harness.js';
import { strayAggregate } from '../scripts/chaos/scenarios/stray-jobs.js';

let fixtures: Fixtures | undefined;
let result: ScenarioResult | undefined;
before(async () => {
  fixtures = await prepareFixtures({ size: 'mini', rows: 3000 });
  result = await runScenario(fixtures, { ...strayAggregate, rows: 3000 });
});
after(() => fixtures?.close());

test('a stray aggregate job for a live run: the run still gives every row once', { timeout: 120000 }, async () => {
  const r: ScenarioResult = result!;
  assert.ok(r.passed, `${r.line} — ${r.notes.join('; ')}`);
  assert.deepEqual(
    { ok: r.ok, lost: r.lost, duplicated: r.duplicated, unexpected: r.unexpected, state: r.state },
    { ok: 3000, lost: 0, duplicated: 0, unexpected: 0, state: 'completed' },
  );
});
