/**
 * One self-contained HTML file: styles, the chart library (bundle.ts), the chart specs and a
 * few lines that render them — nothing is fetched when it is opened. Text from the data
 * (labels, sentences, file names) is HTML-escaped; JSON placed in a script element has `<`
 * escaped so a sentence can never close the element. After rendering, `window.__report`
 * says which charts rendered or failed (the browser test reads it) and `<body data-rendered>` is set.
 */
import type { ReportData } from '../report-data.js';
import { chartLibrary } from './bundle.js';
import { metricsCharts, pct, throughputSpec, type ChartSpecs } from './charts.js';

export const esc = (s: unknown): string =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export const jsonForScript = (v: unknown): string => JSON.stringify(v).replace(/</g, '\\u003c');

export const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #e3e6ec; --card: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h3 { font-size: 14px; margin: 18px 0 6px; }
h2 { font-size: 17px; margin: 32px 0 6px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
p.note, .sub { color: var(--muted); margin: 4px 0 12px; max-width: 880px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(112px, 1fr)); gap: 10px; margin: 16px 0; }
.cards.wide { grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); }
.card { background: var(--card); border-radius: 8px; padding: 10px 12px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 20px; font-weight: 600; font-variant-numeric: tabular-nums; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--card); font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.facts th { width: 160px; background: none; color: var(--muted); font-weight: 500; }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; word-break: break-all; }
.charts { display: flex; flex-wrap: wrap; gap: 28px 40px; align-items: flex-start; }
.chart { min-height: 60px; max-width: 100%; overflow-x: auto; }
.chart figcaption { max-width: 420px; }
.chart-error { color: #b00020; }
details summary { cursor: pointer; color: var(--muted); }
`;

/** Renders each spec into #chart-<id> as SVG and records the outcome for tests. */
export const BOOT = `
(function () {
  var specs = JSON.parse(document.getElementById('report-specs').textContent);
  var state = { rendered: [], failed: {}, done: false };
  window.__report = state;
  Promise.all(Object.keys(specs).map(function (id) {
    var el = document.getElementById('chart-' + id);
    return vegaEmbed(el, specs[id], { renderer: 'svg', actions: false })
      .then(function () { state.rendered.push(id); })
      .catch(function (err) {
        state.failed[id] = String(err && err.message || err);
        el.innerHTML = '<p class="chart-error">this chart could not be drawn: ' + String(err).replace(/</g, '&lt;') + '</p>';
        console.error('chart ' + id + ': ' + err);
      });
  })).then(function () { state.done = true; document.body.setAttribute('data-rendered', 'true'); });
})();
`;

const num = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? 'n/a' : v.toFixed(digits));
const percent = (v: number | null | undefined) => (v === null || v === undefined ? 'n/a' : pct(v));

export function card(k: string, v: string, title?: string): string {
  return `<div class="card"${title ? ` title="${esc(title)}"` : ''}><div class="k">${esc(k)}</div><div class="v">${esc(v)}</div></div>`;
}

export function chartDiv(charts: ChartSpecs, id: string, caption: string): string {
  if (!(id in charts)) return '';
  return `<figure class="chart" style="margin:0"><div id="chart-${id}" data-chart="${id}"></div><figcaption class="sub">${esc(caption)}</figcaption></figure>`;
}

function summary(d: ReportData): string {
  const m = d.metrics;
  const cards = [
    card('rows', String(m.rows)),
    card('scored', String(m.scored)),
    card('errors', String(m.errors)),
    card('accuracy', percent(m.accuracy), `over ${m.evaluated} labelled rows`),
    card('macro-F1', percent(m.macro_f1)),
    card('ECE', num(m.ece), 'expected calibration error, 10 confidence bins'),
    card('log-loss', num(m.log_loss)),
    card('Brier', num(m.brier), 'multi-class Brier score, 0 (best) to 2'),
    // A predictions file does not say how fast it was made: reading it is not scoring it.
    d.context.timed === false
      ? card('pairs/s', 'n/a', 'not recorded in a predictions file')
      : card('pairs/s', m.pairs_per_s.toFixed(1), `${m.seconds.toFixed(2)} s`),
  ];
  const c = d.context;
  const facts: Array<[string, string]> = [['source', `<code>${esc(c.source)}</code>`]];
  if (c.input) facts.push(['input', `<code>${esc(c.input)}</code>`]);
  if (c.model) facts.push(['model', `${esc(c.model.name ?? '')} <code>${esc(c.model.sha256 ?? '')}</code>`]);
  if (c.head !== undefined) facts.push(['head', c.head === null ? "the model's own logits" : `<code>${esc(c.head)}</code>`]);
  if (c.features) {
    facts.push([
      'features',
      c.features.length === 0
        ? 'none'
        : `<details><summary>${c.features.length} columns</summary><code>${esc(c.features.join(', '))}</code></details>`,
    ]);
  }
  return `<div class="cards">${cards.join('')}</div>
<table class="facts">${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`;
}

function errorsTable(d: ReportData): string {
  if (d.errors.length === 0) return '<p class="note">No wrong predictions with probabilities to list.</p>';
  const hasText = d.errors.some((e) => e.premise !== undefined);
  const rows = d.errors
    .map(
      (e) =>
        `<tr><td class="num">${e.index}</td><td>${esc(e.id)}</td>${hasText ? `<td>${esc(e.premise ?? '')}</td><td>${esc(e.hypothesis ?? '')}</td>` : ''}<td>${esc(e.gold)}</td><td>${esc(e.predicted)}</td><td class="num">${pct(e.probability)}</td></tr>`,
    )
    .join('');
  const note = hasText ? '' : '<p class="note">Sentences are shown when the report knows the input file (<code>--input</code>).</p>';
  return `${note}<table id="confident-errors"><thead><tr><th>row</th><th>id</th>${hasText ? '<th>premise</th><th>hypothesis</th>' : ''}<th>gold</th><th>predicted</th><th>probability</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function runSection(d: ReportData, charts: ChartSpecs): string {
  const r = d.run;
  if (!r) return '';
  const workers =
    r.workers.length === 0
      ? '<p class="note">No worker recorded.</p>'
      : `<table id="run-workers"><thead><tr><th>worker</th><th>host</th><th>device</th><th>alive</th></tr></thead><tbody>${r.workers
          .map(
            (w) =>
              `<tr><td><code>${esc(w.id)}</code></td><td>${esc(w.host ?? '')}</td><td>${esc(w.device ?? '')}</td><td>${w.alive ? 'yes' : 'no'}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const failed =
    r.failedChunks.length === 0
      ? '<p class="note">No chunk failed.</p>'
      : `<table id="failed-chunks"><thead><tr><th>chunk</th><th>first row</th><th>rows</th><th>reason</th></tr></thead><tbody>${r.failedChunks
          .map(
            (c) =>
              `<tr><td class="num">${c.chunk}${c.part ? `-${esc(c.part)}` : ''}</td><td class="num">${c.firstIndex ?? ''}</td><td class="num">${c.rows ?? ''}</td><td>${esc(c.reason)}</td></tr>`,
          )
          .join('')}</tbody></table>`;
  const throughput =
    'throughput' in charts
      ? `<div class="charts">${chartDiv(charts, 'throughput', r.throughput && r.throughput.chunks < r.chunks ? `Covers ${r.throughput.chunks} of ${r.chunks} chunks: the queue's event stream is capped and older events are gone.` : 'Each chunk counts when it completed.')}</div>`
      : '<p class="note">No throughput chart: the queue\'s event stream no longer holds this run\'s chunks.</p>';
  return `<h2>The run on the workers</h2><p class="note">Run <code>${esc(r.runId)}</code>: ${esc(r.state)}, ${r.failedChunks.length} failed chunk(s), ${r.lostRows} lost row(s). The rows of a failed chunk are error rows with its reason.</p>
${throughput}<h3>Workers</h3>${workers}<h3>Failed chunks</h3>${failed}`;
}

export function renderReport(d: ReportData): string {
  const charts = metricsCharts(d.metrics);
  const m = d.metrics;
  const sections: string[] = [`<h1>${esc(d.title)}</h1><p class="sub">${esc(byline())}</p>`, summary(d)];
  if (m.evaluated === 0) {
    sections.push('<p class="note">No row has a gold label: accuracy, the confusion matrix and calibration need one.</p>');
  } else {
    sections.push(
      '<h2>Where the predictions go</h2><p class="note">Rows are the gold labels, columns the predictions; the diagonal is right. The right-hand matrix divides each row by its total, so its diagonal is each class\'s recall.</p>',
      `<div class="charts">${chartDiv(charts, 'confusion', '')}${chartDiv(charts, 'per_class', 'Precision: of the rows predicted as the class, the share that are. Recall: of the rows of the class, the share found. F1: their harmonic mean.')}</div>`,
    );
    if ('reliability' in charts) {
      sections.push(
        '<h2>Can the probabilities be trusted?</h2><p class="note">Calibration: a model that says 80% should be right 80% of the time. Bars below the dashed diagonal mean over-confidence, above it under-confidence; dots mark each bin\'s mean confidence. ECE is the row-weighted gap between bars and diagonal.</p>',
        `<div class="charts">${chartDiv(charts, 'reliability', 'Accuracy per 10%-wide confidence bin.')}${chartDiv(charts, 'confidence', 'Wrong predictions at high confidence are the costly ones.')}</div>`,
      );
    }
    sections.push(
      '<h2>Most confident errors</h2><p class="note">The wrong predictions the model was surest of — often label noise or a pattern the model misreads.</p>',
      errorsTable(d),
    );
  }
  if (d.run?.throughput) charts.throughput = throughputSpec(d.run.throughput);
  sections.push(runSection(d, charts));
  return htmlShell(d.title, sections, charts);
}

/** The page around the sections: inlined styles, chart library, specs and the boot script. */
export function htmlShell(title: string, sections: readonly string[], charts: ChartSpecs): string {
  const lib = chartLibrary();
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
${lib.map((l) => `<script data-lib="${esc(l.name)}">${l.source}</script>`).join('\n')}
</head>
<body>
<main>
${sections.join('\n')}
</main>
<script type="application/json" id="report-specs">${jsonForScript(charts)}</script>
<script>${BOOT}</script>
</body>
</html>
`;
}

/** The subtitle line naming the chart library and its versions. */
export function byline(): string {
  return `pairscore report · charts by ${chartLibrary()
    .map((l) => `${l.name} ${l.version}`)
    .join(', ')}`;
}
