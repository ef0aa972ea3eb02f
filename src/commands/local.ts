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
import { parseDuration } from './redis-command.js';
import { configFor, dataOptions, int, maxLen, modelOptions, runOptions, say, type DataFlags, type ModelFlags } from './options.js';

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
      .option('--max-length <n>', "truncate to this many tokens (default: the model's limit)", int('--max-length')),
  ).action(async (input: string, f: DataFlags & { model: string; maxLength?: number }) => {
    const r = await withInterrupt(async (signal) => {
      const tokenizer = await loadTokenizer(f.model, f.maxLength !== undefined ? { maxLength: f.maxLength } : {});
      return runTokenize(tokenizer, f.maxLength, { ...runOptions(input, f), signal });
    }, say);
    say(`tokenized ${r.rows} rows (${r.errors} with errors) in ${r.seconds.toFixed(2)} s → ${f.out}`);
  });

  modelOptions(
    dataOptions(
      program
        .command('extract <input>')
        .description('write {index, id, gold?, embedding, features, logits?} rows')
        .addOption(new Option('--embedding <kind>', 'vector to write').choices([...EMBEDDING_KINDS, 'none']).default('pooled'))
        .option(
          '--features <list>',
          `hand-crafted features: all, none or a comma list of groups/columns (default: ${DEFAULT_EXTRACT_FEATURES}; lexical is opt-in, not part of all)`,
        )
        .option('--no-logits', "do not write the model's logits")
        .option(
          '--redis [url]',
          'extract on the workers of this Redis (default REDIS_URL) instead of in this process; --model then names a folder under --models-root',
        )
        .option('--prefix <name>', 'with --redis: key prefix (default PAIRSCORE_PREFIX or pairscore)')
        .option('--redis-ca <file>', "with --redis rediss://: PEM file of the CA that signed Redis' certificate (default REDIS_CA_FILE)")
        .option('--redis-cert <file>', 'with --redis rediss://: client certificate (PEM) for mTLS (default REDIS_CERT_FILE)')
        .option('--redis-key <file>', "with --redis rediss://: the client certificate's key (PEM) (default REDIS_KEY_FILE)")
        .option('--models-root <dir>', 'with --redis: folder holding the models (default PAIRSCORE_MODELS_ROOT or ./models)')
        .option('--run-id <id>', 'with --redis: run id (an existing extract run is joined, not repeated)')
        .option('--keep <duration>', 'with --redis: keep run data this long after it ends (default 7d)', parseDuration)
        .option(
          '--timeout <duration>',
          'with --redis: give up waiting after this long (30m, 2h, seconds; the run goes on) and exit 1',
          parseDuration,
        ),
    ),
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
            device: f.device,
            ...(f.features !== undefined ? { features: f.features } : {}),
            ...maxLen(f),
          },
          configFor(f),
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
          device: f.device,
          ...(f.mlp ? { mlpFile: f.mlp } : {}),
          ...(f.features ? { features: f.features } : {}),
          ...maxLen(f),
        },
        configFor(f),
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
