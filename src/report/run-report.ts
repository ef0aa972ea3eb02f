/**
 * The report of a distributed run, read from Redis: the metrics the aggregate job stored, the
 * most confident errors from the run's rows (streamed in input order, constant memory), its
 * workers and its failed chunks with their reasons. Used by `submit --wait --report` (which also
 * knows the input file, for the errors' sentences) and `report RUN --redis`.
 */
import type { FailedChunk } from '../contracts.js';
import { InputError } from '../errors.js';
import type { ColumnOptions } from '../ingest/index.js';
import type { QueueTarget } from '../queue/index.js';
import { attachTexts, ConfidentErrors, type ReportData } from './report-data.js';
import { readChunkCompletions, throughputOf, type Throughput } from './run-throughput.js';

export interface RunSection {
  runId: string;
  state: string;
  lostRows: number;
  failedChunks: FailedChunk[];
  workers: Array<{ id: string; host?: string; device?: string | null; alive: boolean }>;
  /** Pairs/s per worker over time (run-throughput.ts), when the queue's event stream still has the chunks. */
  throughput: Throughput | null;
  /** Chunks the run had, to say whether the chart covers them all. */
  chunks: number;
}

export async function reportFromRun(
  target: QueueTarget,
  runId: string,
  opts: { input?: string; columns?: ColumnOptions } = {},
): Promise<ReportData> {
  // The queue code loads only when a run is asked for, as the CLI's other remote paths do.
  const { getRunStatus, readResults } = await import('../queue/index.js');
  const status = await getRunStatus(target, runId);
  const metrics = status.result?.metrics;
  if (!metrics) throw new InputError(`run '${runId}' has no metrics yet (state ${status.state}); a report needs a finished score run`);
  const confident = new ConfidentErrors();
  for await (const row of readResults(target, runId, { partial: true })) if ('probs' in row || 'label' in row) confident.add(row);
  const errors = confident.list();
  if (opts.input !== undefined) await attachTexts(errors, opts.input, opts.columns);
  return {
    title: `Run ${runId}`,
    context: { source: `run ${runId} (prefix ${target.prefix})`, ...(opts.input !== undefined ? { input: opts.input } : {}) },
    metrics,
    errors,
    run: {
      runId,
      state: status.state,
      lostRows: status.result?.lostRows ?? 0,
      failedChunks: status.result?.failedChunks ?? [],
      workers: status.workersSeen.map((w) => ({
        id: w.id,
        alive: w.alive,
        ...(w.info ? { host: w.info.host, device: w.info.device } : {}),
      })),
      throughput: throughputOf(await readChunkCompletions(target, runId)),
      chunks: status.chunks,
    },
  };
}
