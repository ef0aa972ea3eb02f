/** `make-model` and `inspect`: making and looking inside model exports. */
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { formatModelInfo, inspectModel } from '../embed/index.js';
import { makeModel, type ModelHead, type ModelSize } from '../modelgen/index.js';
import { int, say } from './options.js';

export function registerModelCommands(program: Command): void {
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
}
