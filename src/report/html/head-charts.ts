/**
 * Vega-Lite specs for a head file's training view: loss / accuracy / macro-F1 per epoch (train and
 * validation, the chosen epoch marked), and the permutation importance of each input group.
 * Read from the head's `training` record (fit-head.ts writes it; older heads lack the fields and
 * get no charts — the page says so).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { GroupImportance, PermutationImportance } from '../../classify/importance.js';
import { CHART_CONFIG } from './charts.js';

export interface EpochRecord {
  epoch: number;
  loss: number;
  train_accuracy: number;
  train_macro_f1: number;
  val_loss?: number;
  val_accuracy?: number;
  val_macro_f1?: number;
}

const TRAIN = '#4c78a8';
const VAL = '#f58518';

export function curvesSpec(history: readonly EpochRecord[], bestEpoch: number | undefined): TopLevelSpec {
  const values = history.flatMap((h) => [
    { epoch: h.epoch, split: 'train', metric: 'loss', value: h.loss },
    { epoch: h.epoch, split: 'train', metric: 'accuracy', value: h.train_accuracy },
    { epoch: h.epoch, split: 'train', metric: 'macro-F1', value: h.train_macro_f1 },
    ...(h.val_loss !== undefined
      ? [
          { epoch: h.epoch, split: 'validation', metric: 'loss', value: h.val_loss },
          { epoch: h.epoch, split: 'validation', metric: 'accuracy', value: h.val_accuracy },
          { epoch: h.epoch, split: 'validation', metric: 'macro-F1', value: h.val_macro_f1 },
        ]
      : []),
  ]);
  const epochs = history.length;
  return {
    data: { values },
    config: CHART_CONFIG,
    title: {
      text: 'Training curves',
      subtitle:
        bestEpoch !== undefined
          ? `dashed line: the chosen epoch (${bestEpoch}), whose weights the head keeps; train numbers are under dropout`
          : 'train numbers are under dropout',
    },
    facet: {
      column: {
        field: 'metric',
        type: 'nominal',
        sort: ['loss', 'accuracy', 'macro-F1'],
        title: null,
        header: { labelFontSize: 13, labelFontWeight: 600 },
      },
    },
    spec: {
      width: 250,
      height: 200,
      layer: [
        {
          mark: { type: 'line', point: epochs <= 40, tooltip: true },
          encoding: {
            x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' }, scale: { domainMin: 1 } },
            y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
            color: {
              field: 'split',
              type: 'nominal',
              scale: { domain: ['train', 'validation'], range: [TRAIN, VAL] },
              title: null,
              legend: { orient: 'top' },
            },
          },
        },
        // One rule per panel: a bare `datum` rule would be drawn once per data row of the facet.
        ...(bestEpoch !== undefined
          ? [
              {
                transform: [{ filter: `datum.epoch === ${bestEpoch} && datum.split === 'train'` }],
                mark: { type: 'rule' as const, strokeDash: [4, 4], color: '#666' },
                encoding: { x: { field: 'epoch', type: 'quantitative' as const } },
              },
            ]
          : []),
      ],
    },
    resolve: { scale: { y: 'independent' } },
  };
}

export function importanceSpec(imp: PermutationImportance): TopLevelSpec {
  const order = [...imp.groups].sort((a: GroupImportance, b: GroupImportance) => b.accuracy_drop - a.accuracy_drop).map((g) => g.group);
  const values = imp.groups.flatMap((g) => [
    { group: g.group, measure: 'accuracy', drop: g.accuracy_drop, columns: g.columns },
    { group: g.group, measure: 'macro-F1', drop: g.macro_f1_drop, columns: g.columns },
  ]);
  return {
    data: { values },
    config: CHART_CONFIG,
    title: {
      text: 'What the head relies on',
      subtitle: `drop when a group's columns are shuffled across ${imp.rows} validation rows (base accuracy ${(imp.base_accuracy * 100).toFixed(1)}%)`,
    },
    width: 420,
    height: { step: 14 },
    mark: { type: 'bar', tooltip: true },
    encoding: {
      y: { field: 'group', type: 'nominal', sort: order, title: null, axis: { labelLimit: 220 } },
      yOffset: { field: 'measure', type: 'nominal', sort: ['accuracy', 'macro-F1'] },
      x: {
        field: 'drop',
        type: 'quantitative',
        title: 'drop (percentage points)',
        axis: { format: '.0%', tickCount: 6, labelOverlap: true },
      },
      color: {
        field: 'measure',
        type: 'nominal',
        sort: ['accuracy', 'macro-F1'],
        scale: { range: [TRAIN, '#54a24b'] },
        title: null,
        legend: { orient: 'top' },
      },
    },
  };
}
