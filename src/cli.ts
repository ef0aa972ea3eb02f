#!/usr/bin/env node
/**
 * The `pairscore` command line: commander definitions only; each command is a
 * thin call into the stage modules and the local runner.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option, InvalidArgumentError } from 'commander';
import { loadConfig, type Config } from './config.js';
import { EMBEDDING_KINDS, type EmbeddingKind } from './contracts.js';
import { exitCodeFor } from './errors.js';
import { createLogger } from './log.js';
import { formatModelInfo, inspectModel } from './embed/index.js';
import { listFeatures } from './features/index.js';
import { loadTokenizer } from './tokenize/index.js';
import { makeModel, type ModelHead, type ModelSize } from './modelgen/index.js';
import { openStages } from './stages.js';
import { runExtract, runScore, runTokenize, writeJson, type LocalRunOptions } from './run/local.js';
import { formatMetrics } from './report/metrics.js';
import { writeSyntheticPairs } from './synthetic/write.js';
import type { Device } from './embed/types.js';

const int = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
  return n;
};

interface DataFlags {
  premiseCol?: string;
  hypothesisCol?: string;
  labelCol?: string;
  idCol?: string;
  inputFormat?: 'csv' | 'tsv' | 'jsonl';
  out: string;
  format?: string;
  chunkSize: number;
  progress: boolean;
}

interface ModelFlags {
  model: string;
  maxLength?: number;
  batchTokens?: number;
  threads?: number;
  sessions?: number;
  device: Device;
}

function dataOptions(cmd: Command): Command {
  return cmd
    .option('--premise-col <name>', 'premise column (default: detected)')
    .option('--hypothesis-col <name>', 'hypothesis column (default: detected)')
    .option('--label-col <name>', 'gold label column (default: detected)')
    .option('--id-col <name>', 'id column (default: detected, else the row number)')
    .addOption(new Option('--input-format <fmt>', 'input format (default: from the extension)').choices(['csv', 'tsv', 'jsonl']))
    .requiredOption('--out <file>', 'output file (.jsonl or .csv; - for stdout)')
    .addOption(new Option('--format <fmt>', 'output format (default: from the --out extension)').choices(['jsonl', 'csv']))
    .option('--chunk-size <n>', 'rows per pipeline chunk', int('--chunk-size'), 1024)
    .option('--no-progress', 'no progress bar');
}

function modelOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--model <dir>', 'model directory (model.onnx, config.json, tokenizer.json or vocab.txt)')
    .option('--max-length <n>', "truncate pairs to this many tokens (default: the model's limit, at most 512)", int('--max-length'))
    .option('--batch-tokens <n>', 'padded-token budget per micro-batch (default 1024)', int('--batch-tokens'))
    .option('--threads <n>', 'intra-op threads per ONNX session (default: all cores)', int('--threads'))
    .option('--sessions <n>', 'ONNX sessions, each in its own worker thread (default 1)', int('--sessions'))
    .addOption(new Option('--device <device>', 'execution provider').choices(['cpu', 'cuda', 'webgpu', 'auto']).default('cpu'));
}

function runOptions(input: string, f: DataFlags): LocalRunOptions {
  const columns: LocalRunOptions['columns'] = {};
  if (f.premiseCol) columns.premiseCol = f.premiseCol;
  if (f.hypothesisCol) columns.hypothesisCol = f.hypothesisCol;
  if (f.labelCol) columns.labelCol = f.labelCol;
  if (f.idCol) columns.idCol = f.idCol;
  if (f.inputFormat) columns.format = f.inputFormat;
  const opts: LocalRunOptions = { input, columns, out: f.out, chunkSize: f.chunkSize, progress: f.progress };
  if (f.format) opts.format = f.format;
  return opts;
}

function configFor(f: Partial<ModelFlags>): Config {
  return loadConfig({ threads: f.threads, sessions: f.sessions, batchTokens: f.batchTokens });
}

function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function buildProgram(): Command {
  const program = new Command('pairscore')
    .description('Score sentence pairs with a fine-tuned BERT [CLS]/pooled vector, hand-crafted features and an MLP head')
    .showHelpAfterError();

  program
    .command('make-model')
    .description('write a BERT ONNX export with seeded random weights (Hugging Face/optimum layout)')
    .addOption(new Option('--size <size>', 'model size').choices(['tiny', 'mini', 'small', 'medium', 'base']).default('tiny'))
    .addOption(new Option('--head <head>', 'base: last_hidden_state + pooler_output; seqcls: logits only').choices(['base', 'seqcls']).default('seqcls'))
    .option('--labels <n>', 'number of labels (seqcls)', int('--labels'), 3)
    .option('--seed <n>', 'random seed', int('--seed'), 42)
    .option('--no-token-type-ids', 'no token_type_ids input (RoBERTa/DistilBERT-style export)')
    .option('--vocab <file>', 'use this vocab.txt instead of the built-in vocabulary')
    .requiredOption('--out <dir>', 'output directory')
    .action(async (f: { size: ModelSize; head: ModelHead; labels: number; seed: number; tokenTypeIds: boolean; vocab?: string; out: string }) => {
      const r = await makeModel({
        outDir: f.out, size: f.size, head: f.head, labels: f.labels, seed: f.seed, tokenTypeIds: f.tokenTypeIds,
        ...(f.vocab ? { vocabFile: f.vocab } : {}),
      });
      say(`wrote ${r.outDir}: ${r.files.map((f) => path.basename(f)).join(', ')} (${(r.bytes / 1e6).toFixed(1)} MB, ${r.parameters.toLocaleString()} parameters, sha256 ${r.sha256.slice(0, 12)}…)`);
    });

  program
    .command('inspect <dir>')
    .description('show inputs, outputs, hidden size and the embeddings a model can give (exposing inner tensors of logits-only exports)')
    .option('--json', 'print JSON')
    .action(async (dir: string, f: { json?: boolean }) => {
      const { info, modelPath } = await inspectModel(dir, { cacheDir: loadConfig().cacheDir });
      process.stdout.write(f.json ? `${JSON.stringify({ ...info, modelPath }, null, 2)}\n` : `${formatModelInfo(info, modelPath)}\n`);
    });

  program
    .command('features')
    .description('list the hand-crafted features, in the order they are written')
    .action(() => {
      for (const f of listFeatures()) process.stdout.write(`${f.name.padEnd(24)} ${f.description}\n`);
    });

  program
    .command('generate')
    .description('write built-in synthetic NLI pairs (negation, antonym, number and quantifier contradictions)')
    .option('--count <n>', 'pairs', int('--count'), 1000)
    .option('--seed <n>', 'random seed', int('--seed'), 7)
    .requiredOption('--out <file>', 'output file (.jsonl, .csv or .tsv)')
    .action(async (f: { count: number; seed: number; out: string }) => {
      await writeSyntheticPairs(f.out, f.count, f.seed);
      say(`wrote ${f.count} pairs to ${f.out}`);
    });

  dataOptions(
    program
      .command('tokenize <input>')
      .description('write {index, id, input_ids, token_type_ids} rows')
      .requiredOption('--model <dir>', 'model directory (tokenizer.json or vocab.txt)')
      .option('--max-length <n>', "truncate to this many tokens (default: the model's limit)", int('--max-length')),
  ).action(async (input: string, f: DataFlags & { model: string; maxLength?: number }) => {
    const tokenizer = await loadTokenizer(f.model, f.maxLength !== undefined ? { maxLength: f.maxLength } : {});
    const r = await runTokenize(tokenizer, f.maxLength, runOptions(input, f));
    say(`tokenized ${r.rows} rows (${r.errors} with errors) in ${r.seconds.toFixed(2)} s → ${f.out}`);
  });

  modelOptions(
    dataOptions(
      program
        .command('extract <input>')
        .description('write {index, id, gold?, embedding, features, logits?} rows')
        .addOption(new Option('--embedding <kind>', 'vector to write').choices([...EMBEDDING_KINDS, 'none']).default('pooled'))
        .option('--features <list>', 'hand-crafted features: all, none or a comma list', 'all')
        .option('--no-logits', "do not write the model's logits"),
    ),
  ).action(async (input: string, f: DataFlags & ModelFlags & { embedding: EmbeddingKind | 'none'; features: string; logits: boolean }) => {
    const stages = await openStages({ modelDir: f.model, features: f.features, device: f.device, ...maxLen(f) }, configFor(f), say);
    try {
      const embedding = f.embedding === 'none' ? null : f.embedding;
      const r = await runExtract(stages, { embedding, logits: f.logits }, runOptions(input, f));
      say(`extracted ${r.rows} rows (${r.errors} with errors) in ${r.seconds.toFixed(2)} s → ${f.out}`);
    } finally {
      await stages.embedder.close();
    }
  });

  modelOptions(
    dataOptions(
      program
        .command('score <input>')
        .description('classify every pair: {index, id, label, probs, gold?, error?} rows, plus metrics when gold labels exist')
        .option('--mlp <head.json>', "MLP head file (default: the model's own logits)")
        .option('--features <list>', "hand-crafted features (default: the head's)")
        .option('--metrics <file>', 'write metrics JSON here'),
    ),
  ).action(async (input: string, f: DataFlags & ModelFlags & { mlp?: string; features?: string; metrics?: string }) => {
    const stages = await openStages(
      { modelDir: f.model, device: f.device, ...(f.mlp ? { mlpFile: f.mlp } : {}), ...(f.features ? { features: f.features } : {}), ...maxLen(f) },
      configFor(f),
      say,
    );
    try {
      const r = await runScore(stages, { ...runOptions(input, f), ...(f.metrics ? { metricsFile: f.metrics } : {}) });
      say(formatMetrics(r.metrics));
      say(`rows → ${f.out}${f.metrics ? `, metrics → ${f.metrics}` : ''}`);
    } finally {
      await stages.embedder.close();
    }
  });

  return program;
}

function maxLen(f: { maxLength?: number }): { maxLength?: number } {
  return f.maxLength !== undefined ? { maxLength: f.maxLength } : {};
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    const code = exitCodeFor(err);
    const msg = err instanceof Error ? err.message : String(err);
    process.stderr.write(`pairscore: error: ${msg}\n`);
    if (code === 1 && err instanceof Error && err.stack) {
      createLogger(loadConfig().logLevel).debug({ err }, 'unexpected error');
    }
    return code;
  }
}

// Run only as the entry point (also through npm's bin symlink), so tests can
// import buildProgram without side effects.
function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (isEntryPoint()) {
  main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
