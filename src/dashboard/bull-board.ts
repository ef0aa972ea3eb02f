/**
 * bull-board over the deployment's own BullMQ queues (score and aggregate under its
 * prefix, from src/contracts.ts via openQueues), as an Express router. Read-only unless
 * actions are allowed: bull-board then answers every action route of a queue with
 * 405 (its per-queue `readOnlyMode`), so a link clicked by mistake cannot retry,
 * remove or pause anything in a production fleet.
 *
 * bull-board's page links a Google Fonts stylesheet; a fleet's dashboard often runs where
 * there is no internet (and should not tell Google who looks at it), so that link is
 * taken out of the HTML it sends and the page falls back to the system fonts.
 */
import express, { type RequestHandler, type Router } from 'express';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queues } from '../queue/bull.js';

export interface BoardOptions {
  /** URL path it is mounted under (bull-board's own links need it). */
  basePath: string;
  /** Allow retry / remove / pause / add from the UI and its API. */
  actions: boolean;
  /** Shown in the board's title, so several deployments' boards are told apart. */
  prefix: string;
}

const REMOTE_FONTS = /<link[^>]+href="https:\/\/fonts\.(googleapis|gstatic)\.com[^>]*>\s*/g;

/** Removes remote font links from the HTML bull-board sends (its entry page). */
const withoutRemoteFonts: RequestHandler = (_req, res, next) => {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => send(typeof body === 'string' ? body.replace(REMOTE_FONTS, '') : body);
  next();
};

export function bullBoardRouter(queues: Queues, opts: BoardOptions): Router {
  const serverAdapter = new ExpressAdapter().setBasePath(opts.basePath);
  const adapt = (q: Queues['score']) =>
    new BullMQAdapter(q, { readOnlyMode: !opts.actions, allowRetries: opts.actions, description: `prefix ${opts.prefix}` });
  createBullBoard({
    queues: [adapt(queues.score), adapt(queues.aggregate)],
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: `pairscore · ${opts.prefix}`,
        hideDocsLink: true,
        // Relative to the board's base path: back to the runs page at the root.
        miscLinks: [{ text: 'Runs', url: '/' }],
      },
    },
  });
  return express.Router().use(withoutRemoteFonts, serverAdapter.getRouter() as Router);
}
