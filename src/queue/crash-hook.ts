/**
 * TEST ONLY. Makes this worker process die hard — SIGKILL to itself, no
 * cleanup, the job lock left to expire, like a native crash or an OOM kill —
 * when a chunk holds a row whose text contains `marker`. It exists so tests
 * and the chaos suite can prove poison-row bisection (bisect.ts) with real
 * crashes. Active only when PAIRSCORE_TEST_CRASH_MARKER is set (config.ts);
 * never set it in production.
 */
import type { ChunkJobData } from './schemas.js';
import { InputError } from '../errors.js';

const holds = (rows: ChunkJobData['rows'], marker: string) =>
  rows.some((r) => (r.premise ?? '').includes(marker) || (r.hypothesis ?? '').includes(marker));

export function crashIfMarked(rows: ChunkJobData['rows'], marker: string | undefined): void {
  if (!marker) return;
  if (holds(rows, marker)) process.kill(process.pid, 'SIGKILL');
}

/**
 * TEST ONLY. Fails a chunk for good (an InputError: no retry) on this worker when
 * it holds a row whose text contains `marker` — a chunk that fails while the
 * worker's PAIRSCORE_TEST_FAIL_MARKER says so and scores on a worker without it,
 * so tests can prove `retry` (run-control.ts). Unset — never active — by default.
 */
export function failIfMarked(rows: ChunkJobData['rows'], marker: string | undefined): void {
  if (marker && holds(rows, marker))
    throw new InputError(`TEST ONLY: a row holds the fail marker '${marker}' (PAIRSCORE_TEST_FAIL_MARKER)`);
}
