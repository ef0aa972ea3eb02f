/** The suite, in the order it runs: the harness check first, the longest last. */
import type { Scenario } from '../harness.js';
import { killWorkers, sigstopPastLock, sigtermInFlight } from './worker-faults.js';
import { redisRefusesWrites, redisRestart, workersWhileRedisDown } from './redis-faults.js';
import { producerCrashBeforeQueued, producerCrashBeforeSeal } from './producer-crash.js';
import { aggregateFailure, malformedChunk, strayAggregate } from './stray-jobs.js';
import { poisonRow } from './poison-row.js';
import { noFault, scale } from './scale.js';

export const SCENARIOS: Scenario[] = [
  noFault,
  killWorkers('kill9-worker-x5', 5, 6000),
  sigstopPastLock,
  sigtermInFlight,
  redisRestart('redis-kill9-aof-restart-2s', 2000),
  redisRestart('redis-kill9-aof-restart-15s', 15000),
  workersWhileRedisDown,
  redisRefusesWrites('redis-refuses-writes-3s', 3000),
  redisRefusesWrites('redis-refuses-writes-15s', 15000),
  producerCrashBeforeQueued,
  producerCrashBeforeSeal,
  strayAggregate,
  malformedChunk,
  aggregateFailure,
  poisonRow,
  scale,
];
