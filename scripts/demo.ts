/**
 * `npm run demo`: the main job end to end on built-in defaults, no downloads.
 * Makes a tiny logits-only BERT export (like a fine-tuned
 * BertForSequenceClassification from optimum), generates synthetic NLI pairs,
 * shows what `inspect` finds inside the model, extracts pooled vectors with the
 * hand-crafted features, and scores every pair — distributed over two worker
 * processes when a Redis is reachable (REDIS_URL or 127.0.0.1:6379), else in
 * this process. Everything goes through the real CLI.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli.js';
import { loadConfig } from '../src/config.js';
import { connectRedis, redactUrl } from '../src/queue/redis.js';
import { getRunStatus } from '../src/queue/index.js';

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
  if (!fs.existsSync(path.join(modelDir, 'model.onnx'))) {
    await run(['make-model', '--size', 'tiny', '--head', 'seqcls', '--labels', '3', '--out', modelDir]);
  }
  await run(['generate', '--count', String(opts.pairs ?? 2000), '--out', pairsFile]);
  await run(['inspect', modelDir]);
  await run(['extract', pairsFile, '--model', modelDir, '--embedding', 'pooled', '--features', 'all', '--out', featuresFile]);

  const redisUrl = opts.redisUrl === undefined ? loadConfig().redisUrl : opts.redisUrl;
  let mode: DemoResult['mode'] = 'local';
  if (redisUrl !== null && (await reachable(redisUrl))) {
    mode = 'distributed';
    say(`\nRedis is reachable at ${redactUrl(redisUrl)}: scoring with two worker processes.`);
    const prefix = opts.prefix ?? 'pairscore-demo';
    const env = { REDIS_URL: redisUrl, PAIRSCORE_PREFIX: prefix, PAIRSCORE_MODELS_ROOT: modelsRoot, PAIRSCORE_THREADS: '1', PAIRSCORE_LOG_LEVEL: 'warn' };
    const workers = [startWorkerProcess(env), startWorkerProcess(env)];
    try {
      const runId = `demo-${Date.now()}`;
      const common = ['--redis', redisUrl, '--prefix', prefix];
      await run(['submit', pairsFile, '--model', 'demo', '--models-root', modelsRoot, '--run-id', runId, '--keep', '1d', '--wait', ...common]);
      await run(['results', runId, '--out', predsFile, ...common]);
      const status = await getRunStatus({ redis: { url: redisUrl }, prefix }, runId);
      fs.writeFileSync(metricsFile, `${JSON.stringify(status.result?.metrics ?? null, null, 2)}\n`);
    } finally {
      await stopWorkers(workers);
    }
  } else {
    say(`\nNo Redis reachable${redisUrl ? ` at ${redactUrl(redisUrl)}` : ''}: scoring in this process (pairscore score).`);
    await run(['score', pairsFile, '--model', modelDir, '--out', predsFile, '--metrics', metricsFile]);
  }
  say(
    [
      '',
      `Demo done (${mode}). Outputs:`,
      `  model      ${modelDir} (random weights: its own accuracy is near chance, 33%)`,
      `  pairs      ${pairsFile}`,
      `  features   ${featuresFile} (pooled [CLS] vector + hand-crafted features + logits per pair)`,
      `  scores     ${predsFile}`,
      `  metrics    ${metricsFile}`,
      'Use your own model: export it with `optimum-cli export onnx --model DIR --task text-classification OUT` and pass --model OUT.',
      '',
    ].join('\n'),
  );
  return { mode, metricsFile, predsFile, featuresFile };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]).replace(/\.ts$/, '.js').endsWith(path.join('scripts', 'demo.js'));
if (isMain) {
  runDemo().catch((err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
