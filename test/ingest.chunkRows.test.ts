import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../src/errors.js';
import { chunkRows } from '../src/ingest/index.js';

async function* count(n: number): AsyncGenerator<number> {
  for (let i = 0; i < n; i++) yield i;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('chunkRows', () => {
  it('groups into chunks of at most `size`, in order', async () => {
    const chunks = await collect(chunkRows(count(10), 4));
    assert.deepEqual(chunks, [
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it('handles exact multiples, size 1, size larger than the input and empty input', async () => {
    assert.deepEqual(
      (await collect(chunkRows(count(6), 3))).map((c) => c.length),
      [3, 3],
    );
    assert.deepEqual(await collect(chunkRows(count(3), 1)), [[0], [1], [2]]);
    assert.deepEqual(await collect(chunkRows(count(3), 100)), [[0, 1, 2]]);
    assert.deepEqual(await collect(chunkRows(count(0), 5)), []);
  });

  it('rejects a size that is not a positive integer', async () => {
    for (const size of [0, -1, 2.5, Number.NaN]) {
      await assert.rejects(collect(chunkRows(count(3), size)), (err: unknown) => err instanceof InputError);
    }
  });

  it('pulls lazily: no more than one chunk ahead of the consumer', async () => {
    let pulled = 0;
    async function* source(): AsyncGenerator<number> {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield i;
      }
    }
    for await (const chunk of chunkRows(source(), 10)) {
      assert.equal(chunk.length, 10);
      break;
    }
    assert.equal(pulled, 10);
  });
});
