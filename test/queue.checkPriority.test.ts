/** Run priorities as BullMQ priorities (src/queue/priority.ts): the range, and runs without one last. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BULL_PRIORITY_NONE, bullPriority, checkPriority, PRIORITY_MAX } from '../src/queue/priority.js';
import { InputError } from '../src/errors.js';
import { runSpecSchema } from '../src/contracts.js';

test('checkPriority: 0 and absent mean none; 1…PRIORITY_MAX pass; anything else is an InputError', () => {
  assert.equal(checkPriority(undefined), undefined);
  assert.equal(checkPriority(0), undefined);
  assert.equal(checkPriority(1), 1);
  assert.equal(checkPriority(PRIORITY_MAX), PRIORITY_MAX);
  for (const bad of [-1, 1.5, PRIORITY_MAX + 1, Number.NaN]) assert.throws(() => checkPriority(bad), InputError, String(bad));
});

test('bullPriority: a run without a priority gets the lowest BullMQ accepts, below every --priority', () => {
  assert.equal(bullPriority(1), 1);
  assert.equal(bullPriority(undefined), BULL_PRIORITY_NONE);
  assert.ok(BULL_PRIORITY_NONE > PRIORITY_MAX);
  // BullMQ 6.7 refuses priorities above 2^21 - 1.
  assert.equal(BULL_PRIORITY_NONE, 2 ** 21 - 1);
});

test('the run spec accepts exactly the priorities checkPriority lets through', () => {
  const shape = runSpecSchema.shape.priority;
  assert.ok(shape.safeParse(undefined).success);
  assert.ok(shape.safeParse(PRIORITY_MAX).success);
  assert.ok(!shape.safeParse(0).success);
  assert.ok(!shape.safeParse(PRIORITY_MAX + 1).success);
});
