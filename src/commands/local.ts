/** `tokenize`, `extract` and `score`: the pipeline on one file, in this process. */
import { Command, Option } from 'commander';
import { EMBEDDING_KINDS, type EmbeddingKind } from '../contracts.js';
import { loadTokenizer } from '../tokenize/index.js';
import { openStages } from '../stages.js';
import { runExtract, runScore, runTokenize } from '../run/local.js';
import { formatMetrics } from '../report/metrics.js';
import { configFor, dataOptions, int, maxLen, modelOptions, runOptions, say, type DataFlags, type ModelFlags } from './options.js';

export function registerLocalCommands(program: Command): void {
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


}
