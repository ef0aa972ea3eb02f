/**
 * pairscore as a package someone else installs: `npm pack` the built tree, install the tarball
 * into a fresh project (its dependencies come from the registry, or npm's cache when it has
 * them), then use it the three ways a user would: `npx pairscore --help`, a tiny `score` on a
 * model made by `npx pairscore make-model`, and `import … from 'pairscore'` from an ESM script
 * (plus a TypeScript type check against the shipped .d.ts through the `exports` map). The
 * install must not pull @huggingface/transformers: a BPE tokenizer loads without it.
 * About 45 s here, most of it `npm install`.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BPE_TOKENIZER_CONFIG, bpeTokenizerJson } from './helpers/bpe-tokenizer.js';
import { repoRoot } from './helpers/shared.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-pack-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/**
 * The child sees none of the npm_* variables `npm test` sets (they would point npm at this
 * repository); ONNXRUNTIME_NODE_INSTALL=skip keeps an npm 10 from fetching the CUDA provider.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_')) env[k] = v;
  return { ...env, ONNXRUNTIME_NODE_INSTALL: 'skip', NO_COLOR: '1' };
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function ok(cmd: string, args: string[], cwd: string): Promise<string> {
  const r = await run(cmd, args, cwd);
  assert.equal(r.code, 0, `${cmd} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test('the packed tarball installs into a fresh project and works as a CLI and as an ESM library', { timeout: 300_000 }, async () => {
  const built = path.join(repoRoot, 'dist', 'src', 'index.js');
  assert.ok(fs.existsSync(built), `${built} is missing: build first (npx tsc -p tsconfig.json)`);

  // Pack what is built (no prepare: the tests already run on this dist).
  const packDir = path.join(tmp, 'pack');
  fs.mkdirSync(packDir);
  const packed = JSON.parse(await ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], repoRoot)) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  const files = packed[0]!.files.map((f) => f.path);
  for (const f of ['package.json', 'README.md', 'dist/src/cli.js', 'dist/src/index.js', 'dist/src/index.d.ts'])
    assert.ok(files.includes(f), f);
  assert.deepEqual(
    files.filter((f) => /^(dist\/(test|scripts)\/|src\/|test\/)|\.map$/.test(f)),
    [],
  );
  const tarball = path.join(packDir, path.basename(packed[0]!.filename));

  const app = path.join(tmp, 'app');
  fs.mkdirSync(app);
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await ok('npm', ['install', tarball, '--no-audit', '--no-fund', '--prefer-offline'], app);
  assert.ok(!fs.existsSync(path.join(app, 'node_modules', '@huggingface', 'transformers')), 'transformers.js is a dev dependency only');

  const help = await ok('npx', ['--no-install', 'pairscore', '--help'], app);
  assert.match(help, /Usage: pairscore/);
  assert.match(help, /\bscore\b/);

  await ok(
    'npx',
    ['--no-install', 'pairscore', 'make-model', '--size', 'tiny', '--head', 'seqcls', '--labels', '3', '--seed', '3', '--out', 'model'],
    app,
  );
  fs.writeFileSync(
    path.join(app, 'pairs.tsv'),
    'premise\thypothesis\tlabel\nA dog runs\tAn animal runs\tENTAILMENT\nA man sings\tNobody sings\tCONTRADICTION\nA cat sleeps\tA cat is on a mat\tNEUTRAL\n',
  );
  await ok(
    'npx',
    ['--no-install', 'pairscore', 'score', 'pairs.tsv', '--model', 'model', '--out', 'preds.jsonl', '--no-progress', '--threads', '1'],
    app,
  );
  const preds = fs
    .readFileSync(path.join(app, 'preds.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(
    preds.map((p) => p.gold),
    ['ENTAILMENT', 'CONTRADICTION', 'NEUTRAL'],
  );
  for (const p of preds) assert.ok(['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'].includes(p.label as string));

  // The library, imported by name through the exports map, with a BPE tokenizer (the pure-JS fallback).
  fs.mkdirSync(path.join(app, 'bpe'));
  fs.writeFileSync(path.join(app, 'bpe', 'tokenizer.json'), JSON.stringify(bpeTokenizerJson()));
  fs.writeFileSync(path.join(app, 'bpe', 'tokenizer_config.json'), JSON.stringify(BPE_TOKENIZER_CONFIG));
  fs.writeFileSync(
    path.join(app, 'use.mjs'),
    `import { loadTokenizer, readDataset, createScorer, openStages, loadConfig } from 'pairscore';
import pkg from 'pairscore/package.json' with { type: 'json' };
const rows = [];
for await (const r of readDataset('pairs.tsv')) rows.push(r.premise);
const bpe = await loadTokenizer('bpe');
const stages = await openStages({ modelDir: 'model' }, loadConfig());
const scored = await createScorer(stages).scoreChunk(rows.map((premise, index) => ({ index, id: String(index), premise, hypothesis: 'x' })));
await stages.embedder.close();
console.log(JSON.stringify({ name: pkg.name, rows, bpe: Array.from(bpe.encodePair('the cat sits', 'a dog').ids), scored: scored.length }));
`,
  );
  const used = JSON.parse((await ok('node', ['use.mjs'], app)).trim().split('\n').pop()!) as Record<string, unknown>;
  assert.deepEqual(used, {
    name: 'pairscore',
    rows: ['A dog runs', 'A man sings', 'A cat sleeps'],
    bpe: [0, 120, 261, 265, 272, 2, 2, 101, 268, 2], // as in tokenize.loadTokenizer.test.ts
    scored: 3,
  });

  // TypeScript users get the shipped declarations through the same exports map.
  fs.writeFileSync(
    path.join(app, 'check.ts'),
    `import { loadTokenizer, readDataset, type PairTokenizer, type IngestRow } from 'pairscore';
const tok: PairTokenizer = await loadTokenizer('model');
const rows: AsyncIterable<IngestRow> = readDataset('pairs.tsv');
// @ts-expect-error maxLength is a number
const wrong: string = tok.maxLength;
export { rows, wrong };
`,
  );
  fs.writeFileSync(
    path.join(app, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      files: ['check.ts'],
    }),
  );
  await ok(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], app);
});
