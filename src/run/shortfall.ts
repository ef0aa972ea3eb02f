/**
 * What a distributed run lacks for a whole result: rows still missing (the run
 * is unfinished, cancelled or failed) or rows that are error rows of failed
 * chunks and lost rows. `results` writes a run's file only when there is no
 * shortfall, unless --partial.
 */
import type { RunState } from '../contracts.js';
import type { RunStatus } from '../queue/client.js';

export interface RunShortfall {
  runId: string;
  state: RunState;
  /** Input rows. */
  rows: number;
  /** Rows with no result yet (runs that did not complete). */
  missing: number;
  /** Rows of a completed run that are error rows of failed chunks or lost rows. */
  errorRows: number;
  failedChunks: number;
  lostRows: number;
}

/** null when the run completed with a result for every row. */
export function runShortfall(s: RunStatus): RunShortfall | null {
  const r = s.result;
  const completed = s.state === 'completed';
  const lostRows = completed ? (r?.lostRows ?? 0) : 0;
  // A failed chunk whose rows were unknown to the aggregator shows up in lostRows instead.
  const errorRows = completed ? (r?.failedChunks ?? []).reduce((n, f) => n + (f.rows ?? 0), 0) + lostRows : 0;
  if (completed && s.failedChunks === 0 && lostRows === 0) return null;
  return {
    runId: s.runId,
    state: s.state,
    rows: s.rows,
    missing: completed ? 0 : Math.max(0, s.rows - s.done),
    errorRows,
    failedChunks: s.failedChunks,
    lostRows,
  };
}

/** One line; `written` (rows actually written with --partial) makes the missing count exact. */
export function describeShortfall(g: RunShortfall, written?: number): string {
  const n = (v: number) => v.toLocaleString('en-US');
  if (g.state !== 'completed') {
    const missing = written !== undefined ? Math.max(0, g.rows - written) : g.missing;
    return `run ${g.runId} is ${g.state}, not completed: ${n(missing)} of ${n(g.rows)} input rows are missing`;
  }
  const parts = [
    `${g.failedChunks} failed chunk${g.failedChunks === 1 ? '' : 's'}`,
    ...(g.lostRows > 0 ? [`${n(g.lostRows)} lost rows`] : []),
  ];
  return `run ${g.runId} completed with ${parts.join(' and ')}: ${n(g.errorRows)} of ${n(g.rows)} input rows are error rows`;
}
