import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createCsvWriter, createJsonlWriter, csvField, outputFormatFor } from '../src/report/writers.js';
import { InputError } from '../src/errors.js';

test('csvField quotes only when needed', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField(undefined), '');
  assert.equal(csvField(0.5), '0.5');
});

test('outputFormatFor reads the extension and rejects unknown ones', () => {
  assert.equal(outputFormatFor('x.jsonl'), 'jsonl');
  assert.equal(outputFormatFor('x.csv'), 'csv');
  assert.equal(outputFormatFor('x.out', 'csv'), 'csv');
  assert.equal(outputFormatFor('x.parquet'), 'parquet');
  assert.throws(() => outputFormatFor('x.xlsx'), InputError);
});

test('JSONL and CSV writers stream rows to files', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'pairscore-writers-'));
  try {
    const j = await createJsonlWriter<{ a: number }>(path.join(dir, 'o.jsonl'));
    for (let i = 0; i < 3; i++) await j.write({ a: i });
    await j.close();
    assert.equal(await fs.readFile(path.join(dir, 'o.jsonl'), 'utf8'), '{"a":0}\n{"a":1}\n{"a":2}\n');
    const c = await createCsvWriter<{ id: string; v?: number }>(path.join(dir, 'sub', 'o.csv'), ['id', 'v'], (r) => ({ ...r }));
    await c.write({ id: 'x,y', v: 1 });
    await c.write({ id: 'z' });
    await c.close();
    assert.equal(await fs.readFile(path.join(dir, 'sub', 'o.csv'), 'utf8'), 'id,v\n"x,y",1\nz,\n');
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
