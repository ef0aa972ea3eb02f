/**
 * Every connection problem gets its own message naming the fix (not ioredis'
 * `Connection is closed.`): wrong / missing password on a private redis-server with
 * requirepass; on a TLS-only one: CA given → works, CA missing → certificate message,
 * redis:// to the TLS port → wrong protocol, mTLS with a client certificate. Through the
 * CLI too: exit 2, no "Unhandled error event", no DEP0123 for rediss://127.0.0.1.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { connectRedis, redisOptions } from '../src/queue/redis.js';
import { InputError, RetryableError } from '../src/errors.js';
import { startPrivateRedis } from './helpers/redis.js';
import { makeTlsFiles, opensslUnavailable, startTlsRedis, type TlsFiles } from './helpers/tls.js';
import { runCli } from './helpers/cli.js';
import os from 'node:os';
import path from 'node:path';
import type { IngestRow } from '../src/contracts.js';
import { silentLogger } from '../src/log.js';
import { makeModel } from '../src/modelgen/index.js';
import { writeSyntheticPairs } from '../src/synthetic/write.js';
import { RunClient, startWorker, submitRun } from '../src/queue/index.js';

async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    const r = await p;
    (r as { disconnect?: () => void }).disconnect?.();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the connection to fail');
}

function cleanOutput(stderr: string): void {
  assert.doesNotMatch(stderr, /Unhandled error event/);
  assert.doesNotMatch(stderr, /DEP0123/);
  assert.doesNotMatch(stderr, /Connection is closed/);
  assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
}

describe('password', () => {
  let server: Awaited<ReturnType<typeof startPrivateRedis>>;
  before(async () => {
    server = await startPrivateRedis(['--requirepass', 's3cret']);
  });
  after(async () => server.stop());

  test('the right password connects', async () => {
    const r = await connectRedis({ url: server.url, password: 's3cret' }, 'client');
    assert.equal(await r.ping(), 'PONG');
    r.disconnect();
  });

  test('a wrong password: WRONGPASS, how to give it, never the password; workers stop too', async () => {
    for (const role of ['client', 'worker'] as const) {
      const err = await failure(connectRedis({ url: `redis://:nope@127.0.0.1:${server.port}` }, role));
      assert.ok(err instanceof InputError, `${role}: ${err.message}`);
      assert.match(err.message, /refused the password \(WRONGPASS\).*REDIS_PASSWORD/);
      assert.doesNotMatch(err.message, /nope/);
    }
  });

  test('no password: NOAUTH and how to give one', async () => {
    const err = await failure(connectRedis({ url: server.url }, 'client'));
    assert.ok(err instanceof InputError, err.message);
    assert.match(err.message, /requires a password \(NOAUTH\).*REDIS_PASSWORD/);
  });

  test('the CLI: exit 2, one clear line', async () => {
    const r = await runCli(['status', '--redis', `redis://:nope@127.0.0.1:${server.port}`, '--prefix', 'pstest-conn']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /WRONGPASS/);
    cleanOutput(r.stderr);
  });
});

describe('TLS', () => {
  const skip = opensslUnavailable();
  let files: TlsFiles | undefined;
  let plain: { port: number; stop: () => Promise<void> } | undefined;
  let mtls: { port: number; stop: () => Promise<void> } | undefined;
  let unavailable = skip;
  before(async () => {
    if (skip) return;
    files = makeTlsFiles();
    const a = await startTlsRedis(files, false);
    const b = await startTlsRedis(files, true);
    if ('failed' in a) unavailable = `redis-server cannot serve TLS here (built without TLS?): ${a.failed}`;
    else plain = a;
    if (!('failed' in b)) mtls = b;
  });
  after(async () => {
    await plain?.stop();
    await mtls?.stop();
    if (files) fs.rmSync(files.dir, { recursive: true, force: true });
  });
  const tlsTest = (name: string, fn: () => Promise<void>) =>
    test(name, async (t) => {
      if (unavailable) return t.skip(unavailable);
      await fn();
    });

  tlsTest('no SNI for an IP host (DEP0123), SNI for a name', async () => {
    assert.equal((redisOptions({ url: 'rediss://127.0.0.1:1' }, 'client').tls as { servername?: string }).servername, undefined);
    assert.equal((redisOptions({ url: 'rediss://localhost:1' }, 'client').tls as { servername?: string }).servername, 'localhost');
  });

  tlsTest('--redis-ca: the CA given connects (IP and host name)', async () => {
    for (const host of ['127.0.0.1', 'localhost']) {
      const r = await connectRedis({ url: `rediss://${host}:${plain!.port}`, tls: { ca: files!.ca } }, 'client');
      assert.equal(await r.ping(), 'PONG');
      r.disconnect();
    }
  });

  tlsTest('the CA missing or wrong: a certificate message naming --redis-ca', async () => {
    const missing = await failure(connectRedis({ url: `rediss://127.0.0.1:${plain!.port}` }, 'worker'));
    assert.ok(missing instanceof InputError, missing.message);
    assert.match(missing.message, /TLS certificate is signed by a CA this machine does not trust.*--redis-ca/);
    const wrong = await failure(connectRedis({ url: `rediss://127.0.0.1:${plain!.port}`, tls: { ca: files!.otherCa } }, 'client'));
    assert.match(wrong.message, /not signed by the CA in --redis-ca/);
  });

  tlsTest('redis:// to the TLS port: wrong protocol, use rediss://', async () => {
    const err = await failure(connectRedis({ url: `redis://127.0.0.1:${plain!.port}` }, 'client'));
    assert.ok(err instanceof RetryableError || err instanceof InputError, err.message);
    assert.match(err.message, /use rediss:\/\/ \(wrong protocol\)/);
  });

  tlsTest('a TLS file that cannot be read, or TLS files with redis://: InputError naming the flag', async () => {
    assert.throws(
      () => redisOptions({ url: 'rediss://127.0.0.1:1', tls: { ca: '/nonexistent/ca.pem' } }, 'client'),
      /--redis-ca \/nonexistent\/ca.pem: cannot read it \(ENOENT\)/,
    );
    assert.throws(() => redisOptions({ url: 'redis://127.0.0.1:1', tls: { ca: files!.ca } }, 'client'), /need a TLS URL: use rediss:\/\//);
    assert.throws(() => redisOptions({ url: 'rediss://127.0.0.1:1', tls: { cert: files!.clientCert } }, 'client'), /go together/);
  });

  tlsTest('mTLS: a client certificate connects; none → a message naming --redis-cert/--redis-key', async (): Promise<void> => {
    assert.ok(mtls, 'the mTLS server started');
    const r = await connectRedis(
      { url: `rediss://127.0.0.1:${mtls.port}`, tls: { ca: files!.ca, cert: files!.clientCert, key: files!.clientKey } },
      'client',
    );
    assert.equal(await r.ping(), 'PONG');
    r.disconnect();
    const err = await failure(connectRedis({ url: `rediss://127.0.0.1:${mtls.port}`, tls: { ca: files!.ca } }, 'client'));
    assert.match(err.message, /--redis-cert FILE and --redis-key FILE/);
  });

  tlsTest('the CLI: --redis-ca works without DEP0123; without it exit 2 and one line', async () => {
    const url = `rediss://127.0.0.1:${plain!.port}`;
    const ok = await runCli(['status', '--redis', url, '--redis-ca', files!.ca, '--prefix', 'pstest-conn']);
    assert.equal(ok.code, 0, ok.stderr);
    cleanOutput(ok.stderr);
    const viaEnv = await runCli(['status', '--prefix', 'pstest-conn'], {
      REDIS_URL: `rediss://127.0.0.1:${mtls!.port}`,
      REDIS_CA_FILE: files!.ca,
      REDIS_CERT_FILE: files!.clientCert,
      REDIS_KEY_FILE: files!.clientKey,
    });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    const bad = await runCli(['status', '--redis', url, '--prefix', 'pstest-conn']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--redis-ca/);
    cleanOutput(bad.stderr);
  });

  tlsTest('a whole run over mTLS: submit, a worker (BullMQ blocking connections included), status', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-mtls-'));
    const redis = { url: `rediss://127.0.0.1:${mtls!.port}`, tls: { ca: files!.ca, cert: files!.clientCert, key: files!.clientKey } };
    const target = { redis, prefix: 'mtls' };
    const modelsRoot = path.join(dir, 'models');
    await makeModel({ outDir: path.join(modelsRoot, 'demo'), size: 'tiny', head: 'seqcls' });
    const input = path.join(dir, 'pairs.jsonl');
    await writeSyntheticPairs(input, 300);
    const worker = await startWorker({
      ...target,
      modelsRoot,
      cacheDir: path.join(dir, 'cache'),
      concurrency: 2,
      threads: 1,
      sessions: 1,
      batchTokens: 1024,
      device: 'cpu',
      log: silentLogger(),
      stages: {
        runnerFor: async () => async (rows: readonly IngestRow[]) => rows.map((r) => ({ index: r.index, id: r.id, label: 'A' })),
        close: async () => undefined,
      },
    });
    const client = await RunClient.open(target);
    try {
      await submitRun({
        ...target,
        input,
        model: 'demo',
        modelsRoot,
        cacheDir: path.join(dir, 'cache'),
        keepSeconds: 600,
        chunkSize: 50,
        runId: 'tls-1',
      });
      const s = await client.wait('tls-1', { timeoutMs: 30000, intervalMs: 100 });
      assert.equal(s.state, 'completed');
      assert.equal(s.done, 300);
    } finally {
      await client.close();
      await worker.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
