/** Every Redis key and queue name of a deployment, built only here. */
/**
 * Redis names of one deployment. The prefix is written as a hash tag, so every
 * key of every queue and run lands in one Redis Cluster slot (BullMQ's Lua
 * scripts and our multi-key reads need that).
 */
export function redisNames(prefix: string) {
  const tag = `{${prefix}}`;
  const run = (runId: string) => `${tag}:run:${runId}`;
  return {
    /** BullMQ `prefix` option. */
    bullPrefix: tag,
    scoreQueue: 'score',
    aggregateQueue: 'aggregate',
    /** BullMQ's event stream of the score queue (its `completed` events carry each chunk's summary; the report reads them). */
    scoreEvents: `${tag}:score:events`,
    /** BullMQ's delayed set of the score queue (parked chunks and retry delays wait there; tests read it). */
    scoreDelayed: `${tag}:score:delayed`,
    /** A chunk's job; `part` names a half of a bisected chunk (`a`, `a-b`, …): `run-<id>-chunk-<n>-a-b`. */
    chunkJobId: (runId: string, chunk: number, part?: string) => `run-${runId}-chunk-${chunk}${part ? `-${part}` : ''}`,
    sealJobId: (runId: string) => `run-${runId}-seal`,
    aggregateJobId: (runId: string) => `run-${runId}-aggregate`,
    /** Hash: spec (JSON), state, chunksAdded, startedAt, finishedAt, result (JSON), retries (count of `retry`). */
    runMeta: (runId: string) => `${run(runId)}:meta`,
    /** Hash: row index → result row (src/queue/row-codec.ts; one field per input row). */
    runRows: (runId: string) => `${run(runId)}:rows`,
    /** Set of worker ids that processed chunks of the run. */
    runWorkers: (runId: string) => `${run(runId)}:workers`,
    /** Hash: job id of a one-row suspect chunk → times it started alone and never finished (bisect.ts). */
    runCrashes: (runId: string) => `${run(runId)}:crashes`,
    /** Hash: job id of a chunk a worker parked (its run paused) → `<attemptsMade>:<parked until, ms>` (run-control.ts). */
    runParked: (runId: string) => `${run(runId)}:parked`,
    /**
     * Hash: a `retry` under way — `gen` (the run's retries count it made), `from` (the state it had) and one field per
     * chunk job it re-adds (job id → JSON data and attempts). Written before the old jobs go; deleted once the new
     * flow is in Redis or the run ends (retry-record.ts).
     */
    runRetry: (runId: string) => `${run(runId)}:retry`,
    /** String with a short expiry: the `retry` working on the run holds it (retry-record.ts). */
    runRetryLease: (runId: string) => `${run(runId)}:retry-lease`,
    /** Stream: one entry each time the run ends (RunStore.finish); `wait` blocks on it instead of polling (client.ts). */
    runEnded: (runId: string) => `${run(runId)}:ended`,
    /** Every key of a run, for expiry after completion. */
    runKeys: (runId: string) => [
      `${run(runId)}:meta`,
      `${run(runId)}:rows`,
      `${run(runId)}:workers`,
      `${run(runId)}:crashes`,
      `${run(runId)}:parked`,
      `${run(runId)}:retry`,
      `${run(runId)}:ended`,
    ],
    /**
     * Set once (never expires) when the deployment first submits: a run id that is
     * missing while this marker is missing too means Redis lost its data (src/queue/lost.ts).
     */
    deploymentMarker: `${tag}:deployment`,
    /** Sorted set of run ids by creation time. */
    runs: `${tag}:runs`,
    /** Sorted set: worker id → last heartbeat (ms). */
    workers: `${tag}:workers`,
    /** Hash: worker id → JSON WorkerInfo (host, pid, device, execution providers, onnxruntime version). */
    workerInfo: `${tag}:worker-info`,
    /** String with a short TTL: a worker's probe write while Redis refuses writes (queue/write-guard.ts). */
    writeProbe: (workerId: string) => `${tag}:write-probe:${workerId}`,
  };
}
export type RedisNames = ReturnType<typeof redisNames>;
