/**
 * Entry point for a process that runs only aggregate jobs (no model needed),
 * for deployments that keep GPU workers busy with chunks alone.
 */
import { loadConfig } from '../src/config.js';
import { exitCodeFor } from '../src/errors.js';
import { createLogger } from '../src/log.js';
import { runWorkerUntilSignal, workerOptionsFrom } from '../src/queue/lifecycle.js';

const config = loadConfig();
const log = createLogger(config.logLevel, { role: 'aggregate-worker' });
runWorkerUntilSignal(workerOptionsFrom(config, log, { score: false, aggregate: true })).then(
  () => process.exit(0),
  (err: unknown) => {
    log.fatal({ err }, 'aggregator failed');
    process.exit(exitCodeFor(err));
  },
);
