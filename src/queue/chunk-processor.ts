/**
 * The `score` queue's job handler: validate the payload, read the run spec,
 * score the rows with the shared pipeline, write them with one idempotent
 * operation, return a small summary. Error classes decide retries: bad data
 * or a model that does not fit fail the chunk for good (UnrecoverableError);
 * anything else is retried by BullMQ.
 */
import { UnrecoverableError, type Job } from 'bullmq';
import { chunkJobSchema, type ChunkJobData, type ChunkSummary, type IngestRow, type RunSpec } from '../contracts.js';
import { InputError, ModelError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RunStore } from './run-store.js';
import type { Scorer } from '../pipeline.js';

/** Gives the scorer for a run (StageCache in workers; a no-op one to measure queue overhead). */
export interface ScorerProvider {
  scorerFor(spec: RunSpec): Promise<Scorer>;
  close(): Promise<void>;
}

export interface ChunkProcessorDeps {
  store: RunStore;
  stages: ScorerProvider;
  workerId: string;
  log: Logger;
}

/** Job rows are IngestRows flattened by JSON; rebuild the union. */
function toIngestRow(r: ChunkJobData['rows'][number]): IngestRow {
  const gold = r.gold !== undefined ? { gold: r.gold } : {};
  if (r.error !== undefined) return { index: r.index, id: r.id, error: r.error, ...gold };
  return { index: r.index, id: r.id, premise: r.premise ?? '', hypothesis: r.hypothesis ?? '', ...gold };
}

/** Maps a stage error to what BullMQ should do with it. */
export function toJobError(err: unknown): Error {
  if (err instanceof InputError || err instanceof ModelError) return new UnrecoverableError(err.message);
  return err instanceof Error ? err : new Error(String(err));
}

export function createChunkProcessor(deps: ChunkProcessorDeps): (job: Job) => Promise<ChunkSummary | 'sealed'> {
  const specs = new Map<string, RunSpec>();
  const specFor = async (runId: string): Promise<RunSpec> => {
    let spec = specs.get(runId);
    if (!spec) {
      spec = (await deps.store.require(runId)).spec;
      specs.set(runId, spec);
      if (specs.size > 64) specs.delete(specs.keys().next().value!);
    }
    return spec;
  };

  return async (job) => {
    if (job.name === 'seal') return 'sealed';
    const parsed = chunkJobSchema.safeParse(job.data);
    if (!parsed.success) {
      throw new UnrecoverableError(`chunk job ${job.id} has invalid data: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    const { runId, chunk, rows } = parsed.data;
    const start = performance.now();
    const log = deps.log.child({ run: runId, chunk });
    try {
      const spec = await specFor(runId);
      if ((await deps.store.beginChunk(runId, deps.workerId)) === 'cancelled') {
        return { chunk, rows: 0, errors: 0, ms: 0, worker: deps.workerId, skipped: 'cancelled' };
      }
      const scorer = await deps.stages.scorerFor(spec);
      const out = await scorer.scoreChunk(rows.map(toIngestRow));
      await deps.store.writeRows(runId, out);
      const errors = out.reduce((n, r) => n + (r.error !== undefined ? 1 : 0), 0);
      const summary: ChunkSummary = { chunk, rows: out.length, errors, ms: Math.round(performance.now() - start), worker: deps.workerId };
      // Progress is informational: never fail or delay a scored chunk over it.
      job.updateProgress({ rows: out.length, errors }).catch(() => undefined);
      log.debug(summary, 'chunk scored');
      return summary;
    } catch (err) {
      const jobErr = toJobError(err);
      log.warn({ err: jobErr.message, final: jobErr instanceof UnrecoverableError, attempt: job.attemptsMade + 1 }, 'chunk failed');
      throw jobErr;
    }
  };
}
