import { after, describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../src/errors.js';
import { DatasetError, scanDataset, type ColumnOptions } from '../src/ingest/index.js';
import { createParquetWriter } from '../src/report/parquet.js';
import { SHARED_MISSING, sharedPath } from './helpers/shared.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-ingest-scan-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Asserts scanDataset fails with an InputError naming `file` (and `line`, when given) and matching `pattern`. */
async function assertFileError(file: string, pattern: RegExp, line?: number, opts?: ColumnOptions): Promise<DatasetError> {
  let caught: unknown;
  try {
    await scanDataset(file, opts);
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof InputError, `expected an InputError, got ${String(caught)}`);
  assert.ok(caught instanceof DatasetError);
  assert.equal(caught.file, file);
  assert.ok(caught.message.startsWith(line === undefined ? `${file}: ` : `${file}, line ${line}: `), caught.message);
  assert.equal(caught.line, line);
  assert.match(caught.message, pattern);
  return caught;
}

describe('scanDataset: summary', () => {
  it('counts rows and bad rows and lists sorted distinct labels (CSV)', async () => {
    const file = write(
      's.csv',
      'pair_ID,sentence_A,sentence_B,entailment_label\n1,a,b,NEUTRAL\n2,,b,ENTAILMENT\n3,a,b,CONTRADICTION\n4,a,b,NEUTRAL\n5,a\n',
    );
    assert.deepEqual(await scanDataset(file), {
      file,
      format: 'csv',
      columns: { premise: 'sentence_A', hypothesis: 'sentence_B', label: 'entailment_label', id: 'pair_ID' },
      rows: 5,
      badRows: 2,
      labels: ['CONTRADICTION', 'ENTAILMENT', 'NEUTRAL'],
    });
  });

  it('reports format and columns for TSV and JSONL, and labels = [] without a label column', async () => {
    const tsv = write('s.tsv', 'premise\thypothesis\na\tb\n');
    assert.deepEqual(await scanDataset(tsv), {
      file: tsv,
      format: 'tsv',
      columns: { premise: 'premise', hypothesis: 'hypothesis' },
      rows: 1,
      badRows: 0,
      labels: [],
    });
    const jsonl = write(
      's.jsonl',
      '{"sentence1":"a","sentence2":"b","gold_label":"neutral"}\n{"sentence1":"a","sentence2":"b","gold_label":"-"}\nbroken\n',
    );
    const info = await scanDataset(jsonl);
    assert.equal(info.format, 'jsonl');
    assert.deepEqual(info.columns, { premise: 'sentence1', hypothesis: 'sentence2', label: 'gold_label' });
    assert.equal(info.rows, 3);
    assert.equal(info.badRows, 1);
    assert.deepEqual(info.labels, ['neutral']);
  });

  it('applies explicit columns and format', async () => {
    const file = write('cols.data', 'a|b\tc\tlab\nx\ty\tz\n');
    const info = await scanDataset(file, { format: 'tsv', premiseCol: 'a|b', hypothesisCol: 'c', labelCol: 'lab' });
    assert.deepEqual(info.columns, { premise: 'a|b', hypothesis: 'c', label: 'lab' });
    assert.deepEqual(info.labels, ['z']);
  });

  it('scans a generated 200k-row CSV quickly', async (t) => {
    const file = path.join(dir, 'speed.csv');
    const out = fs.createWriteStream(file);
    out.write('id,premise,hypothesis,label\n');
    for (let i = 0; i < 200_000; i++) {
      if (!out.write(`${i},"Two dogs, ${i}, run through a field",The animals are ${i % 7 ? 'outside' : '"inside"'},L${i % 3}\n`)) {
        await new Promise<void>((r) => out.once('drain', () => r()));
      }
    }
    await new Promise<void>((r) => out.end(() => r()));
    const t0 = performance.now();
    const info = await scanDataset(file);
    const ms = performance.now() - t0;
    t.diagnostic(`scanned ${info.rows} rows in ${ms.toFixed(0)} ms (${Math.round((info.rows / ms) * 1000)} rows/s)`);
    assert.equal(info.rows, 200_000);
    assert.equal(info.badRows, 0);
    assert.deepEqual(info.labels, ['L0', 'L1', 'L2']);
    assert.ok(ms < 20_000, `scan took ${ms} ms`);
  });
});

describe('scanDataset: file-level errors', () => {
  it('missing file, directory, empty file', async () => {
    await assertFileError(path.join(dir, 'nope.csv'), /file not found/);
    const sub = path.join(dir, 'a-directory.csv');
    fs.mkdirSync(sub);
    await assertFileError(sub, /is a directory/);
    await assertFileError(write('empty.csv', ''), /file is empty/);
    await assertFileError(write('blank.csv', '\n\r\n\n'), /file is empty \(no header line\)/);
    await assertFileError(write('blank.jsonl', '\n  \n'), /file is empty/);
  });

  it('header only → "no data rows"', async () => {
    await assertFileError(write('header.csv', 'premise,hypothesis,label\n'), /no data rows/, 1);
    await assertFileError(write('header.tsv', '\n\npremise\thypothesis\n\n'), /no data rows/, 3);
  });

  it('binary content: NUL bytes, invalid UTF-8, UTF-16', async () => {
    const nul = write('nul.csv', Buffer.concat([Buffer.from('premise,hypothesis\na,b\n'), Buffer.from([0x50, 0x4b, 0x00, 0x01])]));
    await assertFileError(nul, /binary file.*NUL byte at offset 25/, 3);
    const latin1 = write('latin1.csv', Buffer.from('premise,hypothesis\na,b\ncaf\xe9,ok\n', 'latin1'));
    await assertFileError(latin1, /not valid UTF-8 \(byte 0xe9 at offset 26\)/, 3);
    const utf16 = write('utf16.csv', Buffer.from('\uFEFFpremise,hypothesis\n', 'utf16le'));
    await assertFileError(utf16, /UTF-16/, 1);
    const zip = write('data.jsonl', Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00]));
    await assertFileError(zip, /binary|UTF-8/, 1);
  });

  it('accepts a multi-byte character cut by the 64 KiB binary-check window', async () => {
    let body = 'premise,hypothesis\n';
    while (Buffer.byteLength(body) < 64 * 1024 + 100) body += 'naïve café crème brûlée,日本語のテキスト\n';
    const file = write('utf8-boundary.csv', body);
    const info = await scanDataset(file);
    assert.equal(info.badRows, 0);
    assert.ok(info.rows > 1000);
  });

  it('broken or misnamed Parquet; unknown extensions and .json are explained', async () => {
    await assertFileError(write('data.parquet', Buffer.from('PAR1\x00\x00PAR1', 'latin1')), /not a readable Parquet file/);
    await assertFileError(write('misnamed.csv', Buffer.from('PAR1\x15\x04\x00', 'latin1')), /is a Parquet file.*--input-format parquet/);
    await assertFileError(write('data.xlsx', 'premise,hypothesis\na,b\n'), /cannot tell the format from the extension "\.xlsx".*--format/);
    await assertFileError(write('data.json', '[{"premise":"a","hypothesis":"b"}]'), /JSON Lines/);
    await assertFileError(write('ok.csv', 'premise,hypothesis\na,b\n'), /not a readable Parquet file/, undefined, { format: 'parquet' });
  });

  it('no detectable premise/hypothesis columns: lists columns, accepted names and flags', async () => {
    const err = await assertFileError(
      write('nocols.csv', 'question,answer,score\nq,a,1\n'),
      /cannot find the premise and hypothesis columns/,
      1,
    );
    assert.match(err.message, /Columns found: "question", "answer", "score"/);
    assert.match(err.message, /premise\/sentence1\/sentence_A\/text_a/);
    assert.match(err.message, /--premise-col and --hypothesis-col/);
    const jerr = await assertFileError(write('nocols.jsonl', '\n{"q":"a","a":"b"}\n'), /cannot find/, 2);
    assert.match(jerr.message, /Columns found: "q", "a"/);
  });

  it('an explicit column that does not exist lists the file columns', async () => {
    const err = await assertFileError(
      write('explicit.tsv', 'premise\thypothesis\tgold\na\tb\tc\n'),
      /--label-col "verdict": no such column/,
      1,
      {
        labelCol: 'verdict',
      },
    );
    assert.match(err.message, /"premise", "hypothesis", "gold"/);
  });

  it('bad CSV quoting anywhere in the file, with the line where the record starts', async () => {
    const lines = ['premise,hypothesis'];
    for (let i = 0; i < 5000; i++) lines.push(`p${i},h${i}`);
    lines.push('"multi-line ok', 'still ok",h');
    lines.push('"never closed,h', 'more,text', 'and more,text');
    const file = write('unterminated.csv', lines.join('\r\n') + '\r\n');
    const err = await assertFileError(file, /unterminated quoted field.*Quote Not Closed/, 5004);
    assert.ok(err.cause, 'keeps csv-parse error as cause');
    await assertFileError(write('bad-header.csv', '"premise,hypothesis\na,b\n'), /unterminated quoted field/, 1);
  });

  it('JSONL whose first record is not JSON, or not an object, is not JSON Lines', async () => {
    await assertFileError(
      write('notjson.jsonl', '\npremise,hypothesis\n{"premise":"a","hypothesis":"b"}\n'),
      /not JSON Lines: the first record is not valid JSON/,
      2,
    );
    await assertFileError(write('array.jsonl', '[{"premise":"a","hypothesis":"b"}]\n'), /not JSON Lines: the first record is an array/, 1);
    await assertFileError(write('number.ndjson', '42\n'), /the first record is a number/, 1);
  });

  it('a file that fails does not leave anything half-read (scan twice gives the same error)', async () => {
    const file = write('twice.csv', 'premise,hypothesis\n"a,b\n');
    const e1 = await assertFileError(file, /unterminated/, 2);
    const e2 = await assertFileError(file, /unterminated/, 2);
    assert.equal(e1.message, e2.message);
  });
});

