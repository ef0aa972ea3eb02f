/**
 * The worker's operations port (`--metrics-port`): `/metrics` (Prometheus text),
 * `/healthz` and `/readyz`, on Node's own `http` — three fixed routes need no
 * framework. `/healthz` is answered by the event loop itself, so a loop blocked
 * (e.g. by inference run on the main thread by mistake) fails it by timing out.
 * `/readyz` asks the caller's `ready()` each time: Redis answering a PING and the
 * worker not shutting down; its 503 body is a short JSON reason for whoever looks.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import type { WorkerMetrics } from './metrics.js';

export interface OpsServerOptions {
  port: number;
  /** Interface to listen on (default all: a container's port must be reachable from outside it). */
  host?: string | undefined;
  metrics: WorkerMetrics;
  /** Resolves to undefined when ready, or to the reason it is not. */
  ready: () => Promise<string | undefined>;
  log: Logger;
}

export interface OpsServer {
  /** The port bound (the one asked, or the one chosen for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export async function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const server = http.createServer((req, res) => {
    const route = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return json(res, 405, { error: 'GET only' });
    if (route === '/healthz') return json(res, 200, { status: 'ok' });
    if (route === '/readyz') {
      opts.ready().then(
        (reason) => (reason === undefined ? json(res, 200, { status: 'ready' }) : json(res, 503, { status: 'not ready', reason })),
        (err: unknown) => json(res, 503, { status: 'not ready', reason: (err as Error).message }),
      );
      return;
    }
    if (route === '/metrics') {
      opts.metrics.scrape().then(
        ({ body, contentType }) => res.writeHead(200, { 'content-type': contentType }).end(body),
        (err: unknown) => {
          opts.log.error({ err }, 'metrics scrape failed');
          json(res, 500, { error: 'metrics unavailable' });
        },
      );
      return;
    }
    json(res, 404, { error: 'not found', routes: ['/metrics', '/healthz', '/readyz'] });
  });
  // A scraper that keeps connections open must not hold the worker's exit.
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  opts.log.info({ port }, 'serving /metrics, /healthz and /readyz');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
