import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FeatureData } from '../src/classify/features-file.js';
import { fitHead, headJson, type FitOptions } from '../src/classify/fit-head.js';
import { headInputGroups, type PermutationImportance } from '../src/classify/importance.js';
import { DEFAULT_TRAIN_OPTIONS, Rng } from '../src/classify/train.js';

const LABELS = ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'];

/** One feature carries the label, one is noise; the pooled vector and the logits are right with probability `vecAccuracy`. */
function data(file: string, n: number, vecAccuracy: number, seed: number): FeatureData {
  const rng = new Rng(seed);
  const gold: string[] = [];
  const features = new Float32Array(n * 3);
  const logits = new Float32Array(n * 3);
  const embedding = new Float32Array(n * 4);
  for (let r = 0; r < n; r++) {
    const c = r % 3;
    gold.push(LABELS[c]!);
    features[r * 3] = c + rng.normal() * 0.3;
    features[r * 3 + 1] = rng.normal();
    features[r * 3 + 2] = rng.normal(); // a real registry column (neg_premise, group "negation"), pure noise here
    const said = rng.next() < vecAccuracy ? c : (c + 1 + Math.floor(rng.next() * 2)) % 3;
    for (let k = 0; k < 3; k++) logits[r * 3 + k] = k === said ? 3 : 0;
    for (let k = 0; k < 4; k++) embedding[r * 4 + k] = (k === said ? 2 : 0) + rng.normal() * 0.1;
  }
  return {
    file,
    meta: {
      format: 'pairscore-features',
      version: 1,
      model: { sha256: 'cd'.repeat(32), name: 'm' },
      embedding: 'pooled',
      embedding_dim: 4,
      features: ['f_label', 'f_noise', 'neg_premise'],
      logits: true,
      logits_dim: 3,
      model_labels: LABELS,
    },
    n,
    gold,
    ids: gold.map((_, i) => String(i)),
    embeddingDim: 4,
    embedding,
    featureNames: ['f_label', 'f_noise', 'neg_premise'],
    features,
    logitsDim: 3,
    logits,
    skippedErrors: 0,
    skippedUnlabelled: 0,
  };
}

const fit = (o: Partial<FitOptions> = {}): FitOptions => ({
  ...DEFAULT_TRAIN_OPTIONS,
  hidden: [8],
  epochs: 12,
  lr: 1e-2,
  inputs: ['embedding', 'features', 'logits'],
  valFraction: 0,
  autoRemedy: false,
  ...o,
});

describe('classify permutationImportance', () => {
  it('groups the head inputs: embedding, each feature group (unknown columns alone), logits', () => {
    const groups = headInputGroups({
      inputs: { embedding: 'pooled', embedding_dim: 4, features: ['f_label', 'f_noise', 'neg_premise'], logits: true, logits_dim: 3 },
    });
    assert.deepEqual(
      groups.map((g) => [g.group, g.columns]),
      [
        ['embedding (pooled)', [0, 1, 2, 3]],
        ['features: f_label', [4]],
        ['features: f_noise', [5]],
        ['features: negation', [6]],
        ['logits', [7, 8, 9]],
      ],
    );
  });

  it('the group that carries the label has the large drop; noise groups stay near 0', () => {
    // Vectors are weak (40% right) on both splits, so the head must lean on f_label.
    const r = fitHead(data('train', 450, 0.4, 1), data('val', 300, 0.4, 2), fit());
    const imp = r.head.training!.importance as PermutationImportance;
    assert.equal(imp.rows, 300);
    assert.ok(imp.base_accuracy > 0.85, `base accuracy ${imp.base_accuracy}`);
    const by = Object.fromEntries(imp.groups.map((g) => [g.group, g]));
    assert.ok(by['features: f_label']!.accuracy_drop > 0.3, JSON.stringify(imp.groups));
    assert.ok(by['features: f_label']!.macro_f1_drop > 0.3);
    for (const g of ['features: f_noise', 'features: negation'])
      assert.ok(Math.abs(by[g]!.accuracy_drop) < 0.08, `${g}: ${JSON.stringify(by[g])}`);
  });

  it('the head records per-epoch history and stays byte-identical for the same seed', () => {
    const a = fitHead(data('train', 240, 0.5, 1), data('val', 120, 0.5, 2), fit({ epochs: 5, patience: 10 }));
    const b = fitHead(data('train', 240, 0.5, 1), data('val', 120, 0.5, 2), fit({ epochs: 5, patience: 10 }));
    assert.equal(headJson(a.head), headJson(b.head));
    const history = a.head.training!.history as Array<Record<string, number>>;
    assert.deepEqual(
      history.map((h) => h.epoch),
      [1, 2, 3, 4, 5],
    );
    for (const h of history) {
      for (const k of ['loss', 'train_accuracy', 'train_macro_f1', 'val_loss', 'val_accuracy', 'val_macro_f1'])
        assert.equal(typeof h[k], 'number', k);
    }
    assert.equal(history[a.trained.bestEpoch - 1]!.val_accuracy, a.head.training!.val_accuracy);
    const c = fitHead(data('train', 240, 0.5, 1), data('val', 120, 0.5, 2), fit({ epochs: 5, patience: 10, seed: 43 }));
    assert.notEqual(headJson(a.head), headJson(c.head));
  });

  it('without validation rows there is no importance (it needs rows the head was not fitted on)', () => {
    const r = fitHead(data('train', 120, 0.5, 1), null, fit({ epochs: 2 }));
    assert.equal(r.head.training!.importance, undefined);
    assert.equal((r.head.training!.history as unknown[]).length, 2);
  });
});
