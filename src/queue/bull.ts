/** BullMQ queue handles for one deployment (prefix), sharing connection settings. */
import { FlowProducer, Queue, type RedisOptions as BullRedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { redisNames, type RedisNames } from '../contracts.js';
import { redisOptions, type ConnectionRole, type RedisSettings } from './redis.js';

/** BullMQ connects by itself; it must not see lazyConnect. */
export function bullConnection(settings: RedisSettings, role: ConnectionRole): BullRedisOptions {
  const { lazyConnect: _ignored, ...opts } = redisOptions(settings, role);
  // ioredis' option interface has no index signature; BullMQ's does.
  return { ...opts } as BullRedisOptions;
}

export interface Queues {
  names: RedisNames;
  score: Queue;
  aggregate: Queue;
  flow: FlowProducer;
  close(): Promise<void>;
  /** Drops the connection at once (when close() waits on a Redis that is down). */
  disconnect(): void;
}

export function openQueues(settings: RedisSettings, prefix: string, role: ConnectionRole = 'client'): Queues {
  const names = redisNames(prefix);
  // One connection we own for the three handles: BullMQ removes its own error listener when it
  // closes, and a client it closed while Redis was down went on reconnecting with none — ioredis
  // then printed "Unhandled error event" stacks. Ours keeps its listener until we disconnect it.
  const client = new Redis(bullConnection(settings, role));
  client.on('error', () => undefined); // surfaced through the failing call
  const opts = { connection: client, prefix: names.bullPrefix };
  const score = new Queue(names.scoreQueue, opts);
  const aggregate = new Queue(names.aggregateQueue, opts);
  const flow = new FlowProducer(opts);
  // Errors surface through the failing call; without a listener they would crash the process.
  score.on('error', () => undefined);
  aggregate.on('error', () => undefined);
  flow.on('error', () => undefined);
  return {
    names,
    score,
    aggregate,
    flow,
    async close() {
      try {
        await Promise.all([score.close(), aggregate.close(), flow.close()]);
      } finally {
        client.disconnect();
      }
    },
    disconnect() {
      client.disconnect();
    },
  };
}
