/** Text for `status` and the `submit --wait` progress line. */
import type { RunStatus, WorkerSeen } from './client.js';
import { formatDuration, progressLine } from '../report/progress.js';

export function formatStatus(s: RunStatus): string {
  const lines = [
    `run ${s.runId}: ${s.state}${s.state === 'submitting' ? ` (${s.chunksAdded}/${s.chunks} chunks added)` : ''}` +
      `${s.state === 'paused' ? ` (active chunks finish; pairscore resume ${s.runId} goes on)` : ''}`,
    `rows       ${s.done}/${s.rows} (${s.rows > 0 ? ((100 * s.done) / s.rows).toFixed(1) : '100.0'}%)`,
    `chunks     ${s.chunks} of up to ${s.chunkSize} rows; failed ${s.failedChunks}`,
    `speed      ${s.pairsPerSec.toFixed(1)} pairs/s${s.etaSeconds !== null && s.etaSeconds > 0 ? `, ETA ${formatDuration(s.etaSeconds)}` : ''}`,
    `workers    ${s.workers.length} seen, ${s.workersAlive} alive`,
    ...s.workersSeen.map((w) => `           ${formatWorker(w)}`),
  ];
  if (s.priority !== undefined || s.retries) {
    const parts = [s.priority !== undefined ? `priority ${s.priority}` : '', s.retries ? `retried ${s.retries}×` : ''].filter(Boolean);
    lines.splice(1, 0, `control    ${parts.join(', ')}`);
  }
  if (s.retryUnfinished)
    lines.splice(
      1,
      0,
      `note       a retry has not queued its chunks yet (running now, or stopped): pairscore retry ${s.runId} finishes it`,
    );
  if (s.unsealed)
    lines.splice(1, 0, 'note       its submit stopped before sealing the run, so it cannot finish: run the same submit again');
  const r = s.result;
  if (r?.reason) lines.splice(1, 0, `reason     ${r.reason}`);
  if (r) {
    if (r.metrics?.accuracy !== null && r.metrics?.accuracy !== undefined) {
      lines.push(`accuracy   ${(r.metrics.accuracy * 100).toFixed(2)}%  macro-F1 ${((r.metrics.macro_f1 ?? 0) * 100).toFixed(2)}%`);
    }
    if (r.metrics) lines.push(`errors     ${r.metrics.errors} rows`);
    for (const f of r.failedChunks) {
      lines.push(
        `failed     chunk ${f.chunk}${f.part ? ` part ${f.part}` : ''}${f.firstIndex !== null ? ` (rows ${f.firstIndex}–${f.firstIndex + (f.rows ?? 1) - 1})` : ''}: ${f.reason}`,
      );
    }
    if (r.lostRows > 0) lines.push(`lost       ${r.lostRows} rows had no result (written as error rows)`);
  }
  return lines.join('\n');
}

export function statusProgressLine(s: RunStatus, seconds: number): string {
  const failed = s.failedChunks > 0 ? `  failed chunks ${s.failedChunks}` : '';
  // A wait on a paused run goes on (until --timeout): the line says why nothing moves.
  const paused = s.state === 'paused' ? '  paused' : '';
  return `${progressLine(s.runId, s.done, s.rows, seconds)}  workers ${s.workersAlive}${failed}${paused}`;
}

/**
 * `host-123-ab12  pairscore 0.4.0  cpu [cpu] (asked auto)  2 × 1 threads  onnxruntime 1.30.0  alive` — the
 * version makes a mixed fleet visible; sessions × threads appear once a model has loaded.
 */
export function formatWorker(w: WorkerSeen): string {
  const state = w.alive ? 'alive' : 'gone';
  const i = w.info;
  if (!i) return `${w.id}  ${state}`;
  // Workers older than the version field say so rather than hiding in the list.
  const version = `pairscore ${i.version ?? '?'}`;
  if (i.device === null) return `${w.id}  ${version}  runs no model (aggregate only)  ${state}`;
  const asked = i.requestedDevice && i.requestedDevice !== i.device ? ` (asked ${i.requestedDevice})` : '';
  const eps = i.executionProviders ? ` [${i.executionProviders.join(',')}]` : '';
  const layout = i.sessions !== undefined ? `  ${i.sessions} × ${i.threads} threads` : '';
  return `${w.id}  ${version}  ${i.device}${eps}${asked}${layout}  onnxruntime ${i.onnxruntime ?? '?'}  ${state}`;
}
