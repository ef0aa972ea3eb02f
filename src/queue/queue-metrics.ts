/**
 * BullMQ's own queue series on a worker's /metrics: `Queue.exportPrometheusMetrics`
 * (BullMQ ≥ 6.x) gives `bullmq_job_count{queue,state}` from getJobCounts() and
 * `bullmq_job_completed_total` / `bullmq_job_failed_total` from the per-minute
 * metrics the workers record (their `metrics` option, set in worker.ts). Each
 * queue's text repeats the HELP/TYPE lines, which Prometheus' text format allows
 * once per family, so the texts are merged family by family.
 *
 * The counts are the queue's, read from Redis: every worker reports the same
 * values, so a dashboard takes max() over workers, never sum().
 */
import { MetricsTime, type Queue } from 'bullmq';

/** Points of BullMQ's per-minute completed/failed metrics kept in Redis, per queue (a week: ~10k short list entries). */
export const BULL_METRICS_POINTS = MetricsTime.ONE_WEEK;

/** The BullMQ series of `queues`, one family block each, labelled with the key prefix. */
export async function queueMetricsText(queues: readonly Queue[], prefix: string): Promise<string> {
  const texts = await Promise.all(queues.map((q) => q.exportPrometheusMetrics({ prefix })));
  return mergePrometheusText(texts);
}

/** Joins Prometheus texts so each metric family appears once: its HELP and TYPE, then all its samples. */
export function mergePrometheusText(texts: readonly string[]): string {
  const families = new Map<string, { meta: string[]; samples: string[] }>();
  const family = (name: string) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { meta: [], samples: [] }));
    return f;
  };
  for (const text of texts) {
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      const meta = /^# (HELP|TYPE) (\S+)/.exec(line);
      if (meta) {
        const f = family(meta[2]!);
        if (!f.meta.some((m) => m.startsWith(`# ${meta[1]} `))) f.meta.push(line);
        continue;
      }
      if (line.startsWith('#')) continue;
      family(/^[^{\s]+/.exec(line)![0]).samples.push(line);
    }
  }
  return [...families.values()].map((f) => [...f.meta, ...f.samples].join('\n')).join('\n') + (families.size > 0 ? '\n' : '');
}
