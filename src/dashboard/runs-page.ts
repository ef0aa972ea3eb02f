/**
 * The dashboard's runs page as a pure function of DashboardData: server-rendered HTML with
 * a little inline CSS and a meta refresh, no script and no build step. Every string that
 * came from Redis (run ids, failure reasons, host names, versions) passes through `esc`:
 * a chunk's failure reason can quote a dataset row, and a dataset is not trusted.
 */
import type { RunStatus, WorkerSeen } from '../queue/index.js';
import { formatDuration } from '../report/progress.js';
import { esc } from '../report/html/page.js';
import type { DashboardData } from './runs-data.js';

export interface RunsPageOptions {
  /** Where bull-board is mounted (linked from the page). */
  queuesPath: string;
  /** Seconds between reloads; 0 for none. */
  refreshSeconds: number;
  /** bull-board accepts actions (retry, remove, pause …); otherwise it is read-only. */
  actions: boolean;
}

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.3em;margin:0 0 .2em}h2{font-size:1.1em;margin:1.5em 0 .4em}
.meta{color:#666;margin:0 0 1em}.meta a{margin-left:1em}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f4f4f4;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums}
.bar{width:12em;height:.8em;background:#eee;border-radius:3px;overflow:hidden;display:inline-block;vertical-align:middle;margin-right:.5em}
.bar>span{display:block;height:100%;background:#3b82f6}
.state{font-weight:600;padding:.05em .45em;border-radius:3px;background:#eee}
.completed{background:#dcfce7;color:#166534}.with-errors{background:#fef3c7;color:#92400e}.failed{background:#fee2e2;color:#991b1b}.cancelled{background:#e5e7eb;color:#374151}
.running{background:#dbeafe;color:#1e40af}.queued,.submitting{background:#fef9c3;color:#854d0e}
.fail{color:#991b1b;font-size:.92em}.fail ul{margin:.2em 0 0;padding-left:1.2em}
td code,td time{white-space:nowrap}.gone{color:#999}.error{background:#fee2e2;color:#991b1b;padding:.6em;border-radius:4px}.empty{color:#666}`;

const pct = (done: number, total: number): number => (total > 0 ? Math.min(100, (100 * done) / total) : 100);

function when(iso: string | undefined): string {
  return iso ? `<time datetime="${esc(iso)}">${esc(iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time>` : '—';
}

function failures(s: RunStatus): string {
  const items: string[] = [];
  if (s.result?.reason) items.push(`<li>run: ${esc(s.result.reason)}</li>`);
  for (const f of s.result?.failedChunks ?? []) {
    const rows = f.firstIndex !== null ? ` (rows ${f.firstIndex}–${f.firstIndex + (f.rows ?? 1) - 1})` : '';
    items.push(`<li>chunk ${esc(f.chunk)}${f.part ? ` part ${esc(f.part)}` : ''}${rows}: ${esc(f.reason)}</li>`);
  }
  // In flight, BullMQ has the count of chunks that failed for good; their reasons arrive with the result.
  if (!s.result && s.failedChunks > 0)
    items.push(`<li>${s.failedChunks} chunk(s) failed for good; reasons are listed when the run ends</li>`);
  if ((s.result?.lostRows ?? 0) > 0) items.push(`<li>${s.result!.lostRows} row(s) had no result (written as error rows)</li>`);
  return items.length ? `<div class="fail"><ul>${items.join('')}</ul></div>` : '';
}

/** A completed run whose chunks partly failed is not a green "completed": it says how many failed. */
function stateBadge(s: RunStatus): string {
  if (s.state === 'completed' && s.failedChunks > 0) {
    return `<span class="state completed with-errors">completed, ${s.failedChunks} chunk${s.failedChunks === 1 ? '' : 's'} failed</span>`;
  }
  return `<span class="state ${esc(s.state)}">${esc(s.state)}</span>`;
}

function runRow(s: RunStatus): string {
  const p = pct(s.done, s.rows);
  const eta = s.etaSeconds !== null && s.etaSeconds > 0 ? formatDuration(s.etaSeconds) : '—';
  const note = s.unsealed ? '<div class="fail">its submit stopped before sealing the run: run the same submit again</div>' : '';
  return (
    `<tr data-run="${esc(s.runId)}">
<td><code>${esc(s.runId)}</code></td>
<td>${stateBadge(s)}${note}</td>
<td><span class="bar" title="${p.toFixed(1)}%"><span style="width:${p.toFixed(1)}%"></span></span>${s.done}/${s.rows} rows (${p.toFixed(1)}%)<br>` +
    `${s.chunksDone !== undefined ? `${s.chunksDone}/` : ''}${s.chunks} chunks${s.chunksDone !== undefined ? ' done' : ''} (up to ${s.chunkSize} rows each)` +
    `${s.state === 'submitting' ? `, ${s.chunksAdded} added` : ''}; failed ${s.failedChunks}${failures(s)}</td>
<td class="num">${s.pairsPerSec.toFixed(1)}</td>
<td class="num">${eta}</td>
<td class="num">${s.workersAlive}/${s.workers.length}</td>
<td>${when(s.createdAt)}</td>
</tr>`
  );
}

function workerRow(w: WorkerSeen): string {
  const i = w.info;
  const device = !i
    ? '—'
    : i.device === null
      ? 'none (aggregate only)'
      : `${esc(i.device)}${i.requestedDevice && i.requestedDevice !== i.device ? ` (asked ${esc(i.requestedDevice)})` : ''}`;
  const beat = w.lastHeartbeat !== undefined ? when(new Date(w.lastHeartbeat).toISOString()) : '—';
  return `<tr class="${w.alive ? 'alive' : 'gone'}" data-worker="${esc(w.id)}">
<td><code>${esc(w.id)}</code></td><td>${esc(i?.host ?? '—')}</td><td class="num">${esc(i?.pid ?? '—')}</td>
<td>${esc(i?.version ?? '?')}</td><td>${device}</td><td>${esc(i?.executionProviders?.join(', ') || '—')}</td>
<td>${esc(i?.onnxruntime ?? '—')}</td><td>${beat}</td><td>${w.alive ? 'alive' : 'gone'}</td>
</tr>`;
}

export function renderRunsPage(data: DashboardData, opts: RunsPageOptions): string {
  const refresh = opts.refreshSeconds > 0 ? `<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : '';
  const runs = data.runs.length
    ? `<table><thead><tr><th>Run</th><th>State</th><th>Progress</th><th>pairs/s</th><th>ETA</th><th>Workers alive/seen</th><th>Created</th></tr></thead><tbody>
${data.runs.map(runRow).join('\n')}
</tbody></table>`
    : '<p class="empty">no runs under this prefix</p>';
  const workers = data.workers.length
    ? `<table><thead><tr><th>Worker</th><th>Host</th><th>pid</th><th>pairscore</th><th>Device</th><th>Providers</th><th>onnxruntime</th><th>Last heartbeat</th><th>State</th></tr></thead><tbody>
${data.workers.map(workerRow).join('\n')}
</tbody></table>`
    : '<p class="empty">no worker has sent a heartbeat recently</p>';
  return (
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>pairscore runs · ${esc(data.prefix)}</title>${refresh}
<meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><style>${CSS}</style></head>
<body>
<h1>pairscore runs</h1>
<p class="meta">prefix <code>${esc(data.prefix)}</code> · read ${when(data.readAt)}${opts.refreshSeconds > 0 ? ` · refreshes every ${opts.refreshSeconds} s` : ''}` +
    `<a href="${esc(opts.queuesPath)}">queues (bull-board${opts.actions ? ', actions allowed' : ', read-only'})</a><a href="api/runs">JSON</a></p>
${data.error ? `<p class="error">Redis did not answer: ${esc(data.error)}</p>` : ''}
<h2>Runs</h2>
${runs}
<h2>Workers</h2>
${workers}
</body></html>
`
  );
}
