/**
 * The eviction check reads `maxmemory_policy` from INFO (as BullMQ does), so it still works
 * where CONFIG is blocked, as managed Redis services do (here: a private redis-server with
 * `--rename-command CONFIG ""`). When it cannot tell, it warns instead of passing silently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../src/errors.js';
import { checkEvictionPolicy, connectRedis, evictionVerdict, parseMaxmemoryPolicy } from '../src/queue/redis.js';
import { runCli } from './helpers/cli.js';
import { startPrivateRedis, uniquePrefix } from './helpers/redis.js';

const NO_CONFIG = ['--rename-command', 'CONFIG', ''];

/** A private Redis with these arguments, connected (worker role: no INFO-based ready check). */
async function withRedis(
  args: string[],
  fn: (redis: Awaited<ReturnType<typeof connectRedis>>, url: string) => Promise<void>,
): Promise<void> {
  const server = await startPrivateRedis(args);
  const redis = await connectRedis({ url: server.url }, 'worker');
  try {
    await fn(redis, server.url);
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

test('parseMaxmemoryPolicy reads the field from INFO text (CRLF lines), undefined when absent', () => {
  const info =
    '# Memory\r\nused_memory:1041344\r\nmaxmemory:0\r\nmaxmemory_human:0B\r\nmaxmemory_policy:allkeys-lru\r\nallocator_frag_ratio:1.00\r\n';
  assert.equal(parseMaxmemoryPolicy(info), 'allkeys-lru');
  assert.equal(parseMaxmemoryPolicy('# Memory\nmaxmemory_policy:noeviction\n'), 'noeviction');
  assert.equal(parseMaxmemoryPolicy('# Memory\r\nused_memory:1041344\r\nmaxmemory:0\r\n'), undefined);
  assert.equal(parseMaxmemoryPolicy(''), undefined);
});

test('evictionVerdict: warns when the policy is unknown, refuses an evicting one, passes noeviction', () => {
  const url = 'redis://:secret@cache.example:6379';
  const warning = evictionVerdict(undefined, url);
  assert.match(warning ?? '', /could not check the eviction policy .*no maxmemory_policy.*noeviction/);
  assert.doesNotMatch(warning ?? '', /secret/);
  assert.throws(
    () => evictionVerdict('volatile-lru', url),
    (err: Error) => err instanceof InputError && /maxmemory-policy volatile-lru/.test(err.message),
  );
  assert.equal(evictionVerdict('noeviction', url), undefined);
});

test('a Redis that blocks CONFIG and evicts keys (allkeys-lru) is still refused', async () => {
  await withRedis([...NO_CONFIG, '--maxmemory-policy', 'allkeys-lru'], async (redis, url) => {
    await assert.rejects(redis.config('GET', 'maxmemory-policy'), /unknown command/, 'CONFIG is really blocked');
    await assert.rejects(
      checkEvictionPolicy(redis, url),
      (err: Error) => err instanceof InputError && /maxmemory-policy allkeys-lru/.test(err.message),
    );
  });
});

test('a Redis that blocks CONFIG with noeviction passes without a warning', async () => {
  await withRedis(NO_CONFIG, async (redis, url) => {
    assert.equal(await checkEvictionPolicy(redis, url), undefined);
  });
});

test('a Redis that refuses INFO gives a warning, not a silent pass', async () => {
  await withRedis(['--rename-command', 'INFO', '', '--maxmemory-policy', 'allkeys-lru'], async (redis, url) => {
    assert.match((await checkEvictionPolicy(redis, url)) ?? '', /could not check the eviction policy .*INFO refused/);
  });
});

test('submit exits 2 on a Redis that blocks CONFIG and evicts keys', async () => {
  const server = await startPrivateRedis([...NO_CONFIG, '--maxmemory-policy', 'allkeys-lru']);
  try {
    // The check comes before the input or the model is read, so neither needs to exist.
    const r = await runCli(['submit', 'missing.jsonl', '--model', 'demo', '--redis', server.url, '--prefix', uniquePrefix('evict')]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /maxmemory-policy allkeys-lru.*CONFIG SET maxmemory-policy noeviction/);
  } finally {
    await server.stop();
  }
});
