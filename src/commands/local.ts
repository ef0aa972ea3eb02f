/**
 * `tokenize`, `extract` and `score`: the pipeline on one file, in this process.
 * Each runs inside withInterrupt: Ctrl-C/SIGTERM stops it between chunks,
 * removes the partial output and exits 130/143.
 */
import { Command, Option } from 'commander';
import { EMBEDDING_KINDS, type EmbeddingKind } from '../contracts.js';
import { loadTokenizer } from '../tokenize/index.js';
import { DEFAULT_EXTRACT_FEATURES } from '../features/index.js';
import { openStages } from '../stages.js';
import { runExtract, runScore, runTokenize } from '../run/local.js';
import { withInterrupt } from '../run/interrupt.js';
import { formatMetrics } from '../report/metrics.js';
import { extractViaRedis } from './queue.js';
import { dataOptions, maxLen, modelOptions, runOptions, say, type DataFlags, type ModelFlags } from './options.js';
import { configFromFlags, settingOption, settingOptions } from './setting-option.js';
import { redisOptionsOn, WITH_REDIS } from './redis-command.js';

interface RemoteFlags {
  redis?: string | true;
  redisCa?: string;
  redisCert?: string;
  redisKey?: string;
  prefix?: string;
  modelsRoot?: string;
  runId?: string;
  keep?: number;
  timeout?: number;
}

export function registerLocalCommands(program: Command): void {
  dataOptions(
    program
      .command('tokenize <input>')
      .description('write {index, id, input_ids, token_type_ids} rows')
      .requiredOption('--model <dir>', 'model directory (tokenizer.json or vocab.txt)')
      .addOption(settingOption('maxLength')),
  ).action(async (input: string, f: DataFlags & { model: string; maxLength?: number }) => {
    const r = await withInterrupt(async (signal) => {
      const tokenizer = await loadTokenizer(f.model, f.maxLength !== undefined ? { maxLength: f.maxLength } : {});
      return runTokenize(tokenizer, f.maxLength, { ...runOptions(input, f), signal });
    }, say);
    say(`tokenized ${r.rows} rows (${r.errors} with errors) in ${r.seconds.toFixed(2)} s → ${f.out}`);
  });

  const extract = modelOptions(
    dataOptions(
      program
        .command('extract <input>')
        .description('write {index, id, gold?, embedding, features, logits?} rows')
        .addOption(new Option('--embedding <kind>', 'vector to write').choices([...EMBEDDING_KINDS, 'none']).default('pooled'))
        .option(
          '--features <list>',
          `hand-crafted features: all, none or a comma list of groups/columns (default: ${DEFAULT_EXTRACT_FEATURES}; lexical is opt-in, not part of all)`,
        )
        .option('--no-logits', "do not write the model's logits"),
    ),
  );
  settingOptions(
    redisOptionsOn(
      extract,
      'extract on the workers of this Redis instead of in this process; --model then names a folder under --models-root, and --chunk-size, when not given, is planned for the workers alive (as submit does)',
    ),
    ['modelsRoot'],
    WITH_REDIS,
  );
  settingOptions(
    extract.option('--run-id <id>', 'with --redis: run id (an existing extract run is joined, not repeated)'),
    ['keepSeconds', 'timeout'],
    WITH_REDIS,
  ).action(
    async (
      input: string,
      f: DataFlags & ModelFlags & RemoteFlags & { embedding: EmbeddingKind | 'none'; features?: string; logits: boolean },
      cmd: Command,
    ) => {
      if (f.redis !== undefined) {
        const opts = runOptions(input, f);
        // 1,024-row pipeline chunks suit one process; chunk jobs are planned by submit so work spreads over workers.
        const chunkSize = cmd.getOptionValueSource('chunkSize') === 'default' ? undefined : f.chunkSize;
        await extractViaRedis(input, {
          ...f,
          redis: f.redis,
          chunkSize,
          columns: opts.columns,
          embedding: f.embedding === 'none' ? null : f.embedding,
        });
        return;
      }
      const embedding = f.embedding === 'none' ? null : f.embedding;
      await withInterrupt(async (signal) => {
        const stages = await openStages(
          {
            modelDir: f.model,
            task: 'extract',
            extract: { embedding, logits: f.logits },
            ...(f.features !== undefined ? { features: f.features } : {}),
            ...maxLen(f),
          },
          configFromFlags(f),
          say,
          say,
        );
        try {
          const r = await runExtract(stages, { ...runOptions(input, f), signal });
          say(`extracted ${r.rows} rows (${r.errors} with errors) in ${r.seconds.toFixed(2)} s → ${f.out}`);
        } finally {
          await stages.embedder.close();
        }
      }, say);
    },
  );

  modelOptions(
    dataOptions(
      program
        .command('score <input>')
        .description('classify every pair: {index, id, label, probs, gold?, error?} rows, plus metrics when gold labels exist')
        .option('--mlp <head.json>', "MLP head file (default: the model's own logits)")
        .option('--features <list>', "hand-crafted features (default: the head's)")
        .option('--metrics <file>', 'write metrics JSON here')
        .option('--report <file.html>', 'write the HTML report (charts, calibration, most confident errors) here at the end'),
    ),
  ).action(async (input: string, f: DataFlags & ModelFlags & { mlp?: string; features?: string; metrics?: string; report?: string }) => {
    await withInterrupt(async (signal) => {
      const stages = await openStages(
        {
          modelDir: f.model,
          ...(f.mlp ? { mlpFile: f.mlp } : {}),
          ...(f.features ? { features: f.features } : {}),
          ...maxLen(f),
        },
        configFromFlags(f),
        say,
        say,
      );
      try {
        const r = await runScore(stages, {
          ...runOptions(input, f),
          signal,
          ...(f.metrics ? { metricsFile: f.metrics } : {}),
          ...(f.report ? { report: { out: f.report, head: f.mlp ?? null } } : {}),
        });
        say(formatMetrics(r.metrics));
        say(`rows → ${f.out}${f.metrics ? `, metrics → ${f.metrics}` : ''}${f.report ? `, report → ${f.report}` : ''}`);
      } finally {
        await stages.embedder.close();
      }
    }, say);
  });
}
