/**
 * `npm run demo`: the main job end to end on built-in defaults, no downloads.
 * Makes a tiny logits-only BERT export (like a fine-tuned
 * BertForSequenceClassification from optimum), generates synthetic NLI pairs,
 * shows what `inspect` finds inside the model, extracts pooled vectors with the
 * hand-crafted features, and scores every pair — all through the real CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { main } from '../src/cli.js';

export interface DemoOptions {
  /** Where models/ and out/ go (default: the current directory). */
  root?: string;
  pairs?: number;
}

async function run(args: string[]): Promise<void> {
  process.stderr.write(`\n$ pairscore ${args.join(' ')}\n`);
  const code = await main(['node', 'pairscore', ...args]);
  if (code !== 0) throw new Error(`pairscore ${args[0]} failed with exit code ${code}`);
}

export async function runDemo(opts: DemoOptions = {}): Promise<{ metricsFile: string; predsFile: string; featuresFile: string }> {
  const root = path.resolve(opts.root ?? '.');
  const modelDir = path.join(root, 'models', 'demo');
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
  await run(['score', pairsFile, '--model', modelDir, '--out', predsFile, '--metrics', metricsFile]);
  process.stderr.write(
    [
      '',
      'Demo done. Outputs:',
      `  model      ${modelDir} (random weights: its own accuracy is near chance, 33%)`,
      `  pairs      ${pairsFile}`,
      `  features   ${featuresFile} (pooled [CLS] vector + hand-crafted features + logits per pair)`,
      `  scores     ${predsFile}`,
      `  metrics    ${metricsFile}`,
      'Use your own model: export it with `optimum-cli export onnx --model DIR --task text-classification OUT` and pass --model OUT.',
      '',
    ].join('\n'),
  );
  return { metricsFile, predsFile, featuresFile };
}

const isMain = process.argv[1] && path.resolve(process.argv[1]).replace(/\.ts$/, '.js').endsWith(path.join('scripts', 'demo.js'));
if (isMain) {
  runDemo().catch((err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
