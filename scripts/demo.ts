/**
 * `npm run demo`: the main job end to end on built-in defaults, no downloads.
 * Makes a tiny logits-only BERT export (like a fine-tuned
 * BertForSequenceClassification from optimum), generates synthetic NLI pairs
 * (a train and a test split), shows what `inspect` finds inside the model,
 * extracts pooled vectors with the hand-crafted features, trains an MLP head,
 * prints its accuracy beside the model's own, and scores the test split with
 * the head — distributed over two worker processes when a Redis is reachable
 * (REDIS_URL or 127.0.0.1:6379), else in this process. All through the real CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli.js';
import { loadConfig } from '../src/config.js';
import { connectRedis, redactUrl } from '../src/queue/redis.js';
import { getRunStatus } from '../src/queue/index.js';
import { runTrainDemo } from './demo-train.js';

export interface DemoOptions {
  /** Where models/ and out/ go (default: the current directory). */
  root?: string;
  pairs?: number;
  /** Redis to use; null forces local mode; default REDIS_URL or redis://127.0.0.1:6379. */
  redisUrl?: string | null;
  /** Key prefix of the demo's runs (default pairscore-demo). */
  prefix?: string;
}

export interface DemoResult {
  mode: 'distributed' | 'local';
  metricsFile: string;
  predsFile: string;
  featuresFile: string;
  /** The HTML report of the scored test split. */
  reportFile: string;
  /** Test-split accuracy of the model's own logits and of the trained head. */
  ownAccuracy: number;
  headAccuracy: number;
}

const say = (line: string) => process.stderr.write(`${line}\n`);

async function run(args: string[]): Promise<void> {
  say(`\n$ pairscore ${args.join(' ')}`);
  const code = await main(['node', 'pairscore', ...args]);
  if (code !== 0) throw new Error(`pairscore ${args[0]} failed with exit code ${code}`);
}

async function reachable(url: string): Promise<boolean> {
  try {
    (await connectRedis({ url }, 'client')).disconnect();
    return true;
  } catch {
    return false;
  }
}

/** `pairscore worker` in a child process (compiled JS, or TypeScript through tsx). */
function startWorkerProcess(env: NodeJS.ProcessEnv): ChildProcess {
  const self = fileURLToPath(import.meta.url);
  const ext = path.extname(self);
  const cli = path.join(path.dirname(self), '..', 'src', `cli${ext}`);
  const args = ext === '.ts' ? ['--import', 'tsx', cli, 'worker'] : [cli, 'worker'];
  return spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function stopWorkers(workers: ChildProcess[]): Promise<void> {
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.exitCode !== null) return resolve();
          w.once('exit', () => resolve());
          w.kill('SIGTERM');
        }),
    ),
  );
}

export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const root = path.resolve(opts.root ?? '.');
  const modelsRoot = path.join(root, 'models');
  const modelDir = path.join(modelsRoot, 'demo');
  const outDir = path.join(root, 'out', 'demo');
  const pairsFile = path.join(outDir, 'pairs.jsonl');
  const predsFile = path.join(outDir, 'preds.jsonl');
  const metricsFile = path.join(outDir, 'metrics.json');
  const featuresFile = path.join(outDir, 'features.jsonl');
  const reportFile = path.join(outDir, 'report.html');
  if (!fs.existsSync(path.join(modelDir, 'model.onnx'))) {
    await run(['make-model', '--size', 'tiny', '--head', 'seqcls', '--labels', '3', '--out', modelDir]);
  }
  const trainFile = path.join(outDir, 'train.jsonl');
  await run(['generate', '--count', String(opts.pairs ?? 2000), '--out', pairsFile]);
  await run(['generate', '--count', String(opts.pairs ?? 2000), '--seed', '101', '--out', trainFile]);
  await run(['inspect', modelDir]);
  await run(['extract', pairsFile, '--model', modelDir, '--embedding', 'pooled', '--features', 'all', '--out', featuresFile]);
  // Train an MLP head on the train split; score the test split with it and with the model's own logits.
  const trained = await runTrainDemo({ root, modelDir, trainFile, testFile: pairsFile });
  const headFile = path.join(root, 'out', 'demo-train', 'head.json');

  const redisUrl = opts.redisUrl === undefined ? loadConfig().redisUrl : opts.redisUrl;
  let mode: DemoResult['mode'] = 'local';
  if (redisUrl !== null && (await reachable(redisUrl))) {
    mode = 'distributed';
    say(`\nRedis is reachable at ${redactUrl(redisUrl)}: scoring with two worker processes.`);
    const prefix = opts.prefix ?? 'pairscore-demo';
    const env = {
      REDIS_URL: redisUrl,
      PAIRSCORE_PREFIX: prefix,
      PAIRSCORE_MODELS_ROOT: modelsRoot,
      PAIRSCORE_THREADS: '1',
      PAIRSCORE_LOG_LEVEL: 'warn',
    };
    const workers = [startWorkerProcess(env), startWorkerProcess(env)];
    try {
      const runId = `demo-${Date.now()}`;
      const common = ['--redis', redisUrl, '--prefix', prefix];
      await run([
        'submit',
        pairsFile,
        '--model',
        'demo',
        '--models-root',
        modelsRoot,
        '--mlp',
        headFile,
        '--run-id',
        runId,
        '--keep',
        '1d',
        '--wait',
        '--report',
        reportFile,
        ...common,
      ]);
      await run(['results', runId, '--out', predsFile, ...common]);
      const status = await getRunStatus({ redis: { url: redisUrl }, prefix }, runId);
      fs.writeFileSync(metricsFile, `${JSON.stringify(status.result?.metrics ?? null, null, 2)}\n`);
    } finally {
      await stopWorkers(workers);
    }
  } else {
    say(`\nNo Redis reachable${redisUrl ? ` at ${redactUrl(redisUrl)}` : ''}: scoring in this process (pairscore score).`);
    await run([
      'score',
      pairsFile,
      '--model',
      modelDir,
      '--mlp',
      headFile,
      '--out',
      predsFile,
      '--metrics',
      metricsFile,
      '--report',
      reportFile,
    ]);
  }
  say(
    [
      '',
      `Demo done (${mode}). The model has random weights, so its own logits are near chance;`,
      `the MLP head on its pooled vector + hand-crafted features learns the synthetic pairs:`,
      `  accuracy   model's own logits ${(trained.ownAccuracy * 100).toFixed(1)}%   MLP head ${(trained.headAccuracy * 100).toFixed(1)}%`,
      `  model      ${modelDir}`,
      `  pairs      ${pairsFile} (scored), ${trainFile} (head trained on)`,
      `  features   ${featuresFile} (pooled [CLS] vector + hand-crafted features + logits per pair)`,
      `  head       ${headFile}`,
      `  scores     ${predsFile} (${mode === 'distributed' ? 'two worker processes through Redis' : 'in this process'}, with the head)`,
      `  metrics    ${metricsFile}`,
      `  report     ${reportFile}  — open file://${reportFile} in a browser (works offline)`,
      'Use your own model: export it with `optimum-cli export onnx --model DIR --task text-classification OUT` and pass --model OUT.',
      '',
    ].join('\n'),
  );
  return { mode, metricsFile, predsFile, featuresFile, reportFile, ...trained };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]).replace(/\.ts$/, '.js').endsWith(path.join('scripts', 'demo.js'));
if (isMain) {
  runDemo().catch((err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
