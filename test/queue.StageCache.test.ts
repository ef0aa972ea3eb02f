/**
 * A worker's StageCache loads each model for the kinds of the first run that names it: the
 * [CLS]-only copy for a run reading position 0 only (src/embed/cls-only-model.ts), switching
 * to the full graph when a later run reads every position. No Redis: runners are called directly.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { ExtractRow, IngestRow, RunPlan, RunSpec, ScoreRow } from '../src/contracts.js';
import { createEmbedder } from '../src/embed/index.js';
import { inspectModel } from '../src/embed/inspect.js';
import { makeModel } from '../src/modelgen/index.js';
import { planRun } from '../src/plan.js';
import { StageCache } from '../src/queue/stage-cache.js';
import { generatePairs } from '../src/synthetic/pairs.js';
import { loadTokenizer } from '../src/tokenize/index.js';
import { pairscoreVersion } from '../src/version.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-stagecache-'));
const modelsRoot = path.join(root, 'models');
const cacheDir = path.join(root, 'cache');
after(() => fs.rmSync(root, { recursive: true, force: true }));

let sha256 = '';
let scorePlan: RunPlan;
let meanPlan: RunPlan;
const rows: IngestRow[] = [...generatePairs(24, 3)].map((p, index) => ({
  index,
  id: `r${index}`,
  premise: p.premise,
  hypothesis: p.hypothesis,
}));

before(async () => {
  sha256 = (await makeModel({ outDir: path.join(modelsRoot, 'tiny'), size: 'tiny', head: 'seqcls' })).sha256;
  const { info } = await inspectModel(path.join(modelsRoot, 'tiny'), { cacheDir });
  scorePlan = planRun(info, { task: 'score', features: 'none' });
  meanPlan = planRun(info, { task: 'extract', features: 'none', extract: { embedding: 'mean', logits: true } });
});

function spec(runId: string, plan: RunPlan): RunSpec {
  return {
    runId,
    version: pairscoreVersion(),
    createdAt: new Date().toISOString(),
    model: { name: 'tiny', sha256 },
    plan,
    input: { file: 'pairs.jsonl', sha256: '0'.repeat(64), format: 'jsonl', rows: rows.length },
    chunkSize: rows.length,
    chunks: 1,
    keepSeconds: 3600,
  };
}

test('a score run on logits loads the [CLS]-only copy; a later run reading mean switches it to the full graph', async () => {
  const lines: string[] = [];
  const debug: string[] = [];
  const cache = new StageCache({
    modelsRoot,
    cacheDir,
    threads: 1,
    sessions: 1,
    batchTokens: 256,
    device: 'cpu',
    onLayout: (_model, line) => lines.push(line),
    onDebug: (_model, line) => debug.push(line),
  });
  try {
    assert.deepEqual(scorePlan.kinds, ['logits']);
    const scored = (await (await cache.runnerFor(spec('s-1', scorePlan)))(rows)) as ScoreRow[];
    assert.equal(scored.length, rows.length);
    assert.equal(lines.filter((l) => l.startsWith('last layer: [CLS] only (')).length, 1, lines.join('\n'));
    assert.deepEqual(debug, []);

    // The same loaded model serves the mean run: its vectors are the full graph's.
    const extracted = (await (await cache.runnerFor(spec('x-1', meanPlan)))(rows)) as Array<ExtractRow<Float32Array>>;
    const tok = await loadTokenizer(path.join(modelsRoot, 'tiny'));
    const full = await createEmbedder(path.join(modelsRoot, 'tiny'), { threads: 1, sessions: 1, cacheDir, device: 'cpu' });
    try {
      const want = await full.embed(
        extracted.map((r) => {
          const p = rows[r.index] as { premise: string; hypothesis: string };
          return tok.encodePair(p.premise, p.hypothesis, meanPlan.maxLength);
        }),
        ['mean', 'logits'],
      );
      extracted.forEach((r, i) => {
        assert.equal(r.error, undefined);
        for (let j = 0; j < r.embedding!.length; j++)
          assert.ok(Math.abs(r.embedding![j]! - want.mean![i]![j]!) <= 1e-5, `row ${i} mean[${j}]`);
        for (let j = 0; j < r.logits!.length; j++)
          assert.ok(Math.abs(r.logits![j]! - want.logits![i]![j]!) <= 1e-5, `row ${i} logits[${j}]`);
      });
    } finally {
      await full.close();
    }
    assert.equal(lines.filter((l) => l.startsWith('sessions ')).length, 1, 'the model loaded once');
  } finally {
    await cache.close();
  }
});

test('a first run that reads mean loads the full graph and says why at debug level only', async () => {
  const lines: string[] = [];
  const debug: string[] = [];
  const cache = new StageCache({
    modelsRoot,
    cacheDir,
    threads: 1,
    sessions: 1,
    device: 'cpu',
    onLayout: (_model, line) => lines.push(line),
    onDebug: (_model, line) => debug.push(line),
  });
  try {
    await (
      await cache.runnerFor(spec('x-2', meanPlan))
    )(rows.slice(0, 4));
    assert.deepEqual(
      lines.filter((l) => l.startsWith('last layer')),
      [],
    );
    assert.deepEqual(debug, ['last layer: full graph (the run reads every position (mean))']);
  } finally {
    await cache.close();
  }
});
