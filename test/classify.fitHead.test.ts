import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { FeatureData, FeaturesMeta } from '../src/classify/features-file.js';
import { fitHead, headJson, type FitOptions } from '../src/classify/fit-head.js';
import { compareOwnAccuracy, leakageMessage, ownAccuracy } from '../src/classify/leakage.js';
import { DEFAULT_TRAIN_OPTIONS, Rng } from '../src/classify/train.js';
import { headSchema } from '../src/classify/index.js';

const LABELS = ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'];
const SHA = 'ab'.repeat(32);

/**
 * Rows whose one feature carries the label (noisily) and whose "model logits" are
 * right with probability `logitAccuracy` — memorized on training rows (1.0), weak on new ones.
 */
function data(file: string, n: number, logitAccuracy: number, seed: number): FeatureData {
  const rng = new Rng(seed);
  const gold: string[] = [];
  const features = new Float32Array(n * 2);
  const logits = new Float32Array(n * 3);
  const embedding = new Float32Array(n * 4);
  for (let r = 0; r < n; r++) {
    const c = r % 3;
    gold.push(LABELS[c]!.toLowerCase());
    features[r * 2] = c + rng.normal() * 0.35;
    features[r * 2 + 1] = rng.normal();
    const said = rng.next() < logitAccuracy ? c : (c + 1 + Math.floor(rng.next() * 2)) % 3;
    for (let k = 0; k < 3; k++) logits[r * 3 + k] = k === said ? 3 : 0;
    for (let k = 0; k < 4; k++) embedding[r * 4 + k] = (k === said ? 2 : 0) + rng.normal() * 0.1;
  }
  const meta: FeaturesMeta = {
    format: 'pairscore-features',
    version: 1,
    model: { sha256: SHA, name: 'm' },
    embedding: 'pooled',
    embedding_dim: 4,
    features: ['f_label', 'f_noise'],
    logits: true,
    logits_dim: 3,
    model_labels: LABELS,
  };
  return {
    file,
    meta,
    n,
    gold,
    ids: gold.map((_, i) => String(i)),
    embeddingDim: 4,
    embedding,
    featureNames: ['f_label', 'f_noise'],
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
  epochs: 20,
  lr: 1e-2,
  inputs: ['embedding', 'features', 'logits'],
  valFraction: 0,
  ...o,
});

