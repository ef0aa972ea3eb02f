/**
 * Distributed extraction against a real Redis with real worker processes:
 * `extract --redis` on a Parquet input gives the feature file the local
 * `extract` gives (same rows, same header), `train` reads it, and `results`
 * of a run writes Parquet.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, startCli } from './helpers/cli.js';
import { setUpDeployment, type Deployment } from './helpers/deployment.js';
import { createParquetWriter } from '../src/report/parquet.js';
import { loadFeatureFile } from '../src/classify/features-file.js';
import { openParquetFile, parquetRowGroups } from '../src/ingest/parquet.js';
import type { ExtractRow } from '../src/contracts.js';

let deployment: Deployment | undefined;
let dir = '';
let env: NodeJS.ProcessEnv = {};
const ROWS = 600;

before(async () => {
  deployment = await setUpDeployment('extract', { size: 'tiny', count: ROWS, seed: 5 });
  ({ dir, env } = deployment);
  // The same pairs as Parquet (with one row the ingest rejects), to submit Parquet input.
  const rows = fs
    .readFileSync(path.join(dir, 'pairs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, string>);
  rows[123]!.premise = '';
  const w = await createParquetWriter<Record<string, string>>(
    path.join(dir, 'pairs.parquet'),
    [
      { name: 'id', kind: 'string' },
      { name: 'premise', kind: 'string' },
      { name: 'hypothesis', kind: 'string' },
      { name: 'label', kind: 'string' },
    ],
    (r) => r,
    { rowGroupRows: 128 },
  );
  for (const r of rows) await w.write(r);
  await w.close();
});

after(async () => {
  await deployment?.tearDown();
});

async function parquetRows(file: string): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  const f = await openParquetFile(file);
  for await (const group of parquetRowGroups(f, f.columns)) out.push(...group);
  return out;
}

test('extract --redis on 2 workers: the local feature file, row for row; train reads it; results writes Parquet', async () => {
  const input = path.join(dir, 'pairs.parquet');
  const workers = [startCli(['worker', '--concurrency', '2'], env), startCli(['worker', '--concurrency', '2'], env)];
  try {
    const distOut = path.join(dir, 'dist.parquet');
    const dist = await runCli(
      ['extract', input, '--redis', '--model', 'demo', '--embedding', 'cls', '--run-id', 'x-1', '--chunk-size', '50', '--out', distOut],
      env,
    );
    assert.equal(dist.code, 0, dist.stderr + workers.map((w) => w.output()).join('\n'));
    assert.match(dist.stderr, /extracted 600 rows \(1 with errors\) on 2 worker\(s\)/);

    const localOut = path.join(dir, 'local.parquet');
    const loc = await runCli(['extract', input, '--model', path.join(dir, 'models', 'demo'), '--embedding', 'cls', '--out', localOut], env);
    assert.equal(loc.code, 0, loc.stderr);

    const a = await parquetRows(distOut);
    const b = await parquetRows(localOut);
    assert.equal(a.length, ROWS);
    assert.deepEqual(
      a.map((r) => r.index),
      Array.from({ length: ROWS }, (_, i) => i),
    );
    assert.deepEqual(Object.keys(a[0]!).sort(), Object.keys(b[0]!).sort());
    for (let i = 0; i < ROWS; i++) {
      const x = a[i]!;
      const y = b[i]!;
      for (const k of Object.keys(y)) {
        const u = x[k];
        const v = y[k];
        if (Array.isArray(v)) {
          assert.equal((u as number[]).length, v.length, `row ${i} ${k}`);
          (v as number[]).forEach((vv, j) => assert.ok(Math.abs((u as number[])[j]! - vv) <= 1e-5, `row ${i} ${k}[${j}]`));
        } else if (typeof v === 'number' && k !== 'index') {
          assert.ok(Math.abs((u as number) - v) <= 1e-6 || (Number.isNaN(u) && Number.isNaN(v)), `row ${i} ${k}`);
        } else assert.deepEqual(u, v, `row ${i} ${k}`);
      }
    }
    assert.match(String(a[123]!.error), /premise/);

    // Same header (sidecar) as the local file, apart from where it came from.
    const ma = JSON.parse(fs.readFileSync(`${distOut}.meta.json`, 'utf8')) as Record<string, unknown>;
    const mb = JSON.parse(fs.readFileSync(`${localOut}.meta.json`, 'utf8')) as Record<string, unknown>;
    assert.deepEqual({ ...ma, model: (ma.model as { sha256: string }).sha256 }, { ...mb, model: (mb.model as { sha256: string }).sha256 });
    const data = await loadFeatureFile(distOut);
    assert.equal(data.n, ROWS - 1);
    assert.equal(data.embeddingDim, 128);

    const head = path.join(dir, 'head.json');
    const tr = await runCli(['train', distOut, '--out', head, '--epochs', '3', '--seed', '1'], env);
    assert.equal(tr.code, 0, tr.stderr);

    // The same run's rows again as JSONL through `results`; joining it again adds nothing.
    const jsonl = path.join(dir, 'again.jsonl');
    const res = await runCli(['results', 'x-1', '--out', jsonl], env);
    assert.equal(res.code, 0, res.stderr);
    const rows = fs
      .readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ExtractRow);
    assert.equal(rows.length, ROWS);
    assert.equal(rows[7]!.embedding!.length, 128);
    assert.deepEqual(rows[7]!.embedding, a[7]!.embedding);
    assert.ok(fs.existsSync(`${jsonl}.meta.json`));

    // A score run's results as Parquet.
    const sub = await runCli(['submit', input, '--model', 'demo', '--run-id', 's-1', '--chunk-size', '200', '--wait'], env);
    assert.equal(sub.code, 0, sub.stderr);
    const scored = path.join(dir, 'scored.parquet');
    const sr = await runCli(['results', 's-1', '--out', scored], env);
    assert.equal(sr.code, 0, sr.stderr);
    const srows = await parquetRows(scored);
    assert.equal(srows.length, ROWS);
    assert.equal(typeof srows[0]!.label, 'string');
    const probKeys = Object.keys(srows[0]!).filter((k) => k.startsWith('prob_'));
    assert.equal(probKeys.length, 3, Object.keys(srows[0]!).join(', '));
    // Values, not shape: every row equals a local `score` of the same input (another process, no Redis).
    const localScored = path.join(dir, 'local-scored.parquet');
    const ls = await runCli(['score', input, '--model', path.join(dir, 'models', 'demo'), '--out', localScored, '--no-progress'], env);
    assert.equal(ls.code, 0, ls.stderr);
    const lrows = await parquetRows(localScored);
    assert.equal(lrows.length, ROWS);
    let compared = 0;
    for (let i = 0; i < ROWS; i++) {
      const x = srows[i]!;
      const y = lrows[i]!;
      assert.equal(x.index, y.index);
      assert.equal(x.label, y.label, `row ${i} label`);
      assert.equal(x.error, y.error, `row ${i} error`);
      if (x.error !== undefined && x.error !== null) continue;
      const sum = probKeys.reduce((t, k) => t + (x[k] as number), 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `row ${i} probs sum to ${sum}`);
      for (const k of probKeys) assert.ok(Math.abs((x[k] as number) - (y[k] as number)) <= 1e-6, `row ${i} ${k}: ${x[k]} vs ${y[k]}`);
      compared++;
    }
    assert.equal(compared, ROWS - 1, 'every row but the rejected one was scored and compared');
    assert.ok(
      new Set(srows.map((r) => r.label)).size > 1 || probKeys.some((k) => srows.some((r) => (r[k] as number) !== srows[0]![k])),
      'scores depend on the row',
    );

    const wrong = await runCli(
      ['extract', input, '--redis', '--model', 'demo', '--run-id', 's-1', '--out', path.join(dir, 'no.parquet')],
      env,
    );
    assert.equal(wrong.code, 2, wrong.stderr);
    assert.match(wrong.stderr, /is a score run, not an extract run/);
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    const codes = await Promise.all(workers.map((w) => w.exited));
    assert.deepEqual(codes, [0, 0], 'workers exit 0 on SIGTERM');
  }
});
