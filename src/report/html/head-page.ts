/**
 * The training view of a head file (`pairscore report head.json`): what it reads, how it was
 * trained (inputs, options, the leakage check), its curves per epoch and what it relies on.
 */
import type { HeadFile } from '../../classify/head-format.js';
import type { PermutationImportance } from '../../classify/importance.js';
import type { ChartSpecs } from './charts.js';
import { curvesSpec, importanceSpec, type EpochRecord } from './head-charts.js';
import { byline, card, chartDiv, esc, htmlShell } from './page.js';

const pct = (v: unknown) => (typeof v === 'number' ? `${(v * 100).toFixed(1)}%` : 'n/a');

export function renderHeadReport(head: HeadFile, file: string): string {
  const t = head.training ?? {};
  const history = Array.isArray(t.history) ? (t.history as EpochRecord[]) : [];
  const importance = t.importance as PermutationImportance | undefined;
  const bestEpoch = typeof t.best_epoch === 'number' ? t.best_epoch : undefined;
  const charts: ChartSpecs = {};
  if (history.length > 0) charts.curves = curvesSpec(history, bestEpoch);
  if (importance && importance.groups.length > 0) charts.importance = importanceSpec(importance);

  const i = head.inputs;
  const own = t.model_own_accuracy as { train: number; val: number; suspicious: boolean } | undefined;
  const cards = [
    card('labels', String(head.labels.length), head.labels.join(', ')),
    card('epochs run', String(t.epochs_run ?? 'n/a')),
    card('chosen epoch', String(bestEpoch ?? 'n/a')),
    card('val accuracy', pct(t.val_accuracy)),
    card('val macro-F1', pct(t.val_macro_f1)),
    card('train rows', String(t.train_rows ?? 'n/a')),
    card('val rows', String(t.val_rows ?? 'n/a')),
  ];
  const facts: Array<[string, string]> = [
    ['head file', `<code>${esc(file)}</code>`],
    ['model', `${esc(head.model.name ?? '')} <code>${esc(head.model.sha256)}</code>`],
    ['labels', esc(head.labels.join(', '))],
    [
      'inputs',
      esc(
        [
          i.embedding ? `${i.embedding} vector (${i.embedding_dim})` : null,
          `${i.features.length} feature columns`,
          i.logits ? `logits (${i.logits_dim})` : null,
        ]
          .filter(Boolean)
          .join(' + '),
      ),
    ],
    ['layers', esc(head.layers.map((l) => `${l.weight.length} ${l.activation}`).join(' → '))],
    ['trained on', `<code>${esc(t.train_file ?? '?')}</code>, validation: <code>${esc(t.val ?? 'none')}</code>`],
    ['options', `<code>${esc(JSON.stringify(t.options ?? {}))}</code>`],
  ];
  if (own) {
    facts.push([
      'leakage check',
      `the model's own accuracy: ${pct(own.train)} on training rows, ${pct(own.val)} on validation rows — ${own.suspicious ? '<b>suspicious</b>: its vectors look memorized on the training rows' : 'no sign of memorized vectors'}${t.auto_remedy ? `; remedy applied: <code>${esc(t.auto_remedy)}</code>` : ''}`,
    ]);
  }
  if (i.features.length > 0)
    facts.push([
      'features',
      `<details><summary>${i.features.length} columns</summary><code>${esc(i.features.join(', '))}</code></details>`,
    ]);

  const sections = [
    `<h1>${esc(`Head: ${file.split(/[\\/]/).pop()}`)}</h1><p class="sub">${esc(byline())}</p>`,
    `<div class="cards wide">${cards.join('')}</div>`,
    `<table class="facts">${facts.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table>`,
    '<h2>Training</h2>',
    history.length > 0
      ? `<p class="note">Loss, accuracy and macro-F1 per epoch on the training rows (under dropout) and the validation rows. Validation accuracy picks the epoch the head keeps; training stops after <code>patience</code> epochs without improvement.</p><div class="charts">${chartDiv(charts, 'curves', '')}</div>`
      : '<p class="note">This head file has no per-epoch history (trained by an older pairscore).</p>',
    '<h2>What the head relies on</h2>',
    importance
      ? `<p class="note">Permutation importance: each input group's columns are shuffled across the validation rows (seeded) and the head re-scored. A large drop means the head leans on that group; near 0, it decides without it. This is where to see whether the [CLS]/pooled vector or the hand-crafted features carry the decision.</p><div class="charts">${chartDiv(charts, 'importance', '')}</div>`
      : '<p class="note">No permutation importance: it needs validation rows (<code>--val</code> or <code>--val-fraction</code>), or the head was trained by an older pairscore.</p>',
  ];
  return htmlShell(`Head: ${file}`, sections, charts);
}
