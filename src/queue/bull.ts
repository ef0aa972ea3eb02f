/** BullMQ queue handles for one deployment (prefix), sharing connection settings. */
import { FlowProducer, Queue, type RedisOptions as BullRedisOptions } from 'bullmq';
import { redisNames, type RedisNames } from './keys.js';
import { Redis } from 'ioredis';
import { redisOptions, type ConnectionRole, type RedisSettings } from './redis.js';

/**
 * Length BullMQ trims each queue's events stream to (approximately: `XADD … MAXLEN ~`).
 * Its default, 10,000 entries of every job's added / active / completed events, is a few MB
 * per queue that nothing here reads back; `status` reads run records, not events. Every
 * Queue must be opened with it: BullMQ writes it into the queue's meta key, last one wins.
 */
export const EVENTS_MAX_LEN = 2000;

/** Options for every Queue of a deployment (the events stream bound). */
export const queueStreams = { streams: { events: { maxLen: EVENTS_MAX_LEN } } } as const;

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
  // One ioredis client of our own for the three handles, with a listener that stays. BullMQ
  // takes its listener off the clients it creates at close, while such a client may still
  // be reconnecting or in its TLS handshake, and ioredis then prints "Unhandled error event"
  // for each error. A client passed in is the caller's to end (BullMQ does not close it):
  // close() disconnects it, which also ends any retries.
  const client = new Redis(bullConnection(settings, role));
  client.on('error', () => undefined);
  const opts = { connection: client, prefix: names.bullPrefix, ...queueStreams };
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
