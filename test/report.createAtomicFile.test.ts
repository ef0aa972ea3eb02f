/**
 * Whole or absent, at the writer level: JSONL, CSV and Parquet row writers put
 * nothing under the final name until `close()`, and leave nothing at all after
 * `abort()` (or a failed fill); an existing file is replaced only whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { createCsvWriter, createJsonlWriter, fillWhole, type RowWriter } from '../src/report/writers.js';
import { createParquetWriter } from '../src/report/parquet.js';
import { createExtractRowWriter, featuresMeta, writeJson } from '../src/report/row-writers.js';
import type { RunPlan } from '../src/contracts.js';
import { createAtomicFile, pendingTempFiles, removePendingTempFilesSync, writeFileAtomic } from '../src/report/atomic-file.js';
import { InterruptedError } from '../src/errors.js';

interface Row {
  i: number;
  s: string;
}

const ROWS = 3000;

const formats: Record<string, (file: string) => Promise<RowWriter<Row>>> = {
  jsonl: (file) => createJsonlWriter<Row>(file),
  csv: (file) => createCsvWriter<Row>(file, ['i', 's'], (r) => ({ ...r })),
  // Small row groups, so bytes reach the temp file long before close.
  parquet: (file) =>
    createParquetWriter<Row>(
      file,
      [
        { name: 'i', kind: 'int32' },
        { name: 's', kind: 'string' },
      ],
      (r) => ({ ...r }),
      { rowGroupRows: 500 },
    ),
};

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-atomic-'));
}

async function writeRows(w: RowWriter<Row>, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await w.write({ i, s: `row ${i}, "quoted"` });
}

async function rowCount(file: string, format: string): Promise<number> {
  if (format === 'parquet') {
    return (await parquetReadObjects({ file: await asyncBufferFromFile(file) })).length;
  }
  return fs.readFileSync(file, 'utf8').trim().split('\n').length - (format === 'csv' ? 1 : 0);
}

for (const [format, open] of Object.entries(formats)) {
  test(`${format}: no file at the final name until close, then exactly the final file`, async () => {
    const dir = tempDir();
    try {
      const out = path.join(dir, 'sub', `rows.${format}`);
      const w = await open(out);
      await writeRows(w, ROWS);
      assert.equal(fs.existsSync(out), false, 'nothing under the final name while writing');
      assert.ok(w.tempFile && fs.existsSync(w.tempFile), 'rows go to a temp file');
      assert.equal(path.dirname(w.tempFile!), path.dirname(out), 'the temp file is beside the final one (same filesystem)');
      assert.ok(fs.statSync(w.tempFile!).size > 0, 'bytes were written before close');
      await w.close();
      assert.deepEqual(fs.readdirSync(path.dirname(out)), [`rows.${format}`]);
      assert.equal(await rowCount(out, format), ROWS);
      assert.ok(!pendingTempFiles().includes(w.tempFile!));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${format}: abort leaves nothing at all, and an existing file is kept as it was`, async () => {
    const dir = tempDir();
    try {
      const out = path.join(dir, `rows.${format}`);
      const w = await open(out);
      await writeRows(w, ROWS);
      await w.abort();
      assert.deepEqual(fs.readdirSync(dir), []);

      fs.writeFileSync(out, 'the previous, complete output');
      const again = await open(out);
      await writeRows(again, ROWS);
      await again.abort();
      assert.deepEqual(fs.readdirSync(dir), [`rows.${format}`]);
      assert.equal(fs.readFileSync(out, 'utf8'), 'the previous, complete output');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('fillWhole: a fill that throws leaves no file; an interruption says which temp file was removed and that out was not written', async () => {
  const dir = tempDir();
  try {
    const out = path.join(dir, 'rows.jsonl');
    const w = await createJsonlWriter<Row>(out);
    await assert.rejects(
      fillWhole(w, out, async () => {
        await writeRows(w, 10);
        throw new Error('chunk failed');
      }),
      /chunk failed/,
    );
    assert.deepEqual(fs.readdirSync(dir), []);

    const w2 = await createJsonlWriter<Row>(out);
    const tmp = w2.tempFile!;
    await assert.rejects(
      fillWhole(w2, out, async () => {
        await writeRows(w2, 10);
        throw new InterruptedError('SIGINT');
      }),
      (e: unknown) =>
        e instanceof InterruptedError &&
        e.signal === 'SIGINT' &&
        e.message === `interrupted by SIGINT: removed the partial ${tmp}; ${out} was not written`,
    );
    assert.deepEqual(fs.readdirSync(dir), []);

    const w3 = await createJsonlWriter<Row>(out);
    assert.equal(await fillWhole(w3, out, async () => (await writeRows(w3, 5), 5)), 5);
    assert.deepEqual(fs.readdirSync(dir), ['rows.jsonl']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('extract rows: abort writes no sidecar; close writes rows and sidecar', async () => {
  const dir = tempDir();
  try {
    const out = path.join(dir, 'feats.parquet');
    const plan: RunPlan = {
      task: 'extract',
      featureSelection: 'f',
      features: ['f'],
      labels: [],
      kinds: [],
      maxLength: 16,
      head: null,
      extract: { embedding: null, embeddingDim: 0, logits: false, logitsDim: 0, modelLabels: [] },
    };
    const meta = featuresMeta(plan, { sha256: 'a'.repeat(64), name: 'm' }, 'x.jsonl');
    const w = await createExtractRowWriter(out, meta);
    await w.write({ index: 0, id: 'a', features: { f: 1 } });
    await w.abort();
    assert.deepEqual(fs.readdirSync(dir), []);
    const w2 = await createExtractRowWriter(out, meta);
    await w2.write({ index: 0, id: 'a', features: { f: 1 } });
    await w2.close();
    assert.deepEqual(fs.readdirSync(dir).sort(), ['feats.parquet', 'feats.parquet.meta.json']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('writeFileAtomic and writeJson leave only the final file; removePendingTempFilesSync removes unfinished temp files', async () => {
  const dir = tempDir();
  try {
    await writeFileAtomic(path.join(dir, 'a', 'head.json'), '{"x":1}\n');
    await writeJson(path.join(dir, 'metrics.json'), { rows: 1 });
    assert.deepEqual(fs.readdirSync(dir).sort(), ['a', 'metrics.json']);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'a')), ['head.json']);

    const f = await createAtomicFile(path.join(dir, 'big.bin'));
    fs.writeFileSync(f.tmp, 'partial');
    assert.ok(pendingTempFiles().includes(f.tmp));
    assert.deepEqual(removePendingTempFilesSync(), [f.tmp]);
    assert.equal(fs.existsSync(f.tmp), false);
    assert.deepEqual(pendingTempFiles(), []);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
