/**
 * `npm run experiment:sick`: does an MLP head on the fine-tuned BERT's vectors +
 * hand-crafted features beat the fine-tuned BERT on SICK?
 *
 * Model: ../shared/models/bert-tiny-sick-seqcls (logits-only export, fine-tuned on
 * SICK_train; its own accuracy on SICK_trial is 63.8%). Rows are extracted from
 * SICK_train.tsv and SICK_trial.tsv with the real CLI (pooled vectors, every dense
 * feature plus the hashed `lexical` group, logits; and the [CLS] vectors), every
 * head is trained on SICK_train and early-stopped on SICK_trial, and accuracy and
 * macro-F1 on SICK_trial are reported as mean ± sample standard deviation over
 * seeds 1, 2, 3. Nothing else is tuned on: SICK_test is never read.
 *
 * The "defaults" row is exactly what a user gets with no flags: `extract` (default embedding,
 * features and logits) of both files and `train TRAIN --val TRIAL` through the real CLI (only
 * `--seed` added for seeds other than the default 1), the head scored by the same inference code
 * `score --mlp` uses.
 *
 * The memorized-vector trap: the model was fine-tuned on SICK_train, so its vectors
 * for those pairs already encode the gold label (its own accuracy there is ~86%).
 * The "remedy" rows show what `train` offers against it.
 *
 * Skips with a message when ../shared is absent.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli.js';
import { loadFeatureFile, type FeatureData } from '../src/classify/features-file.js';
import { fitHead, headJson, type FitOptions, type InputGroup } from '../src/classify/fit-head.js';
import { ownAccuracy } from '../src/classify/leakage.js';
import { Mlp, assembleInput, type HeadFile } from '../src/classify/index.js';
import { DEFAULT_TRAIN_OPTIONS, scorePredictions } from '../src/classify/train.js';
import { listFeatures } from '../src/features/index.js';

/** Repository root, from scripts/ (tsx) or dist/scripts/ (compiled). */
const repo = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();
const shared = path.resolve(repo, '..', 'shared');
const SEEDS = [1, 2, 3];

interface Variant {
  name: string;
  source: 'pooled' | 'cls';
  inputs: InputGroup[];
  features?: string[];
  extra?: Partial<FitOptions>;
  flags: string;
}

async function cli(args: string[]): Promise<void> {
  process.stderr.write(`$ pairscore ${args.join(' ')}\n`);
  const code = await main(['node', 'pairscore', ...args]);
  if (code !== 0) throw new Error(`pairscore ${args[0]} failed (exit ${code})`);
}

/** Accuracy and macro-F1 of a head on rows, through the same inference code `score` uses. */
function evaluateHead(head: HeadFile, data: FeatureData): { accuracy: number; macroF1: number } {
  const mlp = new Mlp(head);
  const F = data.featureNames.length;
  const featIdx = head.inputs.features.map((f) => data.featureNames.indexOf(f));
  const labels = head.labels.map((l) => l.toUpperCase());
  const pred = new Int32Array(data.n);
  const gold = new Int32Array(data.n);
  const feats = new Float32Array(featIdx.length);
  for (let r = 0; r < data.n; r++) {
    featIdx.forEach((k, j) => (feats[j] = data.features[r * F + k]!));
    const emb = data.embedding ? data.embedding.subarray(r * data.embeddingDim, (r + 1) * data.embeddingDim) : undefined;
    const log = data.logits ? data.logits.subarray(r * data.logitsDim, (r + 1) * data.logitsDim) : undefined;
    const p = mlp.predict(assembleInput(head, emb, feats, log));
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    pred[r] = best;
    gold[r] = labels.indexOf(data.gold[r]!.toUpperCase());
  }
  return scorePredictions(pred, gold, labels.length);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sd = (xs: number[]) => (xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / (xs.length - 1)));
const pct = (v: number) => (v * 100).toFixed(1);

