/**
 * RunStore.writeMissingRows writes error rows for failed chunks through a pipeline,
 * whose replies carry each command's error: a Redis refusing writes must fail the
 * call (the aggregate job is then retried by cause), never count as "already there".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startPrivateRedis } from './helpers/redis.js';
import { RunStore } from '../src/queue/run-store.js';
import { type ResultRow } from '../src/contracts.js';
import { redisNames } from '../src/queue/keys.js';
import type { RowCodec } from '../src/queue/row-codec.js';
import { toJobError } from '../src/queue/job-errors.js';

const codec: RowCodec = {
  encode: (r) => JSON.stringify(r),
  decode: (t) => JSON.parse(t) as ResultRow,
  summary: (t) => JSON.parse(t) as ReturnType<RowCodec['summary']>,
};

test('writeMissingRows fails on a refused write (OOM) instead of counting the rows as present; it writes them once Redis accepts writes', async () => {
  const srv = await startPrivateRedis();
  const redis = new Redis(srv.url);
  try {
    const store = new RunStore(redis, redisNames('wmr'));
    const rows: ResultRow[] = [0, 1, 2].map((i) => ({ index: i, id: String(i), error: 'chunk 0 failed: x' }));
    await redis.config('SET', 'maxmemory', '1');
    const err = await store.writeMissingRows('r1', rows, codec).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof Error, 'a refused write must not pass');
    assert.equal(toJobError(err, 'host').message, "Redis refused writes: OOM command not allowed when used memory > 'maxmemory'.");
    await redis.config('SET', 'maxmemory', '0');
    assert.equal(await store.writeMissingRows('r1', rows, codec), 3);
    assert.equal(await store.writeMissingRows('r1', rows, codec), 0);
  } finally {
    redis.disconnect();
    await srv.stop();
  }
});
