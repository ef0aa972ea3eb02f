import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { createParquetWriter, rowGroupRows } from '../src/report/parquet.js';
import { openParquetFile, parquetRowGroups } from '../src/ingest/parquet.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-parquet-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Row {
  index: number;
  id: string;
  gold?: string;
  emb?: number[];
  f: number;
}

describe('report createParquetWriter', () => {
  it('round-trips ints, strings, floats, float lists and nulls, with footer metadata', async () => {
    const file = path.join(dir, 'rt.parquet');
    const w = await createParquetWriter<Row>(
      file,
      [
        { name: 'index', kind: 'int32' },
        { name: 'id', kind: 'string' },
        { name: 'gold', kind: 'string' },
        { name: 'emb', kind: 'floats', width: 3 },
        { name: 'f', kind: 'float' },
      ],
      (r) => ({ ...r }),
      { metadata: { pairscore: '{"x":1}' } },
    );
    await w.write({ index: 0, id: 'a', gold: 'NEUTRAL', emb: [0.5, -1.25, 3], f: 0.25 });
    await w.write({ index: 1, id: 'b', f: 1 });
    await w.close();
    const pf = await openParquetFile(file);
    assert.deepEqual(pf.columns, ['index', 'id', 'gold', 'emb', 'f']);
    assert.equal(pf.keyValues.pairscore, '{"x":1}');
    const rows = (await parquetReadObjects({ file: await asyncBufferFromFile(file) })) as Array<Record<string, unknown>>;
    assert.deepEqual(rows[0], { index: 0, id: 'a', gold: 'NEUTRAL', emb: [0.5, -1.25, 3], f: 0.25 });
    assert.equal(rows[1]!.gold ?? null, null);
    assert.equal(rows[1]!.emb ?? null, null);
  });

  it('streams: row groups reach the file before close, and reading goes one row group at a time', async () => {
    const file = path.join(dir, 'stream.parquet');
    const w = await createParquetWriter<{ i: number; v: number[] }>(
      file,
      [
        { name: 'i', kind: 'int32' },
        { name: 'v', kind: 'floats', width: 8 },
      ],
      (r) => r,
      { rowGroupRows: 1000 },
    );
    const before = process.memoryUsage().heapUsed;
    let sizeMidway = 0;
    for (let i = 0; i < 100_000; i++) {
      await w.write({ i, v: [i, 1, 2, 3, 4, 5, 6, 7] });
      if (i === 50_000) {
        // Streaming goes to the temp file; the final name appears only on close (whole or absent).
        sizeMidway = fs.statSync(w.tempFile!).size;
        assert.equal(fs.existsSync(file), false);
      }
    }
    const grown = process.memoryUsage().heapUsed - before;
    await w.close();
    assert.ok(sizeMidway > 100_000, `bytes on disk midway: ${sizeMidway}`);
    assert.ok(grown < 64 * 1024 * 1024, `heap grew ${grown} bytes while writing 100k rows`);
    const meta = await parquetMetadataAsync(await asyncBufferFromFile(file));
    assert.equal(meta.row_groups.length, 100);
    assert.equal(Number(meta.num_rows), 100_000);
    const pf = await openParquetFile(file);
    let n = 0;
    let groups = 0;
    for await (const rows of parquetRowGroups(pf, ['i'])) {
      groups++;
      assert.ok(rows.length <= 1000);
      for (const r of rows) assert.equal(r.i, n++);
    }
    assert.equal(n, 100_000);
    assert.equal(groups, 100);
  });

  it('sizes row groups from the row width', () => {
    assert.equal(rowGroupRows([{ name: 'a', kind: 'int32' }]), 10_000);
    assert.ok(rowGroupRows([{ name: 'e', kind: 'floats', width: 768 }]) < 10_000);
  });
});
