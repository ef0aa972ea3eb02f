import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { halfPoint, joinVectors, splitBatch } from '../src/embed/batch-split.js';
import type { BatchInput } from '../src/embed/session-pool.js';

/** rows × seqLen ids numbered row*100 + position, so every cell says where it came from. */
function padded(rows: number, seqLen: number): BatchInput {
  const ids = Int32Array.from({ length: rows * seqLen }, (_, i) => Math.floor(i / seqLen) * 100 + (i % seqLen));
  const typeIds = Int32Array.from({ length: rows * seqLen }, (_, i) => (i % seqLen >= seqLen / 2 ? 1 : 0));
  const lengths = Int32Array.from({ length: rows }, (_, r) => seqLen - (r % 2));
  return { rows, seqLen, ids, typeIds, lengths, kinds: ['cls', 'logits'] };
}

describe('splitBatch', () => {
  it('cuts rows [0, at) and [at, rows) with the padded length kept', () => {
    const b = padded(5, 4);
    const [x, y] = splitBatch(b, 2);
    assert.deepEqual([x.rows, x.seqLen, y.rows, y.seqLen], [2, 4, 3, 4]);
    assert.deepEqual([...x.ids, ...y.ids], [...b.ids]);
    assert.deepEqual([...x.typeIds, ...y.typeIds], [...b.typeIds]);
    assert.deepEqual([...x.lengths, ...y.lengths], [...b.lengths]);
    assert.deepEqual(y.ids.slice(0, 4), Int32Array.from([200, 201, 202, 203]));
    assert.deepEqual(x.kinds, b.kinds);
  });

  it('gives each half arrays of its own, so both can be transferred to session threads', () => {
    const b = padded(4, 3);
    const [x, y] = splitBatch(b, 2);
    for (const a of [x.ids, x.typeIds, x.lengths, y.ids, y.typeIds, y.lengths]) {
      assert.equal(a.byteOffset, 0);
      assert.equal(a.byteLength, a.buffer.byteLength);
      assert.notEqual(a.buffer, b.ids.buffer);
    }
  });

  it('sends the test-only crash marker with the first half only', () => {
    const [x, y] = splitBatch({ ...padded(4, 3), testExitCode: 70 }, 2);
    assert.equal(x.testExitCode, 70);
    assert.equal('testExitCode' in y, false);
  });

  it('refuses a cut that leaves a half empty', () => {
    for (const at of [0, 4, 1.5]) assert.throws(() => splitBatch(padded(4, 3), at), RangeError);
  });
});

describe('halfPoint', () => {
  it('halves while both halves keep the minimum padded tokens, and not below', () => {
    assert.equal(halfPoint({ rows: 11, seqLen: 49 }, 128), 5);
    assert.equal(halfPoint({ rows: 5, seqLen: 49 }, 128), undefined); // 2 × 49 = 98 < 128
    assert.equal(halfPoint({ rows: 1, seqLen: 500 }, 1), undefined); // one row is never cut
    assert.equal(halfPoint({ rows: 2, seqLen: 3 }, 1), 1);
  });
});

describe('joinVectors', () => {
  it('puts the first half’s rows first, kind by kind', () => {
    const a = { cls: { data: Float32Array.from([1, 2, 3, 4]), dim: 2 }, logits: { data: Float32Array.from([9]), dim: 1 } };
    const b = { cls: { data: Float32Array.from([5, 6]), dim: 2 }, logits: { data: Float32Array.from([8]), dim: 1 } };
    const j = joinVectors(a, b);
    assert.deepEqual([...j.cls!.data], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...j.logits!.data], [9, 8]);
    assert.equal(j.cls!.dim, 2);
  });

  it('throws when the halves disagree (a kind missing or another width)', () => {
    const a = { cls: { data: new Float32Array(4), dim: 2 } };
    assert.throws(() => joinVectors(a, {}), /disagree on cls/);
    assert.throws(() => joinVectors(a, { cls: { data: new Float32Array(3), dim: 3 } }), /disagree on cls/);
  });
});
