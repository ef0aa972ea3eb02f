/**
 * The `score` queue's job handler: validate the payload, read the run spec,
 * score (or extract) the rows with the shared pipeline, write them with one idempotent
 * operation, return a small summary. Error classes decide retries (`toJobError`).
 */
import { DelayedError, UnrecoverableError, type Job, type Queue } from 'bullmq';
import { type IngestRow, type ResultRow, type RunSpec, type RunState } from '../contracts.js';
import { chunkJobSchema, type ChunkJobData, type ChunkSummary } from './schemas.js';
import { type RedisNames } from './keys.js';
import { crashedRow, crashVerdict, isSuspect, splitChunk } from './bisect.js';
import { SoloGate } from './solo-gate.js';
import { crashIfMarked, failIfMarked } from './crash-hook.js';
import { checkChunkPayload } from './payload-check.js';
import { toJobError } from './job-errors.js';
import type { Logger } from '../log.js';
import type { RunStore } from './run-store.js';
import { rowCodecFor, type RowCodec } from './row-codec.js';
import type { ChunkObserver } from './metrics.js';
import { PARK_MS, parkMark } from './run-control.js';

/**
 * How stale a worker's view of a run's state may be. Reading it for every
 * chunk costs a round trip per job (a third of the queue's per-job cost);
 * at most this long after `cancel`, a worker may still start a chunk, whose
 * rows are then written and ignored.
 */
const STATE_REFRESH_MS = 250;

/** Turns a chunk's rows into the rows its run stores: a Scorer's or an Extractor's chunk function. */
export type ChunkRunner = (rows: readonly IngestRow[]) => Promise<ResultRow[]>;

/** Gives the chunk runner for a run (StageCache in workers; a no-op one to measure queue overhead). */
export interface StageProvider {
  runnerFor(spec: RunSpec): Promise<ChunkRunner>;
  close(): Promise<void>;
}

export interface ChunkProcessorDeps {
  store: RunStore;
  stages: StageProvider;
  workerId: string;
  log: Logger;
  /** Where the halves of a chunk that keeps crashing its workers are added (bisect.ts). */
  scoreQueue: Queue;
  names: RedisNames;
  /** TEST ONLY (crash-hook.ts): die when a row's text contains this. */
  crashMarker?: string | undefined;
  /** TEST ONLY (crash-hook.ts): fail the chunk for good when a row's text contains this. */
  failMarker?: string | undefined;
  /** Told of every chunk written or failed (the worker's Prometheus series, metrics.ts). */
  observer?: ChunkObserver | undefined;
  /** How stale the view of a run's state may be (default STATE_REFRESH_MS; tests widen it to park on a stale view). */
  stateRefreshMs?: number;
}

/** Job rows are IngestRows flattened by JSON; rebuild the union. */
function toIngestRow(r: ChunkJobData['rows'][number]): IngestRow {
  const gold = r.gold !== undefined ? { gold: r.gold } : {};
  if (r.error !== undefined) return { index: r.index, id: r.id, error: r.error, ...gold };
  return { index: r.index, id: r.id, premise: r.premise ?? '', hypothesis: r.hypothesis ?? '', ...gold };
}

