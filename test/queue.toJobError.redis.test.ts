/**
 * Every error class maps to one decision for BullMQ: final (UnrecoverableError)
 * or retried, with host problems naming the host.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { toJobError } from '../src/queue/job-errors.js';
import { Redis } from 'ioredis';
import { HostError, InputError, ModelError, RetryableError, WritesRefusedError } from '../src/errors.js';
import { startPrivateRedis } from './helpers/redis.js';

const HOST = 'host-a-123-abc';
const final = (e: Error) => e instanceof UnrecoverableError || e.name === 'UnrecoverableError';

test('bad data, a run that does not fit its model, an invalid payload and corrupt JSON fail for good', () => {
  for (const err of [new InputError('empty premise'), new ModelError('head does not fit')]) {
    const out = toJobError(err, HOST);
    assert.ok(final(out), err.name);
    assert.equal(out.message, err.message);
  }
  const zod = z.object({ runId: z.string() }).safeParse({ runId: 3 });
  assert.ok(!zod.success);
  const invalid = toJobError(zod.error, HOST);
  assert.ok(final(invalid));
  assert.match(invalid.message, /^invalid data: runId:/);
  let syntax: unknown;
  try {
    JSON.parse('{not json');
  } catch (e) {
    syntax = e;
  }
  assert.ok(final(toJobError(syntax, HOST)));
  const already = new UnrecoverableError('x');
  assert.equal(toJobError(already, HOST), already);
});

test('host problems are retried with the host named; infrastructure and unknown errors are retried, a lost Redis connection named as such', () => {
  const host = toJobError(new HostError("model 'demo' is not in the models root"), HOST);
  assert.ok(!final(host));
  assert.ok(host instanceof HostError);
  assert.equal(host.message, `on ${HOST}: model 'demo' is not in the models root`);
  const retry = new RetryableError('inference failed: CUDA out of memory');
  assert.equal(toJobError(retry, HOST), retry);
  const closed = toJobError(new Error('Connection is closed.'), HOST);
  assert.ok(closed instanceof RetryableError && !final(closed));
  assert.equal(closed.message, 'Redis unreachable: Connection is closed.');
  const thrown = toJobError('a string', HOST);
  assert.ok(thrown instanceof Error && !final(thrown));
  assert.equal(thrown.message, 'a string');
});

const servers: Array<{ stop: () => Promise<void> }> = [];
after(async () => {
  for (const s of servers) await s.stop();
});

test('Redis refusing writes is retried and named by its cause: OOM behind EXECABORT, in a script, in a plain write; READONLY', async () => {
  // Real replies from a real redis-server over maxmemory, not hand-made errors.
  const srv = await startPrivateRedis();
  servers.push(srv);
  const r = new Redis(srv.url);
  try {
    await r.set('k', 'v');
    await r.config('SET', 'maxmemory', '1');
    const replies: unknown[] = [];
    await r
      .multi()
      .hget('h', '1')
      .hset('h', '1', 'x')
      .exec()
      .catch((e: unknown) => replies.push(e));
    await r.eval("redis.call('GET', 'k') return redis.call('SET', 'b', '1')", 0).catch((e: unknown) => replies.push(e));
    await r.hset('h', '1', 'x').catch((e: unknown) => replies.push(e));
    assert.equal(replies.length, 3);
    assert.match((replies[0] as Error).message, /^EXECABORT/);
    for (const reply of replies) {
      const out = toJobError(reply, HOST);
      assert.ok(out instanceof WritesRefusedError && !final(out), String(reply));
      assert.equal(out.message, "Redis refused writes: OOM command not allowed when used memory > 'maxmemory'.");
    }
    await r.config('SET', 'maxmemory', '0');
  } finally {
    r.disconnect();
  }
  const readonly = toJobError(
    Object.assign(new Error("READONLY You can't write against a read only replica."), { name: 'ReplyError' }),
    HOST,
  );
  assert.ok(readonly instanceof WritesRefusedError);
  assert.match(readonly.message, /^Redis refused writes: READONLY/);
  const other = new Error('WRONGTYPE Operation against a key holding the wrong kind of value');
  assert.equal(toJobError(other, HOST), other, 'a reply that is not an outage is left as it is');
});
