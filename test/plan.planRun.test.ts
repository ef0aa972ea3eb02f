/**
 * The run plan decides, once, what a run computes. These tests pin the
 * decisions local and distributed runs share: an opt-in group such as
 * `lexical` is planned (and computed) the same way by both, a lexical head is
 * accepted, defaults come from one place, and a plan another build cannot
 * compute is refused naming both versions.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkPlanRuns, DEFAULT_EXTRACT, planRun } from '../src/plan.js';
import { createFeaturizer, createFeaturizerFor, DEFAULT_EXTRACT_FEATURES, selectFeatureNames } from '../src/features/index.js';
import { inspectModel } from '../src/embed/index.js';
import { makeModel } from '../src/modelgen/index.js';
import { InputError, ModelError } from '../src/errors.js';
import type { ModelInfo } from '../src/contracts.js';
import { makeTestHead } from './helpers/heads.js';

let dir = '';
let seqcls: ModelInfo;
let base: ModelInfo;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-plan-'));
  await makeModel({ outDir: path.join(dir, 'seqcls'), size: 'tiny', head: 'seqcls', seed: 3 });
  await makeModel({ outDir: path.join(dir, 'base'), size: 'tiny', head: 'base', seed: 3 });
  seqcls = (await inspectModel(path.join(dir, 'seqcls'), { cacheDir: path.join(dir, 'cache') })).info;
  base = (await inspectModel(path.join(dir, 'base'), { cacheDir: path.join(dir, 'cache') })).info;
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('selectFeatureNames plans the columns createFeaturizer computes, opt-in groups included', async () => {
  for (const selection of ['all', 'none', 'all,lexical', 'lexical', 'negation,lexical,number', 'lex_0007,neg_premise']) {
    const planned = selectFeatureNames(selection);
    const computed = (await createFeaturizer(selection)).names;
    assert.deepEqual(planned, [...computed], selection);
  }
  assert.ok(selectFeatureNames('all,lexical').length > 1000, 'the lexical group adds its 1,024 columns');
});

test('an extract plan with all,lexical names every lexical column; defaults come from DEFAULT_EXTRACT and DEFAULT_EXTRACT_FEATURES', () => {
  const lexical = planRun(seqcls, { task: 'extract', features: 'all,lexical' });
  assert.deepEqual(lexical.features, selectFeatureNames('all,lexical'));
  const plan = planRun(seqcls, { task: 'extract' });
  assert.equal(plan.featureSelection, DEFAULT_EXTRACT_FEATURES);
  assert.deepEqual(plan.features, selectFeatureNames(DEFAULT_EXTRACT_FEATURES));
  assert.deepEqual(plan.extract, {
    embedding: DEFAULT_EXTRACT.embedding,
    embeddingDim: seqcls.hiddenSize,
    logits: true,
    logitsDim: 3,
    modelLabels: seqcls.id2label,
  });
  assert.deepEqual(plan.kinds, ['pooled', 'logits']);
  assert.deepEqual(plan.labels, []);
  assert.equal(plan.maxLength, seqcls.maxLength);
});

test("a score plan with a head that reads lexical columns takes the head's features; a short message when columns are missing", () => {
  const features = selectFeatureNames('all,lexical');
  const head = makeTestHead({ sha256: seqcls.sha256, features, logits: true, embedding: 'cls', embeddingDim: seqcls.hiddenSize });
  const plan = planRun(seqcls, { task: 'score', head, headFile: 'lex.json' });
  assert.deepEqual(plan.features, features);
  assert.deepEqual(plan.kinds, ['cls', 'logits']);
  assert.deepEqual(plan.labels, head.labels);
  assert.equal(plan.headFile, 'lex.json');
  assert.throws(
    () => planRun(seqcls, { task: 'score', head, headFile: 'lex.json', features: 'all' }),
    (e: unknown) =>
      e instanceof ModelError &&
      /1024 feature column\(s\) that are not computed: lex_0000, .* and 1019 more/.test(e.message) &&
      e.message.length < 400,
  );
});

test("without a head a score plan needs the model's logits; max length is the model's and cannot exceed it", () => {
  assert.deepEqual(planRun(seqcls, { task: 'score' }).kinds, ['logits']);
  assert.deepEqual(planRun(seqcls, { task: 'score' }).labels, seqcls.id2label);
  assert.throws(
    () => planRun(base, { task: 'score' }),
    (e: unknown) => e instanceof ModelError && /no classifier logits.*--mlp/.test(e.message),
  );
  assert.equal(planRun(seqcls, { task: 'score', maxLength: 16 }).maxLength, 16);
  assert.throws(
    () => planRun(seqcls, { task: 'score', maxLength: seqcls.maxLength + 1 }),
    (e: unknown) => e instanceof InputError && /exceeds the model's limit/.test(e.message),
  );
  assert.throws(
    () => planRun(seqcls, { task: 'extract', head: makeTestHead({ sha256: seqcls.sha256, features: ['neg_premise'] }) }),
    InputError,
  );
});

test('a plan this build cannot compute is refused, naming both versions', async () => {
  const plan = planRun(seqcls, { task: 'extract', features: 'negation' });
  await assert.rejects(
    createFeaturizerFor(['neg_premise', 'no_such_column']),
    (e: unknown) => e instanceof InputError && /no_such_column/.test(e.message),
  );
  const f = await createFeaturizerFor(plan.features);
  assert.deepEqual([...f.names], plan.features);
  assert.doesNotThrow(() => checkPlanRuns(plan, seqcls, f.names, { planned: '0.1.0', here: '0.1.0' }));
  assert.throws(
    () => checkPlanRuns({ ...plan, features: [...plan.features, 'neg_extra'] }, seqcls, f.names, { planned: '9.9.9', here: '0.1.0' }),
    (e: unknown) => e instanceof ModelError && /plan made by pairscore 9\.9\.9 \(this is pairscore 0\.1\.0\)/.test(e.message),
  );
  assert.throws(
    () => checkPlanRuns({ ...plan, kinds: ['logits'] }, base, f.names, { planned: '0.1.0', here: '0.1.0' }),
    /cannot give logits/,
  );
});
