/** Each connection error ioredis reports gets a message naming the fix; outages stay retryable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainRedisError } from '../src/queue/redis-errors.js';

const err = (message: string, code?: string) => Object.assign(new Error(message), code ? { code } : {});
const plain = { url: 'redis://:hunter2@db.example:6379', tls: false, caGiven: false, certGiven: false };
const tls = { ...plain, url: 'rediss://db.example:6380', tls: true };

test('passwords: WRONGPASS and NOAUTH are permanent, say how to give one, never echo it', () => {
  const wrong = explainRedisError(err('WRONGPASS invalid username-password pair or user is disabled.'), plain)!;
  assert.equal(wrong.permanent, true);
  assert.match(wrong.message, /refused the password \(WRONGPASS\).*REDIS_PASSWORD/);
  assert.doesNotMatch(wrong.message, /hunter2/);
  assert.match(explainRedisError(err('NOAUTH Authentication required.'), plain)!.message, /requires a password \(NOAUTH\)/);
});

test('certificates: untrusted, wrong CA, expired, hostname mismatch, client certificate required', () => {
  assert.match(
    explainRedisError(err('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'), tls)!.message,
    /does not trust .*--redis-ca FILE/,
  );
  assert.match(
    explainRedisError(err('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'), { ...tls, caGiven: true })!.message,
    /not signed by the CA in --redis-ca/,
  );
  assert.match(explainRedisError(err('certificate has expired', 'CERT_HAS_EXPIRED'), tls)!.message, /expired or not yet valid/);
  assert.match(
    explainRedisError(err("Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'), tls)!.message,
    /not for db\.example \(hostname mismatch/,
  );
  const mtls = explainRedisError(err('tlsv13 alert certificate required', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), tls)!;
  assert.equal(mtls.permanent, true);
  assert.match(mtls.message, /--redis-cert FILE and --redis-key FILE/);
  assert.match(
    explainRedisError(err('tlsv1 alert unknown ca', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), { ...tls, certGiven: true })!.message,
    /rejected the client certificate/,
  );
});

test('wrong protocol either way; outages are not permanent', () => {
  assert.match(explainRedisError(err('read ECONNRESET', 'ECONNRESET'), plain)!.message, /use rediss:\/\/ \(wrong protocol\)/);
  assert.match(
    explainRedisError(err('wrong version number', 'ERR_SSL_WRONG_VERSION_NUMBER'), tls)!.message,
    /does not speak TLS on this port.*redis:\/\//,
  );
  assert.match(explainRedisError(err('connect ETIMEDOUT', 'ETIMEDOUT'), tls)!.message, /use redis:\/\/ \(wrong protocol\)/);
  for (const [e, ctx] of [
    [err('connect ECONNREFUSED 127.0.0.1:6379', 'ECONNREFUSED'), plain],
    [err('getaddrinfo ENOTFOUND db.example', 'ENOTFOUND'), plain],
    [err('read ECONNRESET', 'ECONNRESET'), plain],
  ] as const) {
    assert.equal(explainRedisError(e, ctx)!.permanent, false, e.message);
  }
  assert.equal(explainRedisError(err('something else'), plain), undefined);
});
