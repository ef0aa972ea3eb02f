/**
 * A library-level fixture for queue tests that drive `submitRun` and
 * `startWorker` in-process: a temp dir with a `demo` model (and optionally a
 * second, different `demo` under other-root), 400 generated pairs, unique key
 * prefixes cleaned at the end.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { startWorker, type SubmitOptions, type WorkerOptions } from '../../src/queue/index.js';
import { openQueues } from '../../src/queue/bull.js';
import { RunStore } from '../../src/queue/run-store.js';
import { StageCache } from '../../src/queue/stage-cache.js';
import type { ChunkRunner, StageProvider } from '../../src/queue/chunk-processor.js';
import type { RunControlDeps } from '../../src/queue/run-control.js';
import type { IngestRow, RunSpec } from '../../src/contracts.js';
import { makeModel } from '../../src/modelgen/index.js';
import { writeSyntheticPairs } from '../../src/synthetic/write.js';
import { silentLogger, type Logger } from '../../src/log.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from './redis.js';

export interface WorkerRoles {
  score?: boolean;
  aggregate?: boolean;
  /** TEST ONLY hook: the first N attempts of each aggregate job fail (src/queue/aggregate-fault-hook.ts). */
  testAggregateFailures?: number;
  /** Default: silent. */
  log?: Logger;
  /** Models folder (default: the fixture's models/). */
  modelsRoot?: string;
  url?: string;
  /** Stages other than the model's own (a test's wrapper around the real ones). */
  stages?: WorkerOptions['stages'];
  /** Retry delays of infrastructure faults (short in tests that retry). */
  retry?: WorkerOptions['retry'];
  concurrency?: number;
}

export class QueueFixture {
  private readonly prefixes: string[] = [];

  private constructor(readonly dir: string) {}

  /** `otherModel`: also write a `demo` with other weights under `otherRoot`. */
  static async create(label: string, opts: { otherModel?: boolean } = {}): Promise<QueueFixture> {
    const f = new QueueFixture(fs.mkdtempSync(path.join(os.tmpdir(), `pairscore-${label}-`)));
    await makeModel({ outDir: path.join(f.modelsRoot, 'demo'), size: 'tiny', head: 'seqcls', seed: 42 });
    if (opts.otherModel) await makeModel({ outDir: path.join(f.otherRoot, 'demo'), size: 'tiny', head: 'seqcls', seed: 43 });
    await writeSyntheticPairs(f.pairs, 400, 5);
    return f;
  }

  get modelsRoot(): string {
    return path.join(this.dir, 'models');
  }

  get otherRoot(): string {
    return path.join(this.dir, 'other-root');
  }

  get pairs(): string {
    return path.join(this.dir, 'pairs.jsonl');
  }

  /** A unique key prefix, cleaned by `tearDown`. */
  prefix(label: string): string {
    const p = uniquePrefix(label);
    this.prefixes.push(p);
    return p;
  }

  submitOpts(prefix: string, extra: Partial<SubmitOptions> = {}): SubmitOptions {
    return {
      redis: { url: REDIS_URL },
      prefix,
      input: this.pairs,
      model: 'demo',
      modelsRoot: this.modelsRoot,
      cacheDir: path.join(this.dir, 'cache'),
      keepSeconds: 3600,
      chunkSize: 50,
      ...extra,
    };
  }

  worker(prefix: string, roles: WorkerRoles = {}) {
    const { modelsRoot = this.modelsRoot, url = REDIS_URL, ...only } = roles;
    return startWorker({
      redis: { url },
      prefix,
      modelsRoot,
      cacheDir: path.join(this.dir, 'cache'),
      concurrency: 2,
      threads: 1,
      sessions: 1,
      batchTokens: 1024,
      device: 'cpu',
      log: silentLogger(),
      ...only,
    });
  }

  /**
   * The worker's real stages (a StageCache as startWorker builds one) with a test's hand on each
   * chunk: `around` runs before a chunk is scored and may hold it or throw, like a fault.
   */
  stagesWith(around: (rows: readonly IngestRow[]) => Promise<void>): StageProvider {
    const real = new StageCache({
      modelsRoot: this.modelsRoot,
      cacheDir: path.join(this.dir, 'cache'),
      threads: 1,
      sessions: 1,
      batchTokens: 1024,
      device: 'cpu',
    });
    return {
      async runnerFor(spec: RunSpec): Promise<ChunkRunner> {
        const run = await real.runnerFor(spec);
        return async (rows) => {
          await around(rows);
          return run(rows);
        };
      },
      close: () => real.close(),
    };
  }

  /** What run-control.ts and retry-run.ts work with, on `prefix`; `close` ends its connections. */
  controlDeps(prefix: string): RunControlDeps & { close: () => Promise<void> } {
    const redis = new Redis(REDIS_URL);
    const queues = openQueues({ url: REDIS_URL }, prefix);
    return {
      redis,
      queues,
      store: new RunStore(redis, queues.names),
      async close() {
        await queues.close();
        redis.disconnect();
      },
    };
  }

  async tearDown(): Promise<void> {
    for (const p of this.prefixes) await cleanPrefix(p);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
