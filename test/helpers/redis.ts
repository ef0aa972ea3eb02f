/**
 * Real Redis for tests: REDIS_URL (default redis://127.0.0.1:6379), a unique
 * key prefix per test, and cleanup of that prefix's keys only. Tests that need
 * a Redis with other settings start their own redis-server on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { deletePrefixKeys } from '../../src/queue/redis.js';
import { freePort } from '../../scripts/chaos/redis.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uniquePrefix(label: string): string {
  return `pstest-${label}-${randomBytes(4).toString('hex')}`;
}

/** Deletes every key of `{prefix}` (hash-tagged, as pairscore writes them). */
export async function cleanPrefix(prefix: string, url = REDIS_URL): Promise<void> {
  await deletePrefixKeys({ url }, prefix);
}

// One free-port finder for the tests and the chaos suite's Redis launcher.
export { freePort };

export interface PrivateRedis {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Shuts it down (SIGTERM) and waits for the exit. */
  stop: () => Promise<void>;
  /** Kills it (default SIGKILL: a crash) and waits for the exit. */
  kill: (signal?: NodeJS.Signals) => Promise<void>;
  /** Starts it again on the same port and data dir (AOF replayed when `dataDir` was given). */
  restart: () => Promise<void>;
}

async function listening(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/**
 * A private redis-server on a free port (or `port`), nothing on disk unless `dataDir`
 * is given: then AOF with fsync on every write, so a kill -9 and `restart()` keep every
 * acknowledged write (a Redis restart as the fault injection did it).
 */
export async function startPrivateRedis(extraArgs: string[] = [], opts: { port?: number; dataDir?: string } = {}): Promise<PrivateRedis> {
  const port = opts.port ?? (await freePort());
  const persistence = opts.dataDir ? ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', opts.dataDir] : ['--appendonly', 'no'];
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence, ...extraArgs];
  const server: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    proc: undefined as unknown as ChildProcess,
    stop: () => server.kill('SIGTERM'),
    kill: (signal = 'SIGKILL') =>
      new Promise<void>((resolve) => {
        const proc = server.proc;
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
    restart: async () => {
      server.proc = spawn('redis-server', args, { stdio: 'ignore' });
      for (let i = 0; i < 200 && !(await listening(port)); i++) await new Promise((r) => setTimeout(r, 50));
    },
  };
  await server.restart();
  return server;
}
