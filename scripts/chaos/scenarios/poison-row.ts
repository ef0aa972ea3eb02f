/**
 * A row that crashes every worker that scores it (the test crash-marker hook,
 * PAIRSCORE_TEST_CRASH_MARKER): the chunk must be bisected until only that row is an
 * error row (src/queue/bisect.ts).
 */
import type { Scenario } from '../harness.js';

const MARKER = 'CHAOS-POISON-ROW';
const POISON_INDEX = 1234;

export const poisonRow: Scenario = {
  name: 'poison-row', rows: 3000, workers: 3, lockMs: 5000, errorRows: 1,
  workerEnv: { PAIRSCORE_TEST_CRASH_MARKER: MARKER },
  input: (f) => f.pairsWithMarker(3000, POISON_INDEX, MARKER),
  async inject() {
    // The fault is in the data.
  },
};
