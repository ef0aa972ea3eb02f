/**
 * Vega-Lite specs for the report's charts, built from the metrics alone (so a distributed run's
 * stored metrics draw the same charts as a local one). Each chart is a plain JSON spec, typed by
 * vega-lite's own TopLevelSpec; vega-embed renders them to SVG in the page (page.ts).
 * Colours: one sequential scheme for magnitudes, a fixed colour-blind-safe pair for correct/wrong.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { Metrics } from '../metrics.js';
import type { Throughput } from '../run-throughput.js';

export type ChartSpecs = Record<string, TopLevelSpec>;

const CORRECT = '#4c78a8';
const WRONG = '#e45756';
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

/** Shared look: legible axes, no chart border. */
export const CHART_CONFIG = {
  font: FONT,
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 600, labelLimit: 160 },
  legend: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start', offset: 10 },
  view: { stroke: null },
} as const;

export const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** Confusion matrix as two heatmaps: raw counts, and each gold row normalised (recall on the diagonal). */
export function confusionSpec(m: Metrics): TopLevelSpec {
  const { labels, matrix } = m.confusion;
  const cells = labels.flatMap((gold, i) => {
    const total = matrix[i]!.reduce((a, b) => a + b, 0);
    return labels.map((predicted, j) => {
      const count = matrix[i]![j]!;
      return { gold, predicted, count, share: total > 0 ? count / total : 0 };
    });
  });
  const max = Math.max(1, ...cells.map((c) => c.count));
  const side = Math.max(180, Math.min(300, labels.length * 70));
  const axes = {
    x: { field: 'predicted', type: 'nominal', sort: labels, title: 'predicted', axis: { labelAngle: -30, orient: 'bottom' } },
    y: { field: 'gold', type: 'nominal', sort: labels, title: 'gold' },
  } as const;
  return {
    data: { values: cells },
    config: CHART_CONFIG,
    hconcat: [
      {
        name: 'counts',
        title: 'Counts',
        width: side,
        height: side,
        encoding: axes,
        layer: [
          {
            mark: { type: 'rect', tooltip: true },
            encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues', domain: [0, max] }, title: 'rows' } },
          },
          {
            name: 'counts_text',
            mark: { type: 'text', fontSize: 13 },
            encoding: {
              text: { field: 'count', type: 'quantitative' },
              color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: '#222' },
            },
          },
        ],
      },
      {
        name: 'shares',
        title: 'Share of each gold row (recall on the diagonal)',
        width: side,
        height: side,
        encoding: axes,
        layer: [
          {
            mark: { type: 'rect', tooltip: true },
            encoding: {
              color: {
                field: 'share',
                type: 'quantitative',
                scale: { scheme: 'greens', domain: [0, 1] },
                title: 'share',
                legend: { format: '.0%' },
              },
            },
          },
          {
            mark: { type: 'text', fontSize: 13 },
            encoding: {
              text: { field: 'share', type: 'quantitative', format: '.0%' },
              color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#222' },
            },
          },
        ],
      },
    ],
    resolve: { scale: { color: 'independent' } },
  };
}

/** Precision, recall and F1 per class, grouped bars. */
export function perClassSpec(m: Metrics): TopLevelSpec {
  const values = Object.entries(m.per_class).flatMap(([cls, c]) => [
    { class: cls, metric: 'precision', value: c.precision, support: c.support },
    { class: cls, metric: 'recall', value: c.recall, support: c.support },
    { class: cls, metric: 'F1', value: c.f1, support: c.support },
  ]);
  const order = ['precision', 'recall', 'F1'];
  return {
    data: { values },
    config: CHART_CONFIG,
    title: 'Per class: precision, recall, F1',
    width: Math.max(300, Object.keys(m.per_class).length * 110),
    height: 220,
    mark: { type: 'bar', tooltip: true },
    encoding: {
      x: { field: 'class', type: 'nominal', sort: m.confusion.labels, title: null, axis: { labelAngle: 0 } },
      xOffset: { field: 'metric', type: 'nominal', sort: order },
      y: { field: 'value', type: 'quantitative', scale: { domain: [0, 1] }, axis: { format: '.0%' }, title: null },
      color: {
        field: 'metric',
        type: 'nominal',
        sort: order,
        scale: { range: ['#4c78a8', '#f58518', '#54a24b'] },
        title: null,
        legend: { orient: 'top' },
      },
    },
  };
}

