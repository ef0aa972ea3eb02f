/**
 * Every error class maps to one decision for BullMQ: final (UnrecoverableError)
 * or retried, with host problems naming the host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { toJobError } from '../src/queue/job-errors.js';
import { HostError, InputError, ModelError, RetryableError } from '../src/errors.js';

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

test('host problems are retried with the host named; infrastructure and unknown errors are retried as they are', () => {
  const host = toJobError(new HostError("model 'demo' is not in the models root"), HOST);
  assert.ok(!final(host));
  assert.ok(host instanceof HostError);
  assert.equal(host.message, `on ${HOST}: model 'demo' is not in the models root`);
  const retry = new RetryableError('inference failed: CUDA out of memory');
  assert.equal(toJobError(retry, HOST), retry);
  const redis = new Error('Connection is closed.');
  assert.equal(toJobError(redis, HOST), redis);
  const thrown = toJobError('a string', HOST);
  assert.ok(thrown instanceof Error && !final(thrown));
  assert.equal(thrown.message, 'a string');
});
