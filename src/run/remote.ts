/**
 * Distributed runs seen from the command line: writing a run's rows to a file
 * in its task's layout (score rows, or a feature file for `train`), and
 * `extract --redis` — submit an extract run, wait for the workers, write the
 * feature file — so a feature file looks the same however it was made.
 */
import type { ExtractRow, RunSpec, ScoreRow } from '../contracts.js';
import type { FeaturesMeta } from '../classify/features-file.js';
import { InputError, RunFailedError } from '../errors.js';
import { createExtractRowWriter, createScoreRowWriter, featuresMeta } from '../report/row-writers.js';
import { fillWhole, type RowWriter } from '../report/writers.js';
import { describeShortfall, runShortfall, type RunShortfall } from './shortfall.js';
import { RunClient, submitRun, type RunStatus, type SubmitOptions, type SubmitResult } from '../queue/index.js';

export function featuresMetaOfRun(spec: RunSpec): FeaturesMeta {
  return featuresMeta(spec.plan, spec.model, spec.input.file);
}

/**
 * Streams every row of a run, in input order, into `out`; returns the row count.
 * Whole or absent: a run that did not give every row (unfinished, cancelled,
 * failed, failed chunks or lost rows) is refused with a RunFailedError naming
 * the shortfall, before any file is opened — unless `partial`, which writes the
 * rows that exist and reports the shortfall to `onShortfall`. An aborted
 * `signal` removes the partial file.
 */
export async function writeRunResults(
  client: RunClient,
  runId: string,
  out: string,
  opts: { format?: string; partial?: boolean; signal?: AbortSignal; onShortfall?: (gap: RunShortfall) => void } = {},
): Promise<number> {
  const { spec } = await client.store.require(runId);
  const gap = runShortfall(await client.status(runId));
  if (gap) {
    if (opts.partial !== true)
      throw new RunFailedError(
        `${describeShortfall(gap)}; nothing written to ${out} (\`pairscore results ${runId} --out FILE --partial\` writes the rows that exist)`,
      );
    opts.onShortfall?.(gap);
  }
  // The run's task decides the row type the store decodes (src/queue/row-codec.ts).
  const writer = (
    spec.plan.task === 'extract'
      ? await createExtractRowWriter(out, featuresMetaOfRun(spec), opts.format)
      : await createScoreRowWriter(out, spec.plan.labels, opts.format)
  ) as RowWriter<ScoreRow | ExtractRow<Float32Array | number[]>>;
  return fillWhole(writer, out, async () => {
    let n = 0;
    for await (const row of client.results(runId, { partial: opts.partial === true })) {
      opts.signal?.throwIfAborted();
      await writer.write(row);
      n++;
    }
    return n;
  });
}

export interface RemoteExtractResult {
  submit: SubmitResult;
  status: RunStatus;
  rowsWritten: number;
}

/** Submits an extract run (or resumes/joins one with the same id), waits, writes `out`. */
export async function runRemoteExtract(
  opts: SubmitOptions & { out: string; format?: string; onStatus?: (s: RunStatus) => void; timeoutMs?: number; signal?: AbortSignal },
): Promise<RemoteExtractResult> {
  const submit = await submitRun({ ...opts, task: 'extract' });
  // The wait and the export ride out a Redis restart, up to timeoutMs.
  const client = await RunClient.open(opts, { waitThroughOutages: true });
  try {
    const { spec } = await client.store.require(submit.runId);
    if (spec.plan.task !== 'extract')
      throw new InputError(`run '${submit.runId}' is a ${spec.plan.task} run, not an extract run; use another --run-id`);
    const status = await client.wait(submit.runId, {
      ...(opts.onStatus ? { onStatus: opts.onStatus } : {}),
      ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const rowsWritten =
      status.state !== 'completed'
        ? 0
        : await writeRunResults(client, submit.runId, opts.out, {
            ...(opts.format ? { format: opts.format } : {}),
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
    return { submit, status, rowsWritten };
  } finally {
    await client.close();
  }
}
