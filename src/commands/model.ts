/** `make-model` and `inspect`: making and looking inside model exports. */
import path from 'node:path';
import { Command, Option } from 'commander';
import { loadConfig } from '../config.js';
import { formatModelInfo, inspectModel } from '../embed/index.js';
import { quantizeModel, type QuantOp } from '../embed/quantize.js';
import { makeModel, type ModelHead, type ModelSize } from '../modelgen/index.js';
import { int, say } from './options.js';

export function registerModelCommands(program: Command): void {
  program
    .command('make-model')
    .description('write a BERT ONNX export with seeded random weights (Hugging Face/optimum layout)')
    .addOption(new Option('--size <size>', 'model size').choices(['tiny', 'mini', 'small', 'medium', 'base']).default('tiny'))
    .addOption(
      new Option('--head <head>', 'base: last_hidden_state + pooler_output; seqcls: logits only')
        .choices(['base', 'seqcls'])
        .default('seqcls'),
    )
    .option('--labels <n>', 'number of labels (seqcls only; default 3)', int('--labels'))
    .option('--seed <n>', 'random seed', int('--seed'), 42)
    .option('--no-token-type-ids', 'no token_type_ids input (RoBERTa/DistilBERT-style export)')
    .option('--vocab <file>', 'use this vocab.txt instead of the built-in vocabulary')
    .requiredOption('--out <dir>', 'output directory')
    .action(
      async (f: {
        size: ModelSize;
        head: ModelHead;
        labels?: number;
        seed: number;
        tokenTypeIds: boolean;
        vocab?: string;
        out: string;
      }) => {
        const r = await makeModel({
          outDir: f.out,
          size: f.size,
          head: f.head,
          // A default label count would make `--head base` fail ("labels apply to head seqcls only").
          ...(f.labels !== undefined ? { labels: f.labels } : {}),
          seed: f.seed,
          tokenTypeIds: f.tokenTypeIds,
          ...(f.vocab ? { vocabFile: f.vocab } : {}),
        });
        say(
          `wrote ${r.outDir}: ${r.files.map((f) => path.basename(f)).join(', ')} (${(r.bytes / 1e6).toFixed(1)} MB, ${r.parameters.toLocaleString()} parameters, sha256 ${r.sha256.slice(0, 12)}…)`,
        );
      },
    );

  program
    .command('quantize <dir>')
    .description(
      'dynamic int8 quantization: every MatMul/Gemm with a constant weight → int8 per-column weights (the classifier head stays fp32)',
    )
    .requiredOption('--out <dir>', 'output directory (model.onnx + copied config/tokenizer files)')
    .addOption(new Option('--op <op>', 'quantized op to emit').choices(['matmulinteger', 'dqmm']).default('matmulinteger'))
    .option('--reduce-range', '7-bit weights (default on CPUs without VNNI, where 8-bit u8×s8 products can saturate)')
    .option('--no-reduce-range', 'full 8-bit weights even without VNNI')
    .action(async (dir: string, f: { out: string; op: QuantOp; reduceRange?: boolean }) => {
      const r = await quantizeModel(dir, f.out, { op: f.op, ...(f.reduceRange !== undefined ? { reduceRange: f.reduceRange } : {}) });
      const n = r.rewritten.MatMul + r.rewritten.Gemm;
      say(
        `wrote ${r.modelFile}: ${n} linear ops → ${r.op === 'dqmm' ? 'DynamicQuantizeMatMul' : 'MatMulInteger'} ` +
          `(${r.rewritten.MatMul} MatMul, ${r.rewritten.Gemm} Gemm; ${r.fusedBias} biases fused), ` +
          `${r.reduceRange ? '7-bit' : '8-bit'} per-column weights, ${(r.bytesIn / 1e6).toFixed(1)} MB → ${(r.bytesOut / 1e6).toFixed(1)} MB`,
      );
      for (const k of r.kept) say(`  kept fp32: ${k}`);
      say(`  copied: ${r.copied.join(', ') || '(nothing)'}`);
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
