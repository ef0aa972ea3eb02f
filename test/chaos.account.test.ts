/** The chaos suite's accounting: ok / lost / duplicated / unexpected / error rows against a baseline. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { account, type ExportedRow } from '../scripts/chaos/account.js';

const base: ExportedRow[] = [0, 1, 2, 3, 4].map((i) => ({ index: i, id: `r${i}`, label: 'A', probs: { A: 0.5, B: 0.5 } }));

test('every row once with the same answer: all ok', () => {
  const a = account(base, base);
  assert.deepEqual({ ...a, samples: [] }, { rows: 5, ok: 5, lost: 0, duplicated: 0, unexpected: 0, errorRows: 0, samples: [] });
});

test('lost, duplicated, error, out-of-range, other id and other answer are each counted', () => {
  const a = account(base, [
    base[0]!,
    base[1]!,
    base[1]!, // 1 duplicated
    { index: 2, id: '2', error: 'no result for row 2' }, // error row (its id unknown)
    { index: 3, id: 'r3', label: 'B', probs: { A: 0.2, B: 0.8 } }, // another answer
    { index: 4, id: 'other' }, // another id → unexpected, and row 4 lost
    { index: 99, id: 'x' }, // out of range
  ]);
  assert.deepEqual({ ...a, samples: [] }, { rows: 5, ok: 1, lost: 1, duplicated: 1, unexpected: 3, errorRows: 1, samples: [] });
});

test('a label flipped by rounding (probabilities equal within 1e-3) is the same answer', () => {
  const a = account(
    base,
    base.map((r) => ({ ...r, label: 'B', probs: { A: 0.5000001, B: 0.4999999 } })),
  );
  assert.equal(a.ok, 5);
});
