/**
 * A producer that dies at a chosen point: `submitRun` with a progress callback that
 * SIGKILLs this process once the last chunk is queued — after every chunk job is in
 * Redis, before the run is marked queued and its seal promoted.
 *
 *   node dist/scripts/chaos/crash-submit.js INPUT RUN_ID      (REDIS_URL, PAIRSCORE_* as for submit)
 */
import { loadConfig } from '../../src/config.js';
import { submitRun } from '../../src/queue/index.js';
import { redisSettingsOf } from '../../src/queue/redis-settings.js';

const [input, runId] = process.argv.slice(2);
if (!input || !runId) {
  console.error('usage: crash-submit INPUT RUN_ID');
  process.exit(2);
}
const config = loadConfig();
await submitRun({
  redis: redisSettingsOf(config),
  prefix: config.redisPrefix,
  input,
  runId,
  model: 'demo',
  modelsRoot: config.modelsRoot,
  cacheDir: config.cacheDir,
  keepSeconds: config.keepSeconds,
  chunkSize: 100,
  onProgress: (added, total) => {
    if (added === total) process.kill(process.pid, 'SIGKILL');
  },
});
console.error('crash-submit: the run was sealed before the crash point');
process.exit(1);
