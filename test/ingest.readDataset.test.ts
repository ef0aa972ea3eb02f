import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { isBadRow, type BadRow, type IngestRow, type PairRow } from '../src/contracts.js';
import { InputError } from '../src/errors.js';
import { readDataset, type ColumnOptions } from '../src/ingest/index.js';
import { SHARED_MISSING, sharedPath } from './helpers/shared.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-ingest-read-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function read(file: string, opts?: ColumnOptions): Promise<IngestRow[]> {
  const rows: IngestRow[] = [];
  for await (const row of readDataset(file, opts)) rows.push(row);
  return rows;
}

function good(row: IngestRow | undefined): PairRow {
  assert.ok(row && !isBadRow(row), `expected a good row, got ${JSON.stringify(row)}`);
  return row;
}

function badRow(row: IngestRow | undefined): BadRow {
  assert.ok(row && isBadRow(row), `expected a bad row, got ${JSON.stringify(row)}`);
  return row;
}

describe('readDataset: formats', () => {
  it('reads CSV with header, ids, gold labels and 0-based indexes', async () => {
    const file = write(
      'basic.csv',
      'id,premise,hypothesis,label\nA1,A dog runs.,An animal moves.,entailment\nA2,A cat sleeps.,A cat runs.,contradiction\n',
    );
    assert.deepEqual(await read(file), [
      { index: 0, id: 'A1', premise: 'A dog runs.', hypothesis: 'An animal moves.', gold: 'entailment' },
      { index: 1, id: 'A2', premise: 'A cat sleeps.', hypothesis: 'A cat runs.', gold: 'contradiction' },
    ]);
  });

  it('reads SICK-style TSV (sentence_A/sentence_B, entailment_label, pair_ID)', async () => {
    const file = write(
      'sick.tsv',
      'pair_ID\tsentence_A\tsentence_B\tentailment_label\trelatedness_score\n7\tA man plays.\tNobody plays.\tCONTRADICTION\t3.6\n9\tA boy sings.\tA kid sings.\tENTAILMENT\t4.5\n',
    );
    assert.deepEqual(await read(file), [
      { index: 0, id: '7', premise: 'A man plays.', hypothesis: 'Nobody plays.', gold: 'CONTRADICTION' },
      { index: 1, id: '9', premise: 'A boy sings.', hypothesis: 'A kid sings.', gold: 'ENTAILMENT' },
    ]);
  });

  it('reads SNLI/MNLI-style JSONL (sentence1/sentence2, gold_label, pairID) and maps "-" to no gold', async () => {
    const lines = [
      {
        annotator_labels: ['neutral'],
        gold_label: 'neutral',
        pairID: '3416050480.jpg#4r1n',
        sentence1: 'A person on a horse.',
        sentence1_parse: '(ROOT)',
        sentence2: 'A person is training.',
      },
      { gold_label: '-', pairID: 'x2', sentence1: 'Two men.', sentence2: 'People.' },
    ];
    const file = write('snli.jsonl', lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    assert.deepEqual(await read(file), [
      { index: 0, id: '3416050480.jpg#4r1n', premise: 'A person on a horse.', hypothesis: 'A person is training.', gold: 'neutral' },
      { index: 1, id: 'x2', premise: 'Two men.', hypothesis: 'People.' },
    ]);
  });

  it('reads text_a/text_b with guid and entailment_judgment, and .tab/.ndjson extensions', async () => {
    const tab = write('glue.tab', 'guid\ttext_a\ttext_b\tentailment_judgment\ng-1\tx y\tz\tNEUTRAL\n');
    assert.deepEqual(await read(tab), [{ index: 0, id: 'g-1', premise: 'x y', hypothesis: 'z', gold: 'NEUTRAL' }]);
    const nd = write(
      'hf.ndjson',
      '{"premise":"p","hypothesis":"h","label":2,"idx":17}\n{"premise":"p","hypothesis":"h","label":-1,"idx":18}\n',
    );
    assert.deepEqual(await read(nd), [
      { index: 0, id: '17', premise: 'p', hypothesis: 'h', gold: '2' },
      { index: 1, id: '18', premise: 'p', hypothesis: 'h' },
    ]);
  });

  it('uses String(index) as id when there is no id column or the id is empty', async () => {
    const file = write('noid.csv', 'premise,hypothesis\na,b\nc,d\n');
    assert.deepEqual(
      (await read(file)).map((r) => r.id),
      ['0', '1'],
    );
    const file2 = write('emptyid.csv', 'id,premise,hypothesis\n,a,b\n  x7 ,c,d\n');
    assert.deepEqual(
      (await read(file2)).map((r) => r.id),
      ['0', 'x7'],
    );
  });

  it('trims gold labels; empty and "-" mean no gold', async () => {
    const file = write('gold.csv', 'premise,hypothesis,label\na,b, ENTAILMENT \na,b,\na,b,-\na,b, - \n');
    assert.deepEqual(
      (await read(file)).map((r) => r.gold),
      ['ENTAILMENT', undefined, undefined, undefined],
    );
  });

  it('honours explicit columns over detection', async () => {
    const file = write('explicit.csv', 'premise,hypothesis,first,second,verdict,key\nP,H,p2,h2,yes,k1\n');
    const rows = await read(file, { premiseCol: 'first', hypothesisCol: 'second', labelCol: 'verdict', idCol: 'key' });
    assert.deepEqual(rows, [{ index: 0, id: 'k1', premise: 'p2', hypothesis: 'h2', gold: 'yes' }]);
  });

  it('sniffs .txt files (tab → TSV, comma → CSV, "{" → JSONL) and accepts opts.format for any name', async () => {
    const tsv = write('snli_1.0_dev.txt', 'gold_label\tsentence1\tsentence2\tpairID\nneutral\tA "quoted" word, here.\tSome text.\tp1\n');
    assert.equal(good((await read(tsv))[0]).premise, 'A "quoted" word, here.');
    const csv = write('pairs.txt', 'sentence1,sentence2\n"a, b",c\n');
    assert.equal(good((await read(csv))[0]).premise, 'a, b');
    const jsonl = write('pairs-j.txt', '{"sentence1":"a","sentence2":"b"}\n');
    assert.equal(good((await read(jsonl))[0]).hypothesis, 'b');
    const dat = write('pairs.dat', 'premise\thypothesis\na\tb\n');
    assert.deepEqual(await read(dat, { format: 'tsv' }), [{ index: 0, id: '0', premise: 'a', hypothesis: 'b' }]);
  });
});

describe('readDataset: text encoding details', () => {
  it('strips a UTF-8 BOM and handles CRLF in CSV, TSV and JSONL', async () => {
    const csv = write('bom.csv', '\uFEFFpremise,hypothesis,label\r\nä ö,ü,E\r\nb,c,N\r\n');
    const tsv = write('bom.tsv', '\uFEFFpremise\thypothesis\tlabel\r\nä ö\tü\tE\r\nb\tc\tN\r\n');
    const jsonl = write(
      'bom.jsonl',
      '\uFEFF{"premise":"ä ö","hypothesis":"ü","label":"E"}\r\n{"premise":"b","hypothesis":"c","label":"N"}\r\n',
    );
    const expected = [
      { index: 0, id: '0', premise: 'ä ö', hypothesis: 'ü', gold: 'E' },
      { index: 1, id: '1', premise: 'b', hypothesis: 'c', gold: 'N' },
    ];
    for (const file of [csv, tsv, jsonl]) assert.deepEqual(await read(file), expected, file);
  });

  it('reads quoted CSV fields with embedded newlines, tabs, commas and doubled quotes, keeping line numbers right', async () => {
    const file = write(
      'quoted.csv',
      'premise,hypothesis\r\n"line one\r\nline two","tab\there, comma"\r\n"He said ""hi""",plain\r\n"x",\r\n',
    );
    const rows = await read(file);
    assert.equal(rows.length, 3);
    assert.equal(good(rows[0]).premise, 'line one\r\nline two');
    assert.equal(good(rows[0]).hypothesis, 'tab\there, comma');
    assert.equal(good(rows[1]).premise, 'He said "hi"');
    // Record 3 starts on physical line 5 (the header is line 1, record 1 spans lines 2-3).
    assert.equal(badRow(rows[2]).error, 'empty hypothesis in column "hypothesis" (line 5)');
  });

  it('keeps a stray quote inside an unquoted CSV field literally', async () => {
    const file = write('stray.csv', 'premise,hypothesis\nThe 5" screen,It is 5 inches\n');
    assert.equal(good((await read(file))[0]).premise, 'The 5" screen');
  });

  it('treats quotes in TSV as ordinary characters (no quoting in TSV)', async () => {
    const file = write('quotes.tsv', 'premise\thypothesis\n"A man" is "singing\tHe said "no\n"\t"\n');
    const rows = await read(file);
    assert.deepEqual(rows, [
      { index: 0, id: '0', premise: '"A man" is "singing', hypothesis: 'He said "no' },
      { index: 1, id: '1', premise: '"', hypothesis: '"' },
    ]);
  });

  it('skips blank lines without giving them an index, and counts them in line numbers', async () => {
    const file = write('blank.csv', '\npremise,hypothesis\n\na,b\n\n\n,c\n\n');
    const rows = await read(file);
    assert.equal(rows.length, 2);
    assert.equal(good(rows[0]).index, 0);
    assert.deepEqual(badRow(rows[1]), { index: 1, id: '1', error: 'empty premise in column "premise" (line 7)' });
    const jsonl = write('blank.jsonl', '\n{"premise":"a","hypothesis":"b"}\n   \n{"premise":"c"}\n');
    const jrows = await read(jsonl);
    assert.equal(jrows.length, 2);
    assert.equal(badRow(jrows[1]).error, 'missing hypothesis: no "hypothesis" field (line 4)');
  });
});

describe('readDataset: bad rows', () => {
  it('turns empty/whitespace-only text and wrong field counts into BadRows with line numbers (CSV/TSV)', async () => {
    const file = write(
      'bad.csv',
      'id,premise,hypothesis,label\nr0,ok,fine,E\nr1,,h,N\nr2,p,   ,C\nr3,p,h\nr4,p,h,E,extra\nr5,\t ,\t,E\nr6,last,one,N\n',
    );
    const rows = await read(file);
    assert.equal(rows.length, 7, 'no row is silently skipped');
    assert.deepEqual(
      rows.map((r) => r.index),
      [0, 1, 2, 3, 4, 5, 6],
    );
    good(rows[0]);
    assert.deepEqual(badRow(rows[1]), { index: 1, id: 'r1', error: 'empty premise in column "premise" (line 3)', gold: 'N' });
    assert.equal(badRow(rows[2]).error, 'empty hypothesis in column "hypothesis" (line 4)');
    assert.deepEqual(badRow(rows[3]), { index: 3, id: 'r3', error: 'expected 4 fields but found 3 (line 5)' });
    assert.equal(badRow(rows[4]).error, 'expected 4 fields but found 5 (line 6)');
    assert.equal(badRow(rows[5]).error, 'empty premise in column "premise"; empty hypothesis in column "hypothesis" (line 7)');
    assert.equal(good(rows[6]).premise, 'last');

    const tsv = write('bad.tsv', 'premise\thypothesis\na\tb\nonly-one-field\n\tx\n');
    const trows = await read(tsv);
    assert.equal(badRow(trows[1]).error, 'expected 2 fields but found 1 (line 3)');
    assert.equal(badRow(trows[2]).error, 'empty premise in column "premise" (line 4)');
  });

  it('turns each kind of bad JSONL line into a BadRow with its line number', async () => {
    const lines = [
      '{"id":"j0","premise":"ok","hypothesis":"fine","label":"E"}',
      '{"id":"j1","premise":7,"hypothesis":"h"}',
      '{"id":"j2","premise":"p","hypothesis":null}',
      '{"id":"j3","premise":{"text":"p"},"hypothesis":"h"}',
      '{"id":"j4","premise":"p","hypothesis":["h"]}',
      '{"id":"j5","premise":"p"',
      'not json at all',
      '[1,2,3]',
      '"a string"',
      '{"id":"j9","hypothesis":"h","label":"N"}',
      '{"id":"j10","premise":" ","hypothesis":"h"}',
      '{"id":"j11","premise":"p","hypothesis":"h","label":{"x":1}}',
      '{"id":"j12","premise":"last","hypothesis":"one"}',
    ];
    const file = write('bad.jsonl', lines.join('\n'));
    const rows = await read(file);
    assert.equal(rows.length, lines.length, 'no row is silently skipped');
    good(rows[0]);
    assert.deepEqual(badRow(rows[1]), { index: 1, id: 'j1', error: 'premise "premise" is a number, expected a string (line 2)' });
    assert.equal(badRow(rows[2]).error, 'hypothesis "hypothesis" is null, expected a string (line 3)');
    assert.equal(badRow(rows[3]).error, 'premise "premise" is an object, expected a string (line 4)');
    assert.equal(badRow(rows[4]).error, 'hypothesis "hypothesis" is an array, expected a string (line 5)');
    assert.match(badRow(rows[5]).error, /^not valid JSON \(.+\) \(line 6\)$/);
    assert.equal(badRow(rows[5]).id, '5');
    assert.match(badRow(rows[6]).error, /^not valid JSON \(.+\) \(line 7\)$/);
    assert.equal(badRow(rows[7]).error, 'not a JSON object (found an array) (line 8)');
    assert.equal(badRow(rows[8]).error, 'not a JSON object (found a string) (line 9)');
    assert.deepEqual(badRow(rows[9]), { index: 9, id: 'j9', error: 'missing premise: no "premise" field (line 10)', gold: 'N' });
    assert.equal(badRow(rows[10]).error, 'empty premise in column "premise" (line 11)');
    assert.equal(badRow(rows[11]).error, 'label "label" is an object, expected a string or number (line 12)');
    assert.deepEqual(good(rows[12]), { index: 12, id: 'j12', premise: 'last', hypothesis: 'one' });
  });
});

describe('readDataset: file-level errors and streaming', () => {
  it('rejects file-level problems on the first pull, as an InputError naming the file', async () => {
    const missing = path.join(dir, 'missing.csv');
    await assert.rejects(
      read(missing),
      (err: unknown) => err instanceof InputError && err.message.startsWith(`${missing}: file not found`),
    );
    const headerOnly = write('header-only.csv', 'premise,hypothesis\n');
    await assert.rejects(read(headerOnly), /header-only\.csv, line 1: no data rows/);
  });

  it('stops reading and releases the file when the consumer breaks early', async () => {
    const lines = ['premise,hypothesis'];
    for (let i = 0; i < 50_000; i++) lines.push(`premise ${i},hypothesis ${i}`);
    const file = write('early.csv', lines.join('\n'));
    let seen = 0;
    for await (const row of readDataset(file)) {
      seen++;
      if (row.index === 9) break;
    }
    assert.equal(seen, 10);
    const jfile = write(
      'early.jsonl',
      lines
        .slice(1)
        .map((l) => JSON.stringify({ premise: l, hypothesis: l }))
        .join('\n'),
    );
    for await (const row of readDataset(jfile)) {
      assert.equal(row.index, 0);
      break;
    }
  });

  it('streams a 110 MB file in far less memory than the file: live heap stays under 30 MB', async (t) => {
    // A full GC before each sample measures what is still referenced, not what V8 has yet to collect:
    // a reader that held the file (or its rows) would show 110+ MB here, a streaming one a few MB.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      const m = process.memoryUsage();
      return m.heapUsed + m.external + m.arrayBuffers;
    };
    const file = path.join(dir, 'big.csv');
    const out = fs.createWriteStream(file);
    out.write('pair_ID,sentence_A,sentence_B,entailment_label\n');
    const labels = ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'];
    const filler = 'a person is riding a bike down a hill and '.repeat(25);
    const rows = 100_000;
    for (let i = 0; i < rows; i += 1000) {
      let block = '';
      for (let j = i; j < i + 1000; j++)
        block += `${j},"A person, number ${j}, ${filler}",Someone ${j % 101} is cycling downhill,${labels[j % 3]}\n`;
      if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    const size = fs.statSync(file).size;
    assert.ok(size > 100e6, `file is ${size} bytes`);

    // Warm up (module code, V8 young generation), then measure a full pass.
    for await (const row of readDataset(file)) if (row.index === 10_000) break;
    const baseRss = process.memoryUsage().rss;
    const base = live();
    let peakRss = baseRss;
    let peak = base;
    let n = 0;
    let bad = 0;
    for await (const row of readDataset(file)) {
      if (isBadRow(row)) bad++;
      if (++n % 10_000 === 0) {
        peak = Math.max(peak, live());
        peakRss = Math.max(peakRss, process.memoryUsage().rss);
      }
    }
    assert.equal(n, rows);
    assert.equal(bad, 0);
    const liveMb = (peak - base) / 1e6;
    const rssMb = (peakRss - baseRss) / 1e6;
    t.diagnostic(`live heap growth ${liveMb.toFixed(1)} MB, RSS growth ${rssMb.toFixed(1)} MB over a ${(size / 1e6).toFixed(1)} MB file`);
    assert.ok(liveMb < 30, `live memory grew by ${liveMb.toFixed(1)} MB while streaming a ${(size / 1e6).toFixed(1)} MB file`);
    assert.ok(rssMb < 60, `RSS grew by ${rssMb.toFixed(1)} MB while streaming a ${(size / 1e6).toFixed(1)} MB file`);
    fs.rmSync(file);
  });
});

describe('readDataset: SICK trial (../shared)', () => {
  const sick = sharedPath('data', 'sick', 'SICK_trial.tsv');
  it('reads all 495 pairs with ids from pair_ID and the three labels', { skip: sick ? false : SHARED_MISSING }, async () => {
    const rows = await read(sick!);
    assert.equal(rows.length, 495);
    assert.ok(rows.every((r) => !isBadRow(r)));
    assert.deepEqual(
      rows.map((r) => r.index),
      rows.map((_, i) => i),
    );
    assert.ok(
      rows.every((r) => /^\d+$/.test(r.id)),
      'ids come from pair_ID',
    );
    assert.equal(new Set(rows.map((r) => r.id)).size, 495);
    assert.deepEqual([...new Set(rows.map((r) => r.gold))].sort(), ['CONTRADICTION', 'ENTAILMENT', 'NEUTRAL']);
  });
});