/** Reliability diagram: accuracy per confidence bin against the diagonal of perfect calibration. */
export function reliabilitySpec(m: Metrics): TopLevelSpec {
  const bins = m.calibration.bins
    .filter((b) => b.count > 0)
    .map((b) => ({ lo: b.lo, hi: b.hi, accuracy: b.correct / b.count, confidence: b.confidence, rows: b.count }));
  return {
    config: CHART_CONFIG,
    title: {
      text: 'Reliability diagram',
      subtitle: [`ECE ${m.ece?.toFixed(4) ?? 'n/a'} over ${m.calibration.rows} rows`, 'bar = accuracy, dot = mean confidence of the bin'],
    },
    width: 300,
    height: 300,
    layer: [
      {
        data: { values: bins },
        mark: { type: 'bar', color: CORRECT, opacity: 0.85, stroke: 'white', tooltip: true },
        encoding: {
          // Pre-binned data: `bin.binned` keeps the bars vertical (x/x2 alone would make them horizontal ranges).
          x: {
            field: 'lo',
            type: 'quantitative',
            bin: { binned: true, step: 0.1 },
            scale: { domain: [0, 1] },
            title: 'confidence (probability of the predicted label)',
            axis: { format: '.0%', tickCount: 5, labelFlush: false },
          },
          x2: { field: 'hi' },
          y: {
            field: 'accuracy',
            type: 'quantitative',
            scale: { domain: [0, 1] },
            title: 'accuracy in the bin',
            axis: { format: '.0%', tickCount: 5, labelFlush: false },
          },
        },
      },
      {
        data: { values: bins },
        mark: { type: 'point', filled: true, color: '#222', size: 40, tooltip: true },
        encoding: { x: { field: 'confidence', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' } },
      },
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
        mark: { type: 'line', color: '#666', strokeDash: [4, 4] },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
    ],
  };
}

/**
 * How many predictions fall in each confidence bin: correct and wrong in two panels with their own
 * y scales, because a good model's few wrong rows would vanish as a sliver on a stacked bar.
 */
export function confidenceHistogramSpec(m: Metrics): TopLevelSpec {
  const values = m.calibration.bins.flatMap((b) => [
    { lo: b.lo, hi: b.hi, outcome: 'correct', rows: b.correct },
    { lo: b.lo, hi: b.hi, outcome: 'wrong', rows: b.count - b.correct },
  ]);
  return {
    data: { values },
    config: CHART_CONFIG,
    title: {
      text: 'Confidence of correct and wrong predictions',
      subtitle: `log-loss ${m.log_loss?.toFixed(4) ?? 'n/a'}, Brier ${m.brier?.toFixed(4) ?? 'n/a'}; each panel has its own row scale`,
    },
    facet: {
      row: {
        field: 'outcome',
        type: 'nominal',
        sort: ['correct', 'wrong'],
        title: null,
        header: { labelFontSize: 13, labelFontWeight: 600, labelAngle: 0, labelAlign: 'left' },
      },
    },
    spec: {
      width: 380,
      height: 120,
      mark: { type: 'bar', stroke: 'white', tooltip: true },
      encoding: {
        x: {
          field: 'lo',
          type: 'quantitative',
          bin: { binned: true, step: 0.1 },
          scale: { domain: [0, 1] },
          title: 'confidence (probability of the predicted label)',
          axis: { format: '.0%', tickCount: 5, labelFlush: false },
        },
        x2: { field: 'hi' },
        y: { field: 'rows', type: 'quantitative', title: 'rows', axis: { tickCount: 4, tickMinStep: 1, format: 'd' } },
        color: { field: 'outcome', type: 'nominal', scale: { domain: ['correct', 'wrong'], range: [CORRECT, WRONG] }, legend: null },
      },
    },
    resolve: { scale: { y: 'independent' } },
  };
}

/** Pairs/s per worker over the run, one line per worker (distributed runs). */
export function throughputSpec(t: Throughput): TopLevelSpec {
  return {
    data: { values: t.points },
    config: CHART_CONFIG,
    title: { text: 'Throughput per worker', subtitle: `pairs/s in ${t.binSeconds}-s bins, from ${t.chunks} completed chunk(s)` },
    width: 560,
    height: 220,
    mark: { type: 'line', point: true, tooltip: true },
    encoding: {
      x: {
        field: 't',
        type: 'quantitative',
        title: "seconds since the run's first chunk started",
        scale: { domainMin: 0 },
        axis: { tickCount: 8 },
      },
      y: { field: 'pairs_per_s', type: 'quantitative', title: 'pairs/s' },
      color: { field: 'worker', type: 'nominal', title: 'worker', legend: { orient: 'top', labelLimit: 220 } },
    },
  };
}

/** Every chart the metrics can support: no labelled rows → none; no probabilities → no calibration charts. */
export function metricsCharts(m: Metrics): ChartSpecs {
  const charts: ChartSpecs = {};
  if (m.evaluated === 0) return charts;
  charts.confusion = confusionSpec(m);
  charts.per_class = perClassSpec(m);
  if (m.calibration !== undefined && m.calibration.rows > 0) {
    charts.reliability = reliabilitySpec(m);
    charts.confidence = confidenceHistogramSpec(m);
  }
  return charts;
}
