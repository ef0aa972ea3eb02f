/**
 * The chaos suite's own redis-server: a private port, AOF (`appendfsync everysec`) in a
 * temp dir, so it can be killed with SIGKILL and restarted on the same port with its
 * data — the way a production Redis with persistence comes back. Never the shared one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { Redis } from 'ioredis';

export class ChaosRedis {
  private proc: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(dir: string): Promise<ChaosRedis> {
    const r = new ChaosRedis(await freePort(), dir);
    await r.launch();
    return r;
  }

  private async launch(): Promise<void> {
    this.proc = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'everysec',
        '--maxmemory-policy',
        'noeviction',
      ],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 200; i++) {
      if (await this.answers()) return;
      await sleep(50);
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  /** PING answered (AOF loaded: a loading server answers LOADING). */
  private async answers(): Promise<boolean> {
    const r = new Redis({
      port: this.port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      enableOfflineQueue: false,
    });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  }

  /** SIGKILL: no shutdown save, whatever AOF everysec had not flushed is gone. */
  async kill9(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGKILL');
    await exited;
  }

  /** Starts again on the same port and dir (reloads the AOF). */
  async restart(): Promise<void> {
    await this.launch();
  }

  /** One command on a short-lived connection (CONFIG SET, INFO…); throws when Redis is down. */
  async command(...args: string[]): Promise<unknown> {
    const r = new Redis({ port: this.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return await r.call(args[0]!, ...args.slice(1));
    } finally {
      r.disconnect();
    }
  }

  /** `used_memory` in bytes, or undefined when Redis does not answer. */
  async usedMemory(): Promise<number | undefined> {
    try {
      const info = String(await this.command('INFO', 'memory'));
      const m = /^used_memory:(\d+)/m.exec(info);
      return m ? Number(m[1]) : undefined;
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((resolve) => p.once('exit', resolve));
    p.kill('SIGTERM');
    await exited;
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

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