describe('scanDataset: SICK trial (../shared)', () => {
  const sick = sharedPath('data', 'sick', 'SICK_trial.tsv');
  it('495 rows, SICK columns and the three labels', { skip: sick ? false : SHARED_MISSING }, async () => {
    assert.deepEqual(await scanDataset(sick!), {
      file: sick,
      format: 'tsv',
      columns: { premise: 'sentence_A', hypothesis: 'sentence_B', label: 'entailment_label', id: 'pair_ID' },
      rows: 495,
      badRows: 0,
      labels: ['CONTRADICTION', 'ENTAILMENT', 'NEUTRAL'],
    });
  });
});

describe('scanDataset with sha256 (submit hashes the input while it scans it)', () => {
  const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

  it('gives the file hash for CSV, TSV and JSONL, across many read chunks and multi-byte text', async () => {
    // > 64 KiB, so the readers stream several chunks; é and 日本 can straddle a chunk boundary.
    const rows = Array.from({ length: 3000 }, (_, i) => [
      `Un homme é ${i} 日本 qui chante dans la rue`,
      `A woman ${i} is singing in the street`,
    ]);
    const files = [
      write('hash.csv', ['premise,hypothesis', ...rows.map(([a, b]) => `${a},${b}`)].join('\n') + '\n'),
      write('hash.tsv', ['premise\thypothesis', ...rows.map(([a, b]) => `${a}\t${b}`)].join('\n') + '\n'),
      write('hash.jsonl', rows.map(([premise, hypothesis]) => JSON.stringify({ premise, hypothesis })).join('\n') + '\n'),
    ];
    for (const file of files) {
      assert.ok(fs.statSync(file).size > 128 * 1024);
      const info = await scanDataset(file, {}, { sha256: true });
      assert.equal(info.rows, 3000, file);
      assert.equal(info.sha256, sha(file), file);
      assert.equal((await scanDataset(file)).sha256, undefined, 'not asked, not computed');
    }
  });

  it('leaves sha256 unset for Parquet (read by offset, not streamed): the caller hashes it apart', async () => {
    const file = path.join(dir, 'hash.parquet');
    const w = await createParquetWriter<Record<string, unknown>>(
      file,
      [
        { name: 'premise', kind: 'string' },
        { name: 'hypothesis', kind: 'string' },
      ],
      (r) => r,
    );
    await w.write({ premise: 'A', hypothesis: 'B' });
    await w.close();
    const info = await scanDataset(file, {}, { sha256: true });
    assert.equal(info.rows, 1);
    assert.equal(info.sha256, undefined);
  });
});
