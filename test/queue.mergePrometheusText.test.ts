/** BullMQ's per-queue Prometheus texts joined so each family (HELP, TYPE) appears once. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergePrometheusText } from '../src/queue/queue-metrics.js';

const queueText = (queue: string, waiting: number) =>
  [
    '# HELP bullmq_job_count Number of jobs in the queue by state',
    '# TYPE bullmq_job_count gauge',
    `bullmq_job_count{queue="${queue}", state="waiting"} ${waiting}`,
    '# HELP bullmq_job_completed_total Total number of completed jobs',
    '# TYPE bullmq_job_completed_total counter',
    `bullmq_job_completed_total{queue="${queue}"} 3`,
  ].join('\n');

test('two queues: one HELP/TYPE per family, the samples of both queues under it, in first-seen order', () => {
  assert.equal(
    mergePrometheusText([queueText('score', 5), queueText('aggregate', 1)]),
    [
      '# HELP bullmq_job_count Number of jobs in the queue by state',
      '# TYPE bullmq_job_count gauge',
      'bullmq_job_count{queue="score", state="waiting"} 5',
      'bullmq_job_count{queue="aggregate", state="waiting"} 1',
      '# HELP bullmq_job_completed_total Total number of completed jobs',
      '# TYPE bullmq_job_completed_total counter',
      'bullmq_job_completed_total{queue="score"} 3',
      'bullmq_job_completed_total{queue="aggregate"} 3',
      '',
    ].join('\n'),
  );
});

test('nothing in, nothing out; blank lines and other comments are dropped', () => {
  assert.equal(mergePrometheusText([]), '');
  assert.equal(mergePrometheusText(['\n# a comment\nx_total 1\n\n']), 'x_total 1\n');
});
