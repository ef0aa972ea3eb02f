/** Options and helpers shared by the commands. */
import { Command, InvalidArgumentError, Option } from 'commander';
import { settingOption, settingOptions } from './setting-option.js';
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
  device?: Device;
}

export function dataOptions(cmd: Command): Command {
  return columnOptions(cmd)
    .requiredOption('--out <file>', 'output file (.jsonl, .csv or .parquet; - for stdout)')
    .addOption(new Option('--format <fmt>', 'output format (default: from the --out extension)').choices(['jsonl', 'csv', 'parquet']))
    .addOption(settingOption('chunkRows'))
    .option('--no-progress', 'no progress (a bar on a terminal, a line every 10 s otherwise)');
}

/** Which columns of the input hold what, and its format (`prefix`: e.g. `with --input: `). */
export function columnOptions(cmd: Command, prefix = ''): Command {
  return settingOptions(cmd, ['premiseCol', 'hypothesisCol', 'labelCol', 'idCol', 'inputFormat'], { prefix });
}

/** How a model's sessions run: the same flags for `score`, `extract` and `worker`. */
export const SESSION_SETTINGS = ['threads', 'sessions', 'maxMemoryMb', 'batchTokens', 'device'] as const;

export function modelOptions(cmd: Command): Command {
  cmd
    .requiredOption('--model <dir>', 'model directory (model.onnx, config.json, tokenizer.json or vocab.txt)')
    .addOption(settingOption('maxLength'));
  return settingOptions(cmd, SESSION_SETTINGS);
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

export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function maxLen(f: { maxLength?: number }): { maxLength?: number } {
  return f.maxLength !== undefined ? { maxLength: f.maxLength } : {};
}
