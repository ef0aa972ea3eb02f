/**
 * `pairscore dashboard`: one Express app on one port —
 *   /           the runs page (runs-page.ts), reloading itself every few seconds
 *   /api/runs   the same data as JSON (for scripts and tests)
 *   /queues     bull-board over the deployment's queues (bull-board.ts), read-only by default
 * It reads Redis only when a page is asked for, through the RunClient that `status` uses,
 * and rides out Redis outages: a page read that Redis does not answer within
 * `readTimeoutMs` renders the page with the error (HTTP 503) instead of hanging.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Response } from 'express';
import type { Logger } from '../log.js';
import { openQueues } from '../queue/bull.js';
import { RunClient } from '../queue/client.js';
import { atMost, throttled, withinMs } from '../queue/patience.js';
import { connectRedis, redactUrl, type RedisSettings } from '../queue/redis.js';
import { RetryableError } from '../errors.js';
import { bullBoardRouter } from './bull-board.js';
import { readDashboardData, type DashboardData } from './runs-data.js';
import { renderRunsPage } from './runs-page.js';

export interface DashboardOptions {
  redis: RedisSettings;
  prefix: string;
  /** 0 picks a free port. */
  port: number;
  /** Interface to listen on (default 127.0.0.1: only this host sees the fleet unless asked). */
  host?: string;
  /** bull-board may retry, remove, pause, add jobs. */
  actions: boolean;
  log: Logger;
  /** Seconds between runs-page reloads (default 5). */
  refreshSeconds?: number;
  /** Longest a page waits for Redis (default 5000 ms). */
  readTimeoutMs?: number;
}

export interface DashboardHandle {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

const QUEUES_PATH = '/queues';

/** The runs page runs no script and loads nothing: a CSP says so, a last guard behind the escaping. */
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export async function startDashboard(opts: DashboardOptions): Promise<DashboardHandle> {
  const { log, prefix } = opts;
  const readTimeoutMs = opts.readTimeoutMs ?? 5000;
  const refreshSeconds = opts.refreshSeconds ?? 5;
  // Fail at start, as `status` would, on a wrong URL, password or certificate; later outages are waited through.
  (await connectRedis(opts.redis, 'client')).disconnect();
  const url = redactUrl(opts.redis.url);
  const client = await RunClient.open(
    { redis: opts.redis, prefix },
    {
      waitThroughOutages: true,
      onOutage: (event, detail) =>
        event === 'down'
          ? log.warn({ redis: url, detail }, 'Redis unreachable: pages show the error until it is back')
          : log.info({ redis: url }, 'Redis reachable again'),
    },
  );
  const queues = openQueues(opts.redis, prefix, 'waiting');
  const warn = throttled(30000);

  // One read at a time, shared by the pages asked for meanwhile: while Redis is down, reloads
  // must not pile up commands that would all run at once when it is back.
  let inFlight: Promise<DashboardData> | undefined;
  const read = async (): Promise<DashboardData> => {
    inFlight ??= readDashboardData(client, prefix).finally(() => (inFlight = undefined));
    try {
      return await withinMs(inFlight, readTimeoutMs, () => new RetryableError(`Redis at ${url} did not answer within ${readTimeoutMs} ms`));
    } catch (err) {
      warn(() => log.warn({ err }, 'dashboard read failed'));
      return { prefix, readAt: new Date().toISOString(), runs: [], workers: [], error: err instanceof Error ? err.message : String(err) };
    }
  };
  const page = (res: Response, data: DashboardData): void => {
    res
      .status(data.error ? 503 : 200)
      .set({ 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store' })
      .send(renderRunsPage(data, { queuesPath: `${QUEUES_PATH}/`, refreshSeconds, actions: opts.actions }));
  };

  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const start = performance.now();
    res.on('finish', () =>
      log.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - start) }, 'request'),
    );
    next();
  });
  app.get('/', async (_req, res) => page(res, await read()));
  app.get('/api/runs', async (_req, res) => {
    const data = await read();
    res
      .status(data.error ? 503 : 200)
      .set('cache-control', 'no-store')
      .json(data);
  });
  app.use(QUEUES_PATH, bullBoardRouter(queues, { basePath: QUEUES_PATH, actions: opts.actions, prefix }));

  const server = await new Promise<http.Server>((resolve, reject) => {
    const s = app.listen(opts.port, opts.host ?? '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const base = `http://${host}:${address.port}`;
  log.info({ url: base, prefix, actions: opts.actions }, 'dashboard started');

  let closing: Promise<void> | undefined;
  return {
    url: base,
    port: address.port,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Browsers keep connections open between reloads; they must not hold the close.
        server.closeAllConnections();
        await stopped;
        // BullMQ's close waits for a Redis that may be down: bounded, as RunClient.close does.
        if (!(await atMost(queues.close(), 1000))) queues.disconnect();
        await client.close();
        log.info('dashboard stopped');
      })();
      return closing;
    },
  };
}
