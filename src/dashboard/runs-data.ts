/**
 * What the runs page shows, read the way `pairscore status` reads it: the recent
 * run ids from the run index, each run's RunStatus from RunClient.status, and the
 * fleet's heartbeats. Nothing here derives a run's numbers itself.
 */
import type { RunClient, RunStatus, WorkerSeen } from '../queue/index.js';
import { InputError } from '../errors.js';

export interface DashboardData {
  /** The key prefix whose runs and queues are shown. */
  prefix: string;
  /** When this was read (ISO 8601). */
  readAt: string;
  runs: RunStatus[];
  /** Every worker of the deployment with a recent enough heartbeat, newest first. */
  workers: WorkerSeen[];
  /** Set when Redis did not answer: the page says so rather than failing. */
  error?: string;
}

export async function readDashboardData(client: RunClient, prefix: string, limit = 20): Promise<DashboardData> {
  const runs: RunStatus[] = [];
  for (const id of await client.store.listRuns(limit)) {
    try {
      runs.push(await client.status(id));
    } catch (err) {
      // Expired between the index read and the status read: it is simply gone.
      if (!(err instanceof InputError)) throw err;
    }
  }
  return { prefix, readAt: new Date().toISOString(), runs, workers: await client.fleet() };
}
