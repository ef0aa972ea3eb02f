import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readDataset, scanDataset } from '../src/ingest/index.js';
import { createParquetWriter, type ParquetColumn } from '../src/report/parquet.js';
import type { IngestRow } from '../src/contracts.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-ingest-parquet-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function writeParquet(
  name: string,
  columns: ParquetColumn[],
  rows: Array<Record<string, unknown>>,
  rowGroupRows = 2,
): Promise<string> {
  const file = path.join(dir, name);
  const w = await createParquetWriter<Record<string, unknown>>(file, columns, (r) => r, { rowGroupRows });
  for (const r of rows) await w.write(r);
  await w.close();
  return file;
}

describe('ingest Parquet input', () => {
  it('detects SICK-style columns and streams rows in order across row groups', async () => {
    const file = await writeParquet(
      'sick.parquet',
      [
        { name: 'pair_ID', kind: 'int32' },
        { name: 'sentence_A', kind: 'string' },
        { name: 'sentence_B', kind: 'string' },
        { name: 'entailment_label', kind: 'string' },
        { name: 'extra', kind: 'floats', width: 2 },
      ],
      [
        { pair_ID: 7, sentence_A: 'A dog runs', sentence_B: 'An animal runs', entailment_label: 'ENTAILMENT', extra: [1, 2] },
        { pair_ID: 8, sentence_A: 'A man sings', sentence_B: null, entailment_label: 'NEUTRAL' },
        { pair_ID: 9, sentence_A: 'A cat sleeps', sentence_B: 'A cat is awake', entailment_label: 'CONTRADICTION' },
      ],
    );
    const info = await scanDataset(file);
    assert.equal(info.format, 'parquet');
    assert.deepEqual(info.columns, { premise: 'sentence_A', hypothesis: 'sentence_B', label: 'entailment_label', id: 'pair_ID' });
    assert.equal(info.rows, 3);
    assert.equal(info.badRows, 1);
    const rows: IngestRow[] = [];
    for await (const r of readDataset(file)) rows.push(r);
    assert.deepEqual(rows[0], { index: 0, id: '7', premise: 'A dog runs', hypothesis: 'An animal runs', gold: 'ENTAILMENT' });
    assert.match((rows[1] as { error: string }).error, /hypothesis "sentence_B" is null, expected a string \(line 2\)/);
    assert.equal((rows[2] as { id: string }).id, '9');
  });

  it('--input-format parquet reads a file of any name; explicit columns work', async () => {
    const src = await writeParquet(
      'p.parquet',
      [
        { name: 'a', kind: 'string' },
        { name: 'b', kind: 'string' },
      ],
      [{ a: 'x', b: 'y' }],
    );
    const other = path.join(dir, 'pairs.bin');
    fs.copyFileSync(src, other);
    const info = await scanDataset(other, { format: 'parquet', premiseCol: 'a', hypothesisCol: 'b' });
    assert.equal(info.rows, 1);
    await assert.rejects(scanDataset(src), /cannot find the premise and hypothesis columns\. Columns found: "a", "b"/);
  });
});