export function createChunkProcessor(deps: ChunkProcessorDeps): (job: Job, token?: string) => Promise<ChunkSummary | 'sealed'> {
  const specs = new Map<string, { spec: RunSpec; codec: RowCodec }>();
  const specFor = async (runId: string): Promise<{ spec: RunSpec; codec: RowCodec }> => {
    let entry = specs.get(runId);
    if (!entry) {
      const spec = (await deps.store.require(runId)).spec;
      entry = { spec, codec: rowCodecFor(spec) };
      specs.set(runId, entry);
      if (specs.size > 64) specs.delete(specs.keys().next().value!);
    }
    return entry;
  };
  // One beginChunk per run per STATE_REFRESH_MS, shared by every concurrent job of that run.
  const states = new Map<string, { at: number; state: Promise<RunState | undefined> }>();
  const stateOf = (runId: string): Promise<RunState | undefined> => {
    const now = performance.now();
    const seen = states.get(runId);
    if (seen && now - seen.at < (deps.stateRefreshMs ?? STATE_REFRESH_MS)) return seen.state;
    const state = deps.store.beginChunk(runId, deps.workerId);
    state.catch(() => states.delete(runId));
    states.set(runId, { at: now, state });
    if (states.size > 64) states.delete(states.keys().next().value!);
    return state;
  };

  const gate = new SoloGate();

  return async (job, token) => {
    if (job.name === 'seal') return 'sealed';
    const parsed = chunkJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(
        `chunk job ${job.id} has invalid data: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const { runId, chunk, rows } = parsed.data;
    const start = performance.now();
    const log = deps.log.child({ run: runId, chunk });
    let task: RunSpec['plan']['task'] | 'unknown' = 'unknown';
    // Rows written and the chunk's summary: one info line and the observer, for every path that wrote rows.
    const finished = (summary: ChunkSummary, t: RunSpec['plan']['task']): ChunkSummary => {
      deps.observer?.chunkDone(t, summary.rows, summary.errors, (performance.now() - start) / 1000);
      log.info({ rows: summary.rows, errors: summary.errors, ms: summary.ms, task: t }, 'chunk done');
      return summary;
    };
    try {
      const { spec, codec } = await specFor(runId);
      task = spec.plan.task;
      checkChunkPayload(spec, deps.names, job.id, parsed.data);
      const jobId = job.id ?? '';
      const state = await stateOf(runId);
      if (state === 'cancelled') {
        return { chunk, rows: 0, errors: 0, ms: 0, worker: deps.workerId, skipped: 'cancelled' };
      }
      if (state === 'paused' && token) {
        // Parked, not failed: no attempt used; `resume` promotes it, else it comes back after PARK_MS (run-control.ts).
        const until = Date.now() + PARK_MS;
        await deps.store.markParked(runId, jobId, parkMark(job.attemptsMade, until));
        await job.moveToDelayed(until, token);
        // The state above may be stale: a `resume` may have swept before this park. Then this worker promotes it.
        const fresh = await deps.store.stateOf(runId);
        if (fresh !== 'paused') {
          states.set(runId, { at: performance.now(), state: Promise.resolve(fresh) });
          await job.promote().catch(() => undefined);
        }
        log.debug({ job: job.id, resumed: fresh !== 'paused' }, 'run paused: chunk parked');
        throw new DelayedError();
      }
      const suspect = isSuspect(parsed.data, job.stalledCounter);
      // A lone suspect row counts its own crashes: started alone, never finished.
      const countsCrashes = suspect && rows.length === 1;
      const soloCrashes = countsCrashes && job.stalledCounter > 0 ? await deps.store.soloCrashes(runId, jobId) : 0;
      const verdict = crashVerdict(parsed.data, job.stalledCounter, soloCrashes);
      if (verdict.action === 'split') {
        const split = await splitChunk(deps.scoreQueue, deps.names, job, parsed.data, verdict.crashes);
        log.warn({ job: job.id, crashes: verdict.crashes, halves: split }, 'chunk keeps crashing its workers: split in two');
        return { chunk, rows: 0, errors: 0, ms: Math.round(performance.now() - start), worker: deps.workerId, split };
      }
      if (verdict.action === 'give-up') {
        const out = rows.map((r) => crashedRow(r, verdict.crashes));
        await deps.store.writeRows(runId, out, codec);
        log.error(
          { job: job.id, row: rows[0]!.index, crashes: verdict.crashes },
          'row crashes every worker that scores it: reported as an error row',
        );
        return finished(
          { chunk, rows: out.length, errors: out.length, ms: Math.round(performance.now() - start), worker: deps.workerId },
          spec.plan.task,
        );
      }
      const score = async (): Promise<ResultRow[]> => {
        crashIfMarked(rows, deps.crashMarker);
        failIfMarked(rows, deps.failMarker);
        const run = await deps.stages.runnerFor(spec);
        return run(rows.map(toIngestRow));
      };
      const out = !suspect
        ? await gate.shared(score)
        : await gate.exclusive(async () => {
            if (!countsCrashes) return score();
            await deps.store.countSoloStart(runId, jobId, 1);
            try {
              return await score();
            } finally {
              // Lost only if Redis fails right now; the row then shows one crash too many, never a scored row lost.
              await deps.store.countSoloStart(runId, jobId, -1).catch(() => undefined);
            }
          });
      await deps.store.writeRows(runId, out, codec);
      const errors = out.reduce((n, r) => n + (r.error !== undefined ? 1 : 0), 0);
      const summary: ChunkSummary = { chunk, rows: out.length, errors, ms: Math.round(performance.now() - start), worker: deps.workerId };
      // Progress is informational: never fail or delay a scored chunk over it.
      job.updateProgress({ rows: out.length, errors }).catch(() => undefined);
      return finished(summary, spec.plan.task);
    } catch (err) {
      if (err instanceof DelayedError) throw err;
      const jobErr = toJobError(err, deps.workerId);
      deps.observer?.chunkFailed(task, rows.length, (performance.now() - start) / 1000);
      log.warn({ err, final: jobErr instanceof UnrecoverableError, attempt: job.attemptsMade + 1 }, 'chunk failed');
      throw jobErr;
    }
  };
}
