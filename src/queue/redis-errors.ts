/**
 * Why a Redis connection failed, in words that name the fix.
 *
 * ioredis rejects every failed connect with `Connection is closed.`; the real cause
 * (WRONGPASS, NOAUTH, a TLS verification code, a reset socket) arrives earlier as an
 * 'error' event. `connectRedis` keeps those events and asks `explainRedisError` for a
 * message. Password, certificate and wrong-scheme problems are configuration: no retry
 * can fix them, so they are `permanent` and end even a worker's retry-forever connect.
 */
import { redactUrl } from './redis.js';

export interface ConnectionContext {
  url: string;
  /** The connection uses TLS (rediss://). */
  tls: boolean;
  /** A CA file was given (--redis-ca / REDIS_CA_FILE). */
  caGiven: boolean;
  /** A client certificate was given (--redis-cert / REDIS_CERT_FILE). */
  certGiven: boolean;
}

export interface ExplainedError {
  /** Permanent ones read as a sentence; the others start `Redis at URL: …` and read after "cannot reach ". */
  message: string;
  /** Configuration, not an outage: retrying cannot help. */
  permanent: boolean;
}

/** Node's codes for a server certificate it could not verify against its CAs. */
const UNTRUSTED_CERT = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
]);
const EXPIRED_CERT = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);

const CA_FIX = 'give the CA that signed it with --redis-ca FILE (or REDIS_CA_FILE)';
const PASSWORD_FIX = 'put it in the URL (redis://:PASSWORD@host:port, user too: redis://USER:PASSWORD@host:port) or set REDIS_PASSWORD';

/**
 * A message for one ioredis error event, or undefined when the raw message is as good
 * as any (the caller then keeps it).
 */
export function explainRedisError(err: Error & { code?: string }, ctx: ConnectionContext): ExplainedError | undefined {
  const at = `Redis at ${redactUrl(ctx.url)}`;
  const msg = err.message ?? '';
  const code = err.code ?? '';
  if (msg.startsWith('WRONGPASS') || /invalid password|invalid username-password/i.test(msg)) {
    return { permanent: true, message: `${at} refused the password (WRONGPASS): check the password; ${PASSWORD_FIX}` };
  }
  if (msg.startsWith('NOAUTH')) {
    return { permanent: true, message: `${at} requires a password (NOAUTH) and none was given: ${PASSWORD_FIX}` };
  }
  if (UNTRUSTED_CERT.has(code)) {
    const why = ctx.caGiven ? 'is not signed by the CA in --redis-ca (REDIS_CA_FILE)' : 'is signed by a CA this machine does not trust';
    return { permanent: true, message: `${at}: its TLS certificate ${why} (${code}): ${CA_FIX}` };
  }
  if (EXPIRED_CERT.has(code)) {
    return { permanent: true, message: `${at}: its TLS certificate is expired or not yet valid (${code}): renew the server certificate` };
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const host = safeHost(ctx.url);
    return {
      permanent: true,
      message: `${at}: its TLS certificate is not for ${host} (hostname mismatch: ${msg}); connect with a host name or IP the certificate lists, or reissue the certificate for ${host}`,
    };
  }
  // OpenSSL alerts while the handshake runs: the server wants a client certificate (mTLS).
  if (/certificate required|alert bad certificate|alert unknown ca|CERTIFICATE_REQUIRED|BAD_CERTIFICATE/i.test(`${code} ${msg}`)) {
    const fix = ctx.certGiven
      ? 'the server rejected the client certificate in --redis-cert: use one signed by a CA the server trusts (its tls-ca-cert-file)'
      : 'the server requires a client certificate (tls-auth-clients): give --redis-cert FILE and --redis-key FILE (or REDIS_CERT_FILE / REDIS_KEY_FILE)';
    return { permanent: true, message: `${at} refused the TLS handshake (${code || msg}): ${fix}` };
  }
  if (ctx.tls && (/wrong version number|packet length too long|unknown protocol/i.test(msg) || code === 'ERR_SSL_WRONG_VERSION_NUMBER')) {
    return {
      permanent: true,
      message: `${at} does not speak TLS on this port (${code || msg}): use redis:// for a plain port, or the server's tls-port`,
    };
  }
  if (ctx.tls && code === 'ETIMEDOUT') {
    return {
      permanent: false,
      message: `${at}: no TLS handshake before the timeout (ETIMEDOUT): if this port serves plain Redis use redis:// (wrong protocol); else check the host and firewall`,
    };
  }
  // With TLS 1.3 the server checks the client certificate after the client's handshake is
  // done, so its alert can lose the race with our first write's reset.
  if (ctx.tls && !ctx.certGiven && (code === 'ECONNRESET' || code === 'EPIPE')) {
    return {
      permanent: false,
      message: `${at}: the TLS connection was closed at once (${code}): if it requires a client certificate (tls-auth-clients), give --redis-cert FILE and --redis-key FILE (or REDIS_CERT_FILE / REDIS_KEY_FILE)`,
    };
  }
  if (!ctx.tls && (code === 'ECONNRESET' || code === 'EPIPE')) {
    return {
      permanent: false,
      message: `${at}: the connection was closed at the first command (${code}): if the port serves TLS use rediss:// (wrong protocol), with --redis-ca FILE for a private CA`,
    };
  }
  if (code === 'ECONNREFUSED')
    return { permanent: false, message: `${at}: nothing listens there (ECONNREFUSED): is Redis running, and is the port right?` };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return { permanent: false, message: `${at}: unknown host (${code}): check the host name in the URL` };
  return undefined;
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return 'the host';
  }
}
