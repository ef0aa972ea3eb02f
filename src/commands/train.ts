/** `train` (fit an MLP head on extracted features) and `eval` (metrics of a predictions file). */
import fs from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { EMBEDDING_KINDS, type EmbeddingKind } from '../contracts.js';
import { InputError } from '../errors.js';
import { loadFeatureFile } from '../classify/features-file.js';
import { fitHead, headJson, type FitOptions, type FitReady, type InputGroup } from '../classify/fit-head.js';
import { DEFAULT_TRAIN_OPTIONS, type EpochReport, type TrainOptions } from '../classify/train.js';
import { evaluatePredictions } from '../report/eval.js';
import { formatMetrics } from '../report/metrics.js';
import { sha256File } from '../sha256-file.js';
import { int, say } from './options.js';

const num =
  (name: string, min: number, max: number) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be a number in [${min}, ${max}]`);
    return n;
  };

const seedArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError('--seed must be a whole number in [0, 2^32)');
  return n;
};

const hiddenArg = (v: string): number[] => {
  if (v.trim() === '' || v.trim() === '0' || v.trim().toLowerCase() === 'none') return [];
  const parts = v.split(',').map((s) => Number(s.trim()));
  if (parts.some((n) => !Number.isInteger(n) || n < 1 || n > 16384))
    throw new InvalidArgumentError('--hidden must be a comma list of layer widths, e.g. 256,64 (or none)');
  return parts;
};

const inputsArg = (v: string): InputGroup[] => {
  const parts = v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const ok: InputGroup[] = ['embedding', 'features', 'logits'];
  const bad = parts.filter((p) => !(ok as string[]).includes(p));
  if (bad.length > 0 || parts.length === 0) throw new InvalidArgumentError(`--inputs takes a comma list of ${ok.join(', ')}`);
  return [...new Set(parts as InputGroup[])];
};

/** The training options as flags; `--vector-noise` also takes `auto`, resolved after loading. */
type TrainFlags = Omit<TrainOptions, 'vectorNoise'> & {
  out: string;
  val?: string;
  valFraction: number;
  inputs?: InputGroup[];
  features?: string;
  vectorNoise: string;
  model?: string;
  embeddingKind?: EmbeddingKind;
  progress: boolean;
};

/** sha256 and labels of a model directory, without loading it. */
async function modelFacts(dir: string): Promise<{ sha256: string; labels: string[]; name: string }> {
  const onnx = path.join(dir, 'model.onnx');
  if (!fs.existsSync(onnx)) throw new InputError(`--model ${dir}: no model.onnx there`);
  const sha256 = await sha256File(onnx);
  let labels: string[] = [];
  try {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { id2label?: Record<string, string> };
    if (config.id2label)
      labels = Object.entries(config.id2label)
        .sort((a, b) => Number(a[0]) - Number(b[0]))
        .map(([, l]) => l);
  } catch {
    // no config.json: labels come from the gold column
  }
  return { sha256, labels, name: path.basename(path.resolve(dir)) };
}

export function registerTrainCommands(program: Command): void {
  program
    .command('train <features>')
    .description('fit an MLP head on rows written by `extract` (.jsonl or .parquet); writes the head file `score --mlp` reads')
    .requiredOption('--out <head.json>', 'head file to write')
    .option('--val <file>', 'validation rows (extracted with the same model) for early stopping')
    .option(
      '--val-fraction <f>',
      'hold out this fraction of the training rows for early stopping when --val is not given (0 = train on all, no early stopping)',
      num('--val-fraction', 0, 0.9),
      0.1,
    )
    .option(
      '--inputs <list>',
      'what the head reads: embedding, features, logits (comma list; default: features,logits — whichever the rows carry)',
      inputsArg,
    )
    .option('--features <list>', 'subset of the feature columns (comma list; default: every feature in the file)')
    .option('--hidden <widths>', 'hidden layer widths, comma list, or none', hiddenArg, DEFAULT_TRAIN_OPTIONS.hidden)
    .addOption(
      new Option('--activation <fn>', 'hidden activation').choices(['relu', 'gelu', 'tanh']).default(DEFAULT_TRAIN_OPTIONS.activation),
    )
    .option('--dropout <p>', 'dropout after each hidden layer', num('--dropout', 0, 0.95), DEFAULT_TRAIN_OPTIONS.dropout)
    .option('--lr <rate>', 'AdamW learning rate', num('--lr', 1e-7, 10), DEFAULT_TRAIN_OPTIONS.lr)
    .option('--weight-decay <wd>', 'AdamW decoupled weight decay', num('--weight-decay', 0, 10), DEFAULT_TRAIN_OPTIONS.weightDecay)
    .option('--batch-size <n>', 'rows per mini-batch', int('--batch-size'), DEFAULT_TRAIN_OPTIONS.batchSize)
    .option('--epochs <n>', 'maximum epochs', int('--epochs'), DEFAULT_TRAIN_OPTIONS.epochs)
    .option(
      '--patience <n>',
      'stop after this many epochs without a better validation accuracy',
      int('--patience'),
      DEFAULT_TRAIN_OPTIONS.patience,
    )
    .option('--seed <n>', 'random seed (same inputs + seed → the same head, byte for byte)', seedArg, DEFAULT_TRAIN_OPTIONS.seed)
    .addOption(
      new Option('--class-weights <mode>', 'loss weights per class')
        .choices(['balanced', 'none'])
        .default(DEFAULT_TRAIN_OPTIONS.classWeights),
    )
    .option(
      '--group-dropout <p>',
      'drop the whole vector part (embedding + logits) of a training row with this probability',
      num('--group-dropout', 0, 1),
      0,
    )
    .option(
      '--vector-noise <sigma|auto>',
      'Gaussian noise on the standardized vector inputs of training rows; auto = calibrated on --val so training vectors are as unreliable as new ones (default 0, or a remedy chosen automatically when the leakage check fires; an explicit value, even 0, turns that off)',
      '0',
    )
    .option('--model <dir>', 'the model the rows were extracted with (only needed when the feature file has no .meta.json sidecar)')
    .addOption(new Option('--embedding-kind <kind>', 'which vector the rows hold (only without a sidecar)').choices([...EMBEDDING_KINDS]))
    .option('--no-progress', 'no per-epoch progress lines')
    .action(async (input: string, f: TrainFlags, cmd: Command) => {
      const noiseAuto = f.vectorNoise.trim().toLowerCase() === 'auto';
      const noise = noiseAuto ? 0 : Number(f.vectorNoise);
      if (!noiseAuto && (!Number.isFinite(noise) || noise < 0)) throw new InputError('--vector-noise must be a number ≥ 0 or auto');
      const [train, val] = await Promise.all([loadFeatureFile(input), f.val ? loadFeatureFile(f.val) : Promise.resolve(null)]);
      const opts: FitOptions = {
        ...DEFAULT_TRAIN_OPTIONS,
        hidden: f.hidden,
        activation: f.activation,
        dropout: f.dropout,
        lr: f.lr,
        weightDecay: f.weightDecay,
        batchSize: f.batchSize,
        epochs: f.epochs,
        patience: f.patience,
        seed: f.seed,
        classWeights: f.classWeights,
        groupDropout: f.groupDropout,
        vectorNoise: noise,
        vectorNoiseMode: noiseAuto ? 'auto' : 'fixed',
        valFraction: f.val ? 0 : f.valFraction,
        // A remedy flag given explicitly (even --vector-noise 0) is the user's choice: no automatic remedy then.
        autoRemedy: cmd.getOptionValueSource('vectorNoise') === 'default' && cmd.getOptionValueSource('groupDropout') === 'default',
      };
      if (f.inputs) opts.inputs = f.inputs;
      if (f.features)
        opts.features = f.features
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
      if (f.model) {
        const m = await modelFacts(f.model);
        opts.model = { ...m, embedding: f.embeddingKind ?? null };
        if (train.meta && train.meta.model.sha256 !== m.sha256) {
          throw new InputError(
            `${input} was extracted with a model of sha256 ${train.meta.model.sha256.slice(0, 12)}…, but --model ${f.model} has ${m.sha256.slice(0, 12)}…`,
          );
        }
      } else if (f.embeddingKind) {
        opts.model = { sha256: '', labels: [], embedding: f.embeddingKind };
        if (!train.meta) throw new InputError(`${input} has no sidecar: pass --model DIR as well`);
      }
      for (const d of [train, val]) {
        if (d && (d.skippedErrors > 0 || d.skippedUnlabelled > 0))
          say(`${d.file}: skipped ${d.skippedErrors} rows with errors and ${d.skippedUnlabelled} without a gold label`);
      }
      const started = performance.now();
      const pct = (v: number | undefined) => (v === undefined ? '   n/a' : `${(v * 100).toFixed(2)}%`);
      const onEpoch = (r: EpochReport): void => {
        if (!f.progress) return;
        say(
          `epoch ${String(r.epoch).padStart(3)}/${f.epochs}  loss ${r.loss.toFixed(4)}  train acc ${pct(r.trainAccuracy)}` +
            (r.valAccuracy !== undefined
              ? `  val loss ${r.valLoss!.toFixed(4)}  val acc ${pct(r.valAccuracy)}  val macro-F1 ${pct(r.valMacroF1)}${r.best ? '  *' : ''}`
              : ''),
        );
      };
      // Before the first epoch: what the head reads, the leakage check and the remedy.
      const onReady = (r: FitReady): void => {
        if (r.inputsDefaulted) say(`inputs (default): ${r.inputs.join(',')} — --inputs to choose`);
        for (const w of r.warnings) say(w);
        if (r.leakage)
          say(
            `model's own accuracy: ${pct(r.leakage.trainAccuracy)} on the training rows, ${pct(r.leakage.valAccuracy)} on the validation rows`,
          );
        if (r.leakageWarning) say(r.leakageWarning);
        if (r.noise) {
          say(
            `vector noise (auto): σ = ${r.noise.sigma} (a linear probe on the vectors: ${pct(r.noise.probeTrainAccuracy)} on training rows, ${pct(r.noise.probeValAccuracy)} on validation rows)`,
          );
        }
      };
      const result = fitHead(train, val, opts, onEpoch, onReady);
      await fs.promises.mkdir(path.dirname(path.resolve(f.out)), { recursive: true });
      await (await import('../report/atomic-file.js')).writeFileAtomic(f.out, headJson(result.head)); // whole or absent: temp file + rename
      const t = result.trained;
      say(
        `trained on ${result.trainRows} rows (${result.head.inputs.embedding ? `${result.head.inputs.embedding} ${result.head.inputs.embedding_dim} + ` : ''}${result.head.inputs.features.length} features` +
          `${result.head.inputs.logits ? ` + ${result.head.inputs.logits_dim} logits` : ''})${result.autoRemedy ? ` with ${result.autoRemedy.flag} (applied automatically)` : ''}, ${t.epochs} epochs in ${((performance.now() - started) / 1000).toFixed(1)} s` +
          (t.best
            ? `; best epoch ${t.bestEpoch}: val accuracy ${pct(t.best.valAccuracy)}, macro-F1 ${pct(t.best.valMacroF1)} on ${result.valRows} rows`
            : '') +
          ` → ${f.out}`,
      );
    });

  program
    .command('eval <predictions>')
    .description(
      'accuracy, macro-F1, per-class precision/recall/F1 and the confusion matrix of a `score` output (.jsonl, .csv or .parquet)',
    )
    .option('--json', 'print the metrics as JSON')
    .action(async (file: string, f: { json?: boolean }) => {
      const metrics = await evaluatePredictions(file);
      process.stdout.write(f.json ? `${JSON.stringify(metrics, null, 2)}\n` : `${formatMetrics(metrics)}\n`);
    });
}
