/**
 * TEST ONLY. Makes this worker process die hard — SIGKILL to itself, no
 * cleanup, the job lock left to expire, like a native crash or an OOM kill —
 * when a chunk holds a row whose text contains `marker`. It exists so tests
 * and the chaos suite can prove poison-row bisection (bisect.ts) with real
 * crashes. Active only when PAIRSCORE_TEST_CRASH_MARKER is set (config.ts);
 * never set it in production.
 */
import type { ChunkJobData } from '../contracts.js';

export function crashIfMarked(rows: ChunkJobData['rows'], marker: string | undefined): void {
  if (!marker) return;
  if (rows.some((r) => (r.premise ?? '').includes(marker) || (r.hypothesis ?? '').includes(marker))) {
    process.kill(process.pid, 'SIGKILL');
  }
}