export async function runSickExperiment(
  opts: { outDir?: string; seeds?: number[] } = {},
): Promise<Array<{ name: string; accuracy: number[]; macroF1: number[] }> | null> {
  const modelDir = path.join(shared, 'models', 'bert-tiny-sick-seqcls');
  const trainTsv = path.join(shared, 'data', 'sick', 'SICK_train.tsv');
  const trialTsv = path.join(shared, 'data', 'sick', 'SICK_trial.tsv');
  if (![modelDir, trainTsv, trialTsv].every((p) => fs.existsSync(p))) {
    process.stderr.write(`experiment:sick skipped: ../shared is absent (looked for ${modelDir} and ${path.dirname(trainTsv)})\n`);
    return null;
  }
  const seeds = opts.seeds ?? SEEDS;
  const out = path.resolve(opts.outDir ?? path.join(repo, 'out', 'experiment-sick'));
  fs.mkdirSync(out, { recursive: true });
  const files = {
    train: path.join(out, 'train.pooled.parquet'),
    trial: path.join(out, 'trial.pooled.parquet'),
    trainCls: path.join(out, 'train.cls.parquet'),
    trialCls: path.join(out, 'trial.cls.parquet'),
    trainDefault: path.join(out, 'train.default.parquet'),
    trialDefault: path.join(out, 'trial.default.parquet'),
  };
  const common = ['--model', modelDir, '--no-progress'];
  if (!fs.existsSync(files.train))
    await cli(['extract', trainTsv, ...common, '--embedding', 'pooled', '--features', 'all,lexical', '--out', files.train]);
  if (!fs.existsSync(files.trial))
    await cli(['extract', trialTsv, ...common, '--embedding', 'pooled', '--features', 'all,lexical', '--out', files.trial]);
  if (!fs.existsSync(files.trainCls))
    await cli(['extract', trainTsv, ...common, '--embedding', 'cls', '--features', 'none', '--no-logits', '--out', files.trainCls]);
  if (!fs.existsSync(files.trialCls))
    await cli(['extract', trialTsv, ...common, '--embedding', 'cls', '--features', 'none', '--no-logits', '--out', files.trialCls]);
  // The defaults: no flag but the model and the output (extract is re-run every time: the defaults are what is measured).
  await cli(['extract', trainTsv, ...common, '--out', files.trainDefault]);
  await cli(['extract', trialTsv, ...common, '--out', files.trialDefault]);

  const [train, trial, trainCls, trialCls] = await Promise.all(
    [files.train, files.trial, files.trainCls, files.trialCls].map(loadFeatureFile),
  );
  const dense = listFeatures().map((f) => f.name);
  const labels = train.meta!.model_labels;

  const results: Array<{ name: string; flags: string; accuracy: number[]; macroF1: number[]; note?: string }> = [];
  // What a user gets with no flags, through the real CLI.
  {
    const trialDefault = await loadFeatureFile(files.trialDefault);
    const acc: number[] = [];
    const f1: number[] = [];
    let note = '';
    const sigmas: number[] = [];
    for (const seed of seeds) {
      const headFile = path.join(out, `head.defaults.seed${seed}.json`);
      await cli([
        'train',
        files.trainDefault,
        '--val',
        files.trialDefault,
        ...(seed === DEFAULT_TRAIN_OPTIONS.seed ? [] : ['--seed', String(seed)]),
        '--no-progress',
        '--out',
        headFile,
      ]);
      const head = JSON.parse(fs.readFileSync(headFile, 'utf8')) as HeadFile;
      const e = evaluateHead(head, trialDefault);
      acc.push(e.accuracy);
      f1.push(e.macroF1);
      const o = head.training?.options as { vector_noise?: number } | undefined;
      if (o?.vector_noise) sigmas.push(o.vector_noise);
      note =
        `reads ${head.inputs.embedding ? `${head.inputs.embedding} + ` : ''}${head.inputs.features.length} features${head.inputs.logits ? ' + logits' : ''}; ` +
        `auto remedy: ${String(head.training?.auto_remedy ?? 'none')}${sigmas.length > 0 ? ` (σ = ${sigmas.join(' / ')})` : ''}`;
      process.stderr.write(
        `${'defaults (no flags)'.padEnd(44)} seed ${seed}: trial accuracy ${pct(e.accuracy)}%  macro-F1 ${pct(e.macroF1)}%\n`,
      );
    }
    results.push({ name: 'defaults (no flags)', flags: 'extract FILE; train TRAIN --val TRIAL', accuracy: acc, macroF1: f1, note });
  }
  // The same without --val: early stopping on a random 10% of SICK_train (memorized alike), so the
  // validation accuracy train reports is far above what the head does on SICK_trial.
  {
    const trialDefault = await loadFeatureFile(files.trialDefault);
    const acc: number[] = [];
    const f1: number[] = [];
    const reported: number[] = [];
    for (const seed of seeds) {
      const headFile = path.join(out, `head.defaults-noval.seed${seed}.json`);
      await cli([
        'train',
        files.trainDefault,
        ...(seed === DEFAULT_TRAIN_OPTIONS.seed ? [] : ['--seed', String(seed)]),
        '--no-progress',
        '--out',
        headFile,
      ]);
      const head = JSON.parse(fs.readFileSync(headFile, 'utf8')) as HeadFile;
      const e = evaluateHead(head, trialDefault);
      acc.push(e.accuracy);
      f1.push(e.macroF1);
      reported.push(Number(head.training?.val_accuracy ?? NaN));
      process.stderr.write(
        `${'defaults without --val'.padEnd(44)} seed ${seed}: trial accuracy ${pct(e.accuracy)}%  (train reported val accuracy ${pct(reported.at(-1)!)}%)\n`,
      );
    }
    results.push({
      name: 'defaults without --val',
      flags: 'extract FILE; train TRAIN',
      accuracy: acc,
      macroF1: f1,
      note: `validation accuracy train reports (random 10% of SICK_train): ${reported.map(pct).join(' / ')}`,
    });
  }
  // The model's own logits: no training, one number.
  {
    const goldIdx = Int32Array.from(trial.gold, (g) => labels.map((l) => l.toUpperCase()).indexOf(g.toUpperCase()));
    const pred = new Int32Array(trial.n);
    for (let r = 0; r < trial.n; r++) {
      let best = 0;
      for (let c = 1; c < trial.logitsDim; c++)
        if (trial.logits![r * trial.logitsDim + c]! > trial.logits![r * trial.logitsDim + best]!) best = c;
      pred[r] = best;
    }
    const s = scorePredictions(pred, goldIdx, labels.length);
    const own = ownAccuracy(train.logits!, train.logitsDim, train.gold, labels)!;
    results.push({
      name: "model's own logits",
      flags: '(score without --mlp)',
      accuracy: [s.accuracy],
      macroF1: [s.macroF1],
      note: `own accuracy on SICK_train: ${pct(own)}% (memorized)`,
    });
  }

  const variants: Variant[] = [
    { name: 'MLP on pooled only', source: 'pooled', inputs: ['embedding'], flags: '--inputs embedding' },
    { name: 'MLP on cls only', source: 'cls', inputs: ['embedding'], flags: '--inputs embedding (cls extract)' },
    {
      name: 'features only, dense 30',
      source: 'pooled',
      inputs: ['features'],
      features: dense,
      flags: `--inputs features --features <the 30 of all>`,
    },
    { name: 'features only (30 + lexical 1024)', source: 'pooled', inputs: ['features'], flags: '--inputs features' },
    {
      name: 'former defaults: pooled + dense 30',
      source: 'pooled',
      inputs: ['embedding', 'features'],
      features: dense,
      flags: 'extract --features all; train --inputs embedding,features',
    },
    { name: 'pooled + features', source: 'pooled', inputs: ['embedding', 'features'], flags: '--inputs embedding,features' },
    {
      name: 'remedy: pooled + features, group dropout',
      source: 'pooled',
      inputs: ['embedding', 'features'],
      extra: { groupDropout: 0.5 },
      flags: '--inputs embedding,features --group-dropout 0.5',
    },
    {
      name: 'remedy: pooled + features, noise auto',
      source: 'pooled',
      inputs: ['embedding', 'features'],
      extra: { vectorNoiseMode: 'auto' },
      flags: '--inputs embedding,features --vector-noise auto',
    },
    {
      name: 'pooled + features + logits',
      source: 'pooled',
      inputs: ['embedding', 'features', 'logits'],
      flags: '--inputs embedding,features,logits',
    },
    {
      name: 'remedy: pooled+feat+logits, group dropout',
      source: 'pooled',
      inputs: ['embedding', 'features', 'logits'],
      extra: { groupDropout: 0.5 },
      flags: '--inputs embedding,features,logits --group-dropout 0.5',
    },
    {
      name: 'remedy: pooled+feat+logits, noise auto',
      source: 'pooled',
      inputs: ['embedding', 'features', 'logits'],
      extra: { vectorNoiseMode: 'auto' },
      flags: '--inputs embedding,features,logits --vector-noise auto',
    },
    { name: 'features + logits (shrunk vector)', source: 'pooled', inputs: ['features', 'logits'], flags: '--inputs features,logits' },
    {
      name: 'remedy: features + logits, group dropout',
      source: 'pooled',
      inputs: ['features', 'logits'],
      extra: { groupDropout: 0.5 },
      flags: '--inputs features,logits --group-dropout 0.5',
    },
    {
      name: 'recipe: features + logits, noise auto',
      source: 'pooled',
      inputs: ['features', 'logits'],
      extra: { vectorNoiseMode: 'auto' },
      flags: '--inputs features,logits --vector-noise auto',
    },
  ];

  for (const v of variants) {
    const acc: number[] = [];
    const f1: number[] = [];
    const sigmas: number[] = [];
    for (const seed of seeds) {
      const t0 = performance.now();
      const fit: FitOptions = {
        ...DEFAULT_TRAIN_OPTIONS,
        seed,
        inputs: v.inputs,
        valFraction: 0,
        ...(v.features ? { features: v.features } : {}),
        ...v.extra,
      };
      const [tr, va] = v.source === 'cls' ? [trainCls, trialCls] : [train, trial];
      const r = fitHead(tr, va, fit);
      const e = evaluateHead(r.head, va);
      acc.push(e.accuracy);
      f1.push(e.macroF1);
      if (r.noise) sigmas.push(r.noise.sigma);
      if (seed === seeds[0]) fs.writeFileSync(path.join(out, `head.${v.name.replace(/[^a-z0-9]+/gi, '_')}.json`), headJson(r.head));
      process.stderr.write(
        `${v.name.padEnd(44)} seed ${seed}: trial accuracy ${pct(e.accuracy)}%  macro-F1 ${pct(e.macroF1)}%  (best epoch ${r.trained.bestEpoch}/${r.trained.epochs}, ${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
      );
    }
    // On the command line a head reading vectors without a remedy flag would get the automatic remedy: say --vector-noise 0.
    const readsVectors = v.inputs.includes('embedding') || v.inputs.includes('logits');
    results.push({
      name: v.name,
      flags: readsVectors && !v.extra ? `${v.flags} --vector-noise 0` : v.flags,
      accuracy: acc,
      macroF1: f1,
      ...(sigmas.length > 0 ? { note: `σ = ${sigmas.join(' / ')}` } : {}),
    });
  }

  const lines = [
    '',
    `SICK_trial (${trial.n} pairs), heads trained on SICK_train (${train.n}), early-stopped on SICK_trial; mean ± sd over seeds ${seeds.join(', ')}`,
    `head: --hidden ${DEFAULT_TRAIN_OPTIONS.hidden.join(',')} --activation ${DEFAULT_TRAIN_OPTIONS.activation} --dropout ${DEFAULT_TRAIN_OPTIONS.dropout} --lr ${DEFAULT_TRAIN_OPTIONS.lr} --weight-decay ${DEFAULT_TRAIN_OPTIONS.weightDecay} --batch-size ${DEFAULT_TRAIN_OPTIONS.batchSize} --patience ${DEFAULT_TRAIN_OPTIONS.patience} --class-weights ${DEFAULT_TRAIN_OPTIONS.classWeights}`,
    '',
    '| head | train flags | accuracy % | macro-F1 % | per seed (acc) | note |',
    '|---|---|---:|---:|---|---|',
    ...results.map(
      (r) =>
        `| ${r.name} | \`${r.flags}\` | ${pct(mean(r.accuracy))} ± ${pct(sd(r.accuracy))} | ${pct(mean(r.macroF1))} ± ${pct(sd(r.macroF1))} | ${r.accuracy.map(pct).join(' / ')} | ${r.note ?? ''} |`,
    ),
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  return results;
}

/** `--seeds 1,2,3,4,5` on the command line; default 1, 2, 3. */
function seedsArg(argv: readonly string[]): number[] | undefined {
  const i = argv.indexOf('--seeds');
  if (i === -1) return undefined;
  const seeds = (argv[i + 1] ?? '').split(',').map(Number);
  if (seeds.length === 0 || seeds.some((n) => !Number.isInteger(n) || n < 0))
    throw new Error('--seeds takes a comma list of whole numbers');
  return seeds;
}

const isMain = process.argv[1] && /experiment-sick\.(js|ts)$/.test(process.argv[1]);
if (isMain) {
  const seeds = seedsArg(process.argv.slice(2));
  runSickExperiment(seeds ? { seeds } : {}).catch((err: unknown) => {
    process.stderr.write(`experiment failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
