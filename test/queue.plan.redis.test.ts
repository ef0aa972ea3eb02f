/**
 * Distributed runs follow the run plan, with real worker processes and a real
 * Redis: `extract --redis --features all,lexical` (an opt-in group) and
 * `submit --mlp` with a head that reads lexical columns both give, row for row,
 * what the local commands give. Before the run plan, the first failed every
 * chunk and the second was refused at submit.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import type { ExtractRow, ScoreRow } from '../src/contracts.js';
import type { HeadFile } from '../src/classify/index.js';

let deployment: Deployment | undefined;
let dir = '';
let env: NodeJS.ProcessEnv = {};
const ROWS = 300;
const readJsonl = <T>(file: string): T[] =>
  fs
    .readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

before(async () => {
  deployment = await setUpDeployment('plan', { size: 'tiny', count: ROWS, seed: 21 });
  ({ dir, env } = deployment);
});

after(async () => {
  await deployment?.tearDown();
});

function assertClose(a: number[] | undefined, b: number[] | undefined, tol: number, what: string): void {
  assert.equal(a?.length, b?.length, what);
  b?.forEach((v, j) => assert.ok(Math.abs(a![j]! - v) <= tol, `${what}[${j}]: ${a![j]} vs ${v}`));
}

test('extract --features all,lexical and a lexical head run on the workers exactly as they run locally', async () => {
  const input = deployment!.pairs;
  const modelDir = path.join(dir, 'models', 'demo');
  const workers = [startCli(['worker', '--concurrency', '2'], env), startCli(['worker', '--concurrency', '2'], env)];
  try {
    const distFeatures = path.join(dir, 'dist.jsonl');
    const dist = await runCli(
      [
        'extract',
        input,
        '--redis',
        '--model',
        'demo',
        '--features',
        'all,lexical',
        '--run-id',
        'lex-x',
        '--chunk-size',
        '50',
        '--out',
        distFeatures,
      ],
      env,
    );
    assert.equal(dist.code, 0, dist.stderr + workers.map((w) => w.output()).join('\n'));
    const localFeatures = path.join(dir, 'local.jsonl');
    const loc = await runCli(['extract', input, '--model', modelDir, '--features', 'all,lexical', '--out', localFeatures], env);
    assert.equal(loc.code, 0, loc.stderr);

    const a = readJsonl<ExtractRow>(distFeatures);
    const b = readJsonl<ExtractRow>(localFeatures);
    assert.equal(a.length, ROWS);
    assert.ok(
      a.every((r) => r.error === undefined),
      'no chunk failed',
    );
    const names = Object.keys(b[0]!.features!);
    assert.ok(names.includes('lex_0000') && names.length > 1000);
    for (let i = 0; i < ROWS; i++) {
      assert.equal(a[i]!.index, b[i]!.index);
      assert.deepEqual(Object.keys(a[i]!.features!), names, `row ${i} columns`);
      for (const n of names) assert.ok(Math.abs(a[i]!.features![n]! - b[i]!.features![n]!) <= 1e-6, `row ${i} ${n}`);
      assertClose(a[i]!.embedding, b[i]!.embedding, 1e-5, `row ${i} embedding`);
      assertClose(a[i]!.logits, b[i]!.logits, 1e-5, `row ${i} logits`);
    }

    const head = path.join(dir, 'lex-head.json');
    const tr = await runCli(['train', distFeatures, '--inputs', 'features,logits', '--epochs', '3', '--seed', '1', '--out', head], env);
    assert.equal(tr.code, 0, tr.stderr);
    assert.ok((JSON.parse(fs.readFileSync(head, 'utf8')) as HeadFile).inputs.features.includes('lex_0000'));

    const sub = await runCli(['submit', input, '--model', 'demo', '--mlp', head, '--run-id', 'lex-s', '--chunk-size', '50', '--wait'], env);
    assert.equal(sub.code, 0, sub.stderr + workers.map((w) => w.output()).join('\n'));
    const distScores = path.join(dir, 'dist-scores.jsonl');
    assert.equal((await runCli(['results', 'lex-s', '--out', distScores], env)).code, 0);
    const localScores = path.join(dir, 'local-scores.jsonl');
    const ls = await runCli(['score', input, '--model', modelDir, '--mlp', head, '--out', localScores], env);
    assert.equal(ls.code, 0, ls.stderr);
    const s = readJsonl<ScoreRow>(distScores);
    const t = readJsonl<ScoreRow>(localScores);
    assert.equal(s.length, ROWS);
    for (let i = 0; i < ROWS; i++) {
      assert.equal(s[i]!.error, undefined, `row ${i}`);
      assert.equal(s[i]!.label, t[i]!.label, `row ${i}`);
      for (const k of Object.keys(t[i]!.probs!)) assert.ok(Math.abs(s[i]!.probs![k]! - t[i]!.probs![k]!) <= 1e-5, `row ${i} ${k}`);
    }
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
  }
});
