/**
 * Real Redis for tests: REDIS_URL (default redis://127.0.0.1:6379), a unique
 * key prefix per test, and cleanup of that prefix's keys only. Tests that need
 * a Redis with other settings start their own redis-server on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { deletePrefixKeys } from '../../src/queue/redis.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(label: string): string {
  return `pstest-${label}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key of `{prefix}` (hash-tagged, as pairscore writes them). */
export async function cleanPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  await deletePrefixKeys({ url }, prefix);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** A private redis-server on a free port (nothing on disk); `stop()` shuts it down. */
export async function startPrivateRedis(extraArgs: string[] = []): Promise<{ url: string; port: number; proc: ChildProcess; stop: () => Promise<void> }> {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    port,
    proc,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}