describe('classify fitHead', () => {
  it('writes a valid head in the model label order with inputs laid out [embedding | features | logits]', () => {
    const r = fitHead(data('train.jsonl', 300, 0.6, 1), data('val.jsonl', 90, 0.6, 2), fit());
    const head = headSchema.parse(JSON.parse(headJson(r.head)));
    assert.deepEqual(head.labels, LABELS);
    assert.deepEqual(head.inputs, { embedding: 'pooled', embedding_dim: 4, features: ['f_label', 'f_noise'], logits: true, logits_dim: 3 });
    assert.equal(head.model.sha256, SHA);
    assert.equal(head.standardize.mean.length, 9);
    assert.ok(r.trained.best!.valAccuracy > 0.8);
  });

  it('a feature subset and --inputs features read only those columns', () => {
    const r = fitHead(data('t', 120, 0.6, 1), null, fit({ inputs: ['features'], features: ['f_label'], valFraction: 0.2 }));
    assert.deepEqual(r.head.inputs, { embedding: null, embedding_dim: 0, features: ['f_label'], logits: false, logits_dim: 0 });
    assert.equal(r.trainRows, 96);
    assert.equal(r.valRows, 24);
  });

  it('warns with numbers when the model is far more accurate on the training rows than on validation rows', () => {
    const r = fitHead(data('train', 300, 1.0, 1), data('val', 150, 0.55, 2), fit({ epochs: 3 }));
    assert.ok(r.leakage);
    assert.equal(r.leakage.trainAccuracy, 1);
    assert.ok(Math.abs(r.leakage.valAccuracy - 0.55) < 0.1);
    assert.ok(r.leakage.suspicious);
    const msg = leakageMessage(r.leakage);
    assert.match(msg, /100\.0% on the training rows but \d+\.\d% on the validation rows/);
    assert.match(msg, /--vector-noise auto/);
    assert.deepEqual((r.head.training!.model_own_accuracy as { suspicious: boolean }).suspicious, true);
    // No warning when the model is as good on both.
    const fine = fitHead(data('train', 300, 0.6, 1), data('val', 150, 0.6, 2), fit({ epochs: 3 }));
    assert.equal(fine.leakage!.suspicious, false);
  });

  it('--vector-noise auto calibrates σ so the training vectors look as unreliable as new ones, and helps the head', () => {
    const train = data('train', 600, 1.0, 3);
    const val = data('val', 300, 0.4, 4);
    const naive = fitHead(train, val, fit({ epochs: 25 }));
    const remedy = fitHead(train, val, fit({ epochs: 25, vectorNoiseMode: 'auto' }));
    assert.ok(remedy.noise && remedy.noise.sigma > 0.3, `σ = ${remedy.noise?.sigma}`);
    assert.ok(
      remedy.trained.best!.valAccuracy >= naive.trained.best!.valAccuracy,
      `${remedy.trained.best!.valAccuracy} vs ${naive.trained.best!.valAccuracy}`,
    );
    assert.equal(
      remedy.head.training!.options && (remedy.head.training!.options as { vector_noise: number }).vector_noise,
      remedy.noise!.sigma,
    );
  });

  it('defaults: the head reads features + logits, and the check runs and picks the remedy before the first epoch', () => {
    const o = fit({ autoRemedy: true, epochs: 3 });
    delete o.inputs;
    const events: string[] = [];
    const r = fitHead(
      data('train', 300, 1.0, 1),
      data('val', 150, 0.55, 2),
      o,
      (e) => events.push(`epoch ${e.epoch}`),
      (ready) => {
        events.push('ready');
        assert.ok(ready.leakage?.suspicious, 'the check has run when onReady is called');
        assert.ok(ready.noise, 'σ is calibrated before training');
      },
    );
    assert.deepEqual(events, ['ready', 'epoch 1', 'epoch 2', 'epoch 3']);
    assert.deepEqual(r.inputs, ['features', 'logits']);
    assert.equal(r.inputsDefaulted, true);
    assert.deepEqual(r.head.inputs, { embedding: null, embedding_dim: 0, features: ['f_label', 'f_noise'], logits: true, logits_dim: 3 });
    assert.equal(r.autoRemedy?.flag, '--vector-noise auto');
    assert.equal(r.head.training!.auto_remedy, '--vector-noise auto');
    assert.match(r.leakageWarning!, /Applying --vector-noise auto automatically/);
  });

  it('the automatic remedy: group dropout for a head reading the embedding and features, none when turned off or already chosen', () => {
    const train = data('train', 300, 1.0, 1);
    const val = data('val', 150, 0.55, 2);
    const emb = fitHead(train, val, fit({ autoRemedy: true, epochs: 2 }));
    assert.equal(emb.autoRemedy?.flag, '--group-dropout 0.5');
    assert.equal((emb.head.training!.options as { group_dropout: number }).group_dropout, 0.5);
    const off = fitHead(train, val, fit({ autoRemedy: false, epochs: 2 }));
    assert.equal(off.autoRemedy, null);
    assert.equal((off.head.training!.options as { group_dropout: number; vector_noise: number }).group_dropout, 0);
    assert.equal(off.head.training!.auto_remedy, undefined);
    assert.match(off.leakageWarning!, /No remedy applied/);
    const chosen = fitHead(train, val, fit({ autoRemedy: true, epochs: 2, vectorNoiseMode: 'auto' }));
    assert.equal(chosen.autoRemedy, null);
    assert.match(chosen.leakageWarning!, /Remedy in use: --vector-noise auto/);
    assert.doesNotMatch(chosen.leakageWarning!, /Remedies?:.*--vector-noise auto|remedies:/);
    const featuresOnly = fitHead(train, val, fit({ autoRemedy: true, epochs: 2, inputs: ['features'] }));
    assert.equal(featuresOnly.autoRemedy, null);
    assert.match(featuresOnly.leakageWarning!, /reads no embedding or logits, so it is not affected/);
  });

  it('without a validation file, warns up front when the head reads vectors and not when it reads features only', () => {
    const t = data('t', 120, 1.0, 1);
    const vec = fitHead(t, null, fit({ epochs: 1, valFraction: 0.2 }));
    assert.ok(
      vec.warnings.some((w) => /no --val file/.test(w) && /--val FILE/.test(w)),
      vec.warnings.join('\n'),
    );
    const feat = fitHead(t, null, fit({ epochs: 1, valFraction: 0.2, inputs: ['features'] }));
    assert.ok(!feat.warnings.some((w) => /no --val file/.test(w)), feat.warnings.join('\n'));
  });

  it('refuses files without model facts and files from another model', () => {
    const t = data('t', 30, 0.6, 1);
    assert.throws(() => fitHead({ ...t, meta: null }, null, fit()), /pass --model DIR/);
    const v = data('v', 30, 0.6, 2);
    v.meta = { ...v.meta!, model: { sha256: 'cd'.repeat(32) } };
    assert.throws(() => fitHead(t, v, fit()), /different model/);
    assert.throws(() => fitHead({ ...t, logits: null, logitsDim: 0 }, null, fit()), /has no logits/);
  });

  it('ownAccuracy and compareOwnAccuracy', () => {
    const logits = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0]);
    assert.equal(ownAccuracy(logits, 3, ['entailment', 'neutral', 'neutral', 'other'], LABELS), 2 / 3);
    assert.equal(compareOwnAccuracy(0.86, 0.64, 495).suspicious, true);
    assert.equal(compareOwnAccuracy(0.86, 0.64, 10).suspicious, false);
    assert.equal(compareOwnAccuracy(0.7, 0.65, 495).suspicious, false);
  });
});
