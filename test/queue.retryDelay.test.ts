/**
 * Retry delays by cause: infrastructure faults back off over minutes with jitter,
 * host problems come back within seconds so another host can take the chunk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffStrategy, chunkRetryOptions, retryDelay } from '../src/queue/retry-policy.js';
import { HostError, RetryableError, WritesRefusedError } from '../src/errors.js';
import { loadConfig } from '../src/config.js';

const policy = { baseMs: 5000, maxMs: 300000 };

test('the default policy spends 5 to 10 minutes over 8 attempts on an infrastructure fault, each delay in [d/2, d]', () => {
  const config = loadConfig({}, {});
  assert.deepEqual([config.retryAttempts, config.retryBaseMs, config.retryMaxMs], [8, 5000, 300000]);
  const err = new WritesRefusedError('Redis refused writes: OOM');
  const nominal = [5000, 10000, 20000, 40000, 80000, 160000, 300000];
  const low = nominal.map((_, i) => retryDelay(policy, i + 1, err, () => 0));
  const high = nominal.map((_, i) => retryDelay(policy, i + 1, err, () => 1));
  assert.deepEqual(high, nominal);
  assert.deepEqual(
    low,
    nominal.map((d) => d / 2),
  );
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  assert.ok(sum(low) >= 5 * 60000 && sum(high) <= 11 * 60000, `${sum(low)}..${sum(high)} ms`);
  assert.equal(
    retryDelay(policy, 30, new RetryableError('x'), () => 1),
    300000,
    'capped',
  );
  assert.equal(
    retryDelay(policy, 1, new Error('unknown'), () => 1),
    5000,
    'unknown errors count as infrastructure',
  );
});

test('jitter spreads the retries of chunks that failed together', () => {
  const strategy = backoffStrategy(policy);
  const delays = new Set(Array.from({ length: 50 }, () => strategy(3, 'custom', new RetryableError('Redis unreachable'))));
  assert.ok(delays.size > 40, `only ${delays.size} distinct delays`);
  for (const d of delays) assert.ok(d >= 10000 && d <= 20000, String(d));
});

test('host problems retry within seconds whatever the infrastructure policy', () => {
  const err = new HostError('on h: model missing');
  assert.equal(
    retryDelay(policy, 1, err, () => 1),
    1000,
  );
  assert.equal(
    retryDelay(policy, 10, err, () => 1),
    30000,
  );
});

test('chunk jobs select the custom strategy with the configured attempts', () => {
  assert.deepEqual(chunkRetryOptions(8), { attempts: 8, backoff: { type: 'custom' } });
  assert.equal(loadConfig({}, { PAIRSCORE_RETRY_ATTEMPTS: '3', PAIRSCORE_RETRY_BASE_MS: '100' }).retryBaseMs, 100);
  assert.throws(() => loadConfig({}, { PAIRSCORE_RETRY_ATTEMPTS: '0' }), /retryAttempts \(PAIRSCORE_RETRY_ATTEMPTS\)/);
});
