import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../src/errors.js';
import { COLUMN_NAMES, DatasetError, detectColumns, normalizeColumnName } from '../src/ingest/index.js';

const where = { file: 'pairs.csv', line: 1 };

describe('detectColumns', () => {
  it('detects every accepted column-name family', () => {
    const cases: Array<[string[], { premise: string; hypothesis: string; label?: string; id?: string }]> = [
      [['id', 'premise', 'hypothesis', 'label'], { premise: 'premise', hypothesis: 'hypothesis', label: 'label', id: 'id' }],
      [
        ['gold_label', 'sentence1_parse', 'sentence1', 'sentence2_parse', 'sentence2', 'pairID'],
        { premise: 'sentence1', hypothesis: 'sentence2', label: 'gold_label', id: 'pairID' },
      ],
      [
        ['pair_ID', 'sentence_A', 'sentence_B', 'entailment_label'],
        { premise: 'sentence_A', hypothesis: 'sentence_B', label: 'entailment_label', id: 'pair_ID' },
      ],
      [
        ['guid', 'text_a', 'text_b', 'entailment_judgment'],
        { premise: 'text_a', hypothesis: 'text_b', label: 'entailment_judgment', id: 'guid' },
      ],
      [['idx', 'text1', 'text2'], { premise: 'text1', hypothesis: 'text2', id: 'idx' }],
      [['sentence_1', 'sentence_2'], { premise: 'sentence_1', hypothesis: 'sentence_2' }],
    ];
    for (const [columns, expected] of cases) {
      assert.deepEqual(detectColumns(columns, {}, where), expected, columns.join(','));
    }
  });

  it('matches case-insensitively and ignores spaces, "_" and "-"', () => {
    assert.deepEqual(detectColumns(['PAIR_id', ' Sentence A ', 'SENTENCE-B', 'Gold Label'], {}, where), {
      premise: ' Sentence A ',
      hypothesis: 'SENTENCE-B',
      label: 'Gold Label',
      id: 'PAIR_id',
    });
    assert.equal(normalizeColumnName(' Sentence_A '), 'sentencea');
  });

  it('prefers earlier names in the accepted list', () => {
    const cols = detectColumns(['sentence1', 'premise', 'sentence2', 'hypothesis', 'gold_label', 'label'], {}, where);
    assert.equal(cols.premise, 'premise');
    assert.equal(cols.hypothesis, 'hypothesis');
    assert.equal(cols.label, 'label');
    assert.equal(COLUMN_NAMES.premise[0], 'premise');
  });

  it('leaves label and id out when there are none', () => {
    assert.deepEqual(detectColumns(['premise', 'hypothesis', 'score'], {}, where), {
      premise: 'premise',
      hypothesis: 'hypothesis',
    });
  });

  it('lets explicit columns override detection (exact, then case-insensitive)', () => {
    const columns = ['premise', 'hypothesis', 'p2', 'H2', 'judgement', 'key'];
    assert.deepEqual(detectColumns(columns, { premiseCol: 'p2', hypothesisCol: 'h2', labelCol: 'judgement', idCol: 'KEY' }, where), {
      premise: 'p2',
      hypothesis: 'H2',
      label: 'judgement',
      id: 'key',
    });
  });

  it('rejects an explicit column that does not exist, listing the columns', () => {
    for (const opts of [{ premiseCol: 'nope' }, { hypothesisCol: 'nope' }, { labelCol: 'nope' }, { idCol: 'nope' }]) {
      const flag = `--${Object.keys(opts)[0]!.replace('Col', '')}-col`;
      assert.throws(
        () => detectColumns(['premise', 'hypothesis', 'label'], opts, where),
        (err: unknown) => {
          assert.ok(err instanceof DatasetError && err instanceof InputError);
          assert.match(err.message, /^pairs\.csv, line 1: /);
          assert.ok(err.message.includes(`${flag} "nope": no such column`), err.message);
          assert.ok(err.message.includes('"premise", "hypothesis", "label"'), err.message);
          return true;
        },
      );
    }
  });

  it('explains how to fix a file without premise/hypothesis columns', () => {
    assert.throws(
      () => detectColumns(['question', 'answer'], {}, where),
      (err: unknown) => {
        assert.ok(err instanceof DatasetError);
        assert.equal(err.file, 'pairs.csv');
        assert.equal(err.line, 1);
        assert.match(err.message, /cannot find the premise and hypothesis columns/);
        assert.match(err.message, /Columns found: "question", "answer"/);
        assert.match(err.message, /sentence1/);
        assert.match(err.message, /sentence_A/);
        assert.match(err.message, /text_a/);
        assert.match(err.message, /--premise-col and --hypothesis-col/);
        return true;
      },
    );
    assert.throws(() => detectColumns(['premise', 'answer'], {}, where), /cannot find the hypothesis column\./);
  });

  it('refuses the same column as premise and hypothesis', () => {
    assert.throws(() => detectColumns(['text', 'label'], { premiseCol: 'text', hypothesisCol: 'text' }, where), /both column "text"/);
  });
});
