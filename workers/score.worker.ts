/**
 * Container/systemd entry point for a scoring worker (chunk and aggregate
 * jobs), configured by the environment only (REDIS_URL, PAIRSCORE_*; see the
 * README). `pairscore worker` does the same with flags.
 */
import { loadConfig } from '../src/config.js';
import { exitCodeFor } from '../src/errors.js';
import { createLogger } from '../src/log.js';
import { runWorkerUntilSignal, workerOptionsFrom } from '../src/queue/lifecycle.js';

const config = loadConfig();
const log = createLogger(config.logLevel, { role: 'score-worker' });
runWorkerUntilSignal(workerOptionsFrom(config, log)).then(
  () => process.exit(0),
  (err: unknown) => {
    log.fatal({ err }, 'worker failed');
    process.exit(exitCodeFor(err));
  },
);
