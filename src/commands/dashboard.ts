/**
 * `pairscore dashboard`: the runs page and bull-board for a fleet's Redis (src/dashboard/).
 * A service like `worker`: SIGINT/SIGTERM close the server and its Redis connections and
 * it exits 0; a close that hangs, or a second signal, ends it with 130/143 (src/errors.ts).
 */
import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '../log.js';
import { exitCodeFor, InterruptedError } from '../errors.js';
import { redisOptionsOn, targetOf, type RedisFlags } from './redis-command.js';
import { say } from './options.js';
import { configFromFlags, settingOption } from './setting-option.js';

/** How long a stopping dashboard waits for its connections to close. */
const CLOSE_MS = 5000;

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('--port must be 0–65535 (0: any free port)');
  return n;
}

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function registerDashboardCommand(program: Command): void {
  redisOptionsOn(
    program
      .command('dashboard')
      .description('serve the runs page (/) and bull-board (/queues) for the runs and queues under --prefix, until SIGINT/SIGTERM')
      .option('--port <port>', 'port to listen on (0: any free port)', port, 8080)
      .option('--host <host>', 'interface to listen on (0.0.0.0 for every interface)', '127.0.0.1')
      .option('--allow-actions', 'let bull-board retry, remove, pause and add jobs (default: read-only)')
      .addOption(settingOption('logLevel')),
  ).action(async (f: RedisFlags & { port: number; host: string; allowActions?: boolean }) => {
    const config = configFromFlags(f);
    const log = createLogger(config.logLevel, { role: 'dashboard' });
    const { startDashboard } = await import('../dashboard/server.js');
    const signal = nextSignal();
    const dashboard = await startDashboard({ ...targetOf(config), port: f.port, host: f.host, actions: f.allowActions === true, log });
    process.stdout.write(`dashboard listening on ${dashboard.url}\n`);
    say(
      `runs at ${dashboard.url}/, queues at ${dashboard.url}/queues/ (${f.allowActions ? 'actions allowed' : 'read-only'}); prefix ${config.redisPrefix}`,
    );
    const sig = await signal;
    log.info({ signal: sig }, 'stopping the dashboard');
    void nextSignal().then((s) => process.exit(exitCodeFor(new InterruptedError(s))));
    const closed = await Promise.race([
      dashboard.close().then(() => true),
      new Promise<false>((r) => setTimeout(() => r(false), CLOSE_MS).unref()),
    ]);
    if (!closed)
      throw new InterruptedError(sig, `interrupted by ${sig}; the dashboard's connections did not close within ${CLOSE_MS / 1000} s`);
    // A BullMQ connection still reconnecting to an unreachable Redis must not keep the process alive.
    setTimeout(() => process.exit(0), 1000).unref();
  });
}
