/**
 * readDataset on Parquet written by another writer than pairscore's own hyparquet-writer:
 * parquet-wasm (the Rust arrow/parquet crate compiled to wasm, what Polars and arrow-rs
 * write with), one file per codec that pandas/pyarrow/Polars/Spark produce, with pandas-like
 * column names (MNLI's sentence1/sentence2/gold_label/pairID), dictionary-encoded strings,
 * a null and several row groups; then `pairscore score` on the ZSTD file (Polars' default).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import * as pw from 'parquet-wasm';
import { parquetMetadataAsync } from 'hyparquet';
import { readDataset, scanDataset } from '../src/ingest/index.js';
import type { IngestRow } from '../src/contracts.js';
import { runCli } from './helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-readparquet-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const N = 25;
const LABELS = ['entailment', 'neutral', 'contradiction'];
const premise = Array.from({ length: N }, (_, i) => `A person number ${i} is walking a dog in the park`);
const hypothesis: Array<string | null> = Array.from({ length: N }, (_, i) =>
  i === 7 ? null : `Someone ${i % 2 ? 'is' : 'is not'} outside`,
);
const label = Array.from({ length: N }, (_, i) => LABELS[i % 3]!);
const pairID = BigInt64Array.from({ length: N }, (_, i) => BigInt(1000 + i));

const CODECS = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4', 'LZ4_RAW'] as const;
type Codec = (typeof CODECS)[number];

/** Writes the table with parquet-wasm, 10 rows per row group, and returns the path. */
function writeWith(codec: Codec): string {
  const table = tableFromArrays({ pairID, sentence1: premise, sentence2: hypothesis, gold_label: label });
  const wasmTable = pw.Table.fromIPCStream(tableToIPC(table, 'stream'));
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression[codec])
    .setMaxRowGroupSize(10)
    .setDictionaryEnabled(true)
    .build();
  const file = path.join(dir, `pairs.${codec.toLowerCase()}.parquet`);
  fs.writeFileSync(file, pw.writeParquet(wasmTable, props));
  return file;
}

describe('readDataset on Parquet from parquet-wasm (arrow-rs)', () => {
  for (const codec of CODECS) {
    it(`${codec}: columns detected, every row read in order, the null reported`, async () => {
      const file = writeWith(codec);
      // The file really is compressed with this codec (LZ4 is the Hadoop-framed legacy codec).
      const buf = fs.readFileSync(file);
      const meta = await parquetMetadataAsync(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
      assert.equal(meta.row_groups.length, 3);
      for (const col of meta.row_groups[0]!.columns) assert.equal(col.meta_data?.codec, codec);

      const info = await scanDataset(file);
      assert.equal(info.format, 'parquet');
      assert.deepEqual(info.columns, { premise: 'sentence1', hypothesis: 'sentence2', label: 'gold_label', id: 'pairID' });
      assert.equal(info.rows, N);
      assert.equal(info.badRows, 1);
      const rows: IngestRow[] = [];
      for await (const r of readDataset(file)) rows.push(r);
      assert.equal(rows.length, N);
      for (let i = 0; i < N; i++) {
        if (i === 7) {
          assert.match((rows[i] as { error: string }).error, /hypothesis "sentence2" is null/);
          continue;
        }
        assert.deepEqual(rows[i], { index: i, id: String(1000 + i), premise: premise[i], hypothesis: hypothesis[i], gold: label[i] });
      }
    });
  }

  it("pairscore score reads a ZSTD file (Polars' default) end to end", async () => {
    const file = writeWith('ZSTD');
    const model = path.join(dir, 'model');
    const made = await runCli(['make-model', '--size', 'tiny', '--head', 'seqcls', '--labels', '3', '--seed', '5', '--out', model]);
    assert.equal(made.code, 0, made.stderr);
    const out = path.join(dir, 'preds.jsonl');
    const r = await runCli(['score', file, '--model', model, '--out', out, '--no-progress', '--threads', '1']);
    assert.equal(r.code, 0, r.stderr);
    const preds = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(preds.length, N);
    assert.deepEqual(
      preds.map((p) => p.id),
      Array.from({ length: N }, (_, i) => String(1000 + i)),
    );
    assert.equal(preds.filter((p) => p.error !== undefined).length, 1);
    for (const p of preds) {
      if (p.error !== undefined) continue;
      assert.equal(Object.keys(p.probs as Record<string, number>).length, 3);
      assert.equal(p.gold, label[p.index as number]);
    }
  });
});
