import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { evaluatePredictions } from '../src/report/eval.js';
import { formatMetrics } from '../src/report/metrics.js';
import { InputError } from '../src/errors.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-eval-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const probs = { ENTAILMENT: 0.2, NEUTRAL: 0.5, CONTRADICTION: 0.3 };
const rows = [
  { index: 0, id: 'a', error: 'empty premise (line 2)', gold: 'NEUTRAL' },
  { index: 1, id: 'b', label: 'NEUTRAL', probs, gold: 'neutral' },
  { index: 2, id: 'c', label: 'NEUTRAL', probs, gold: 'CONTRADICTION' },
  { index: 3, id: 'd', label: 'ENTAILMENT', probs, gold: 'ENTAILMENT' },
  { index: 4, id: 'e', label: 'CONTRADICTION', probs },
];

describe('report evaluatePredictions', () => {
  it('JSONL: accuracy, macro-F1, per-class P/R/F1 and confusion in the probs label order', async () => {
    const file = path.join(dir, 'p.jsonl');
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const m = await evaluatePredictions(file);
    assert.equal(m.rows, 5);
    assert.equal(m.errors, 1);
    assert.equal(m.evaluated, 3);
    assert.equal(m.accuracy, 2 / 3);
    assert.deepEqual(m.confusion.labels, ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION']);
    assert.deepEqual(m.confusion.matrix, [
      [1, 0, 0],
      [0, 1, 0],
      [0, 1, 0],
    ]);
    assert.equal(m.per_class.NEUTRAL!.precision, 0.5);
    const text = formatMetrics(m);
    assert.match(text, /accuracy 66\.67%  macro-F1/);
    assert.match(text, /confusion \(rows gold, columns predicted\): ENTAILMENT, NEUTRAL, CONTRADICTION/);
  });

  it('CSV as `score --format csv` writes it', async () => {
    const file = path.join(dir, 'p.csv');
    fs.writeFileSync(
      file,
      'index,id,label,prob_ENTAILMENT,prob_NEUTRAL,prob_CONTRADICTION,gold,error\n1,b,NEUTRAL,0.2,0.5,0.3,NEUTRAL,\n2,c,CONTRADICTION,0.1,0.1,0.8,NEUTRAL,\n',
    );
    const m = await evaluatePredictions(file);
    assert.equal(m.accuracy, 0.5);
    assert.deepEqual(m.confusion.labels, ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION']);
  });

  it('missing or empty files are InputErrors', async () => {
    await assert.rejects(evaluatePredictions(path.join(dir, 'nope.jsonl')), InputError);
    const empty = path.join(dir, 'empty.jsonl');
    fs.writeFileSync(empty, '\n');
    await assert.rejects(evaluatePredictions(empty), /no prediction rows/);
  });
});
