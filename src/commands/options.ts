/** Options and helpers shared by the commands. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { LOG_LEVELS, loadConfig, type Config } from '../config.js';
import type { Device } from '../embed/types.js';
import type { LocalRunOptions } from '../run/local.js';

export const int =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive whole number`);
    return n;
  };

export interface DataFlags {
  premiseCol?: string;
  hypothesisCol?: string;
  labelCol?: string;
  idCol?: string;
  inputFormat?: 'csv' | 'tsv' | 'jsonl' | 'parquet';
  out: string;
  format?: string;
  chunkSize: number;
  progress: boolean;
}

export interface ModelFlags {
  model: string;
  maxLength?: number;
  batchTokens?: number;
  threads?: number;
  sessions?: number;
  maxMemory?: number;
  device: Device;
}

export function dataOptions(cmd: Command): Command {
  return cmd
    .option('--premise-col <name>', 'premise column (default: detected)')
    .option('--hypothesis-col <name>', 'hypothesis column (default: detected)')
    .option('--label-col <name>', 'gold label column (default: detected)')
    .option('--id-col <name>', 'id column (default: detected, else the row number)')
    .addOption(new Option('--input-format <fmt>', 'input format (default: from the extension)').choices(['csv', 'tsv', 'jsonl', 'parquet']))
    .requiredOption('--out <file>', 'output file (.jsonl, .csv or .parquet; - for stdout)')
    .addOption(new Option('--format <fmt>', 'output format (default: from the --out extension)').choices(['jsonl', 'csv', 'parquet']))
    .option('--chunk-size <n>', 'rows per pipeline chunk', int('--chunk-size'), 1024)
    .option('--no-progress', 'no progress (a bar on a terminal, a line every 10 s otherwise)');
}

export function modelOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--model <dir>', 'model directory (model.onnx, config.json, tokenizer.json or vocab.txt)')
    .option('--max-length <n>', "truncate pairs to this many tokens (default: the model's limit, at most 512)", int('--max-length'))
    .option('--batch-tokens <n>', 'padded-token budget per micro-batch (default: 1024 on CPU, 8192 on CUDA)', int('--batch-tokens'))
    .option('--threads <n>', 'intra-op threads per ONNX session (default: chosen, see --sessions)', int('--threads'))
    .option(
      '--sessions <n>',
      'ONNX sessions, each in its own worker thread (default on CPU: one per core with 1 thread each, fewer if their weights exceed --max-memory)',
      int('--sessions'),
    )
    .option(
      '--max-memory <MB>',
      "memory the sessions' weights may take when the layout is chosen (default PAIRSCORE_MAX_MEMORY_MB, else half the free memory)",
      int('--max-memory'),
    )
    .addOption(new Option('--device <device>', 'execution provider').choices(['cpu', 'cuda', 'webgpu', 'auto']).default('cpu'));
}

export function runOptions(input: string, f: DataFlags): LocalRunOptions {
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

export function configFor(f: Partial<ModelFlags>): Config {
  return loadConfig({ threads: f.threads, sessions: f.sessions, batchTokens: f.batchTokens, maxMemoryMb: f.maxMemory });
}

export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function maxLen(f: { maxLength?: number }): { maxLength?: number } {
  return f.maxLength !== undefined ? { maxLength: f.maxLength } : {};
}

/** A whole number ≥ 0 (an index such as a GPU ordinal, where 0 is the first). */
export const ordinal =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${name} must be a whole number ≥ 0`);
    return n;
  };

/** `--log-level`, the same for every long-running command. */
export function logLevelOption(): Option {
  return new Option('--log-level <level>', 'log level (default PAIRSCORE_LOG_LEVEL or info)').choices(LOG_LEVELS);
}
