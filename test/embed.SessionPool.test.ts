import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ModelError, RetryableError } from '../src/errors.js';
import { planBatches } from '../src/embed/batcher.js';
import { inspectModel } from '../src/embed/inspect.js';
import { SessionPool, type BatchInput } from '../src/embed/session-pool.js';
import { SHARED_MISSING, sharedPath } from './helpers/shared.js';

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-embed-pool-'));
after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));
const dir = sharedPath('models', 'bert-tiny-sick-seqcls');

function batch(len: number): BatchInput {
  const enc = { ids: Int32Array.from({ length: len }, (_, i) => (i === 0 ? 101 : 2000 + i)), typeIds: new Int32Array(len) };
  const b = planBatches([enc, enc], { batchTokens: 10_000, padId: 0 }).batches[0]!;
  return { rows: 2, seqLen: b.seqLen, ids: b.ids, typeIds: b.typeIds, lengths: b.lengths, kinds: ['cls', 'logits'] };
}

/** `rows` pairs of distinct token ids, `len` tokens each, padded as the batcher pads them. */
function batchOf(rows: number, len: number): BatchInput {
  const encs = Array.from({ length: rows }, (_, r) => ({
    ids: Int32Array.from({ length: len }, (_, i) => (i === 0 ? 101 : 2000 + 37 * r + i)),
    typeIds: Int32Array.from({ length: len }, (_, i) => (i >= len / 2 ? 1 : 0)),
  }));
  const b = planBatches(encs, { batchTokens: 1_000_000, padId: 0 }).batches[0]!;
  return { rows, seqLen: b.seqLen, ids: b.ids, typeIds: b.typeIds, lengths: b.lengths, kinds: ['cls', 'logits'] };
}

describe('SessionPool', () => {
  it(
    'rejects the running batch with RetryableError when its worker dies, then replaces the worker',
    { skip: !dir && SHARED_MISSING },
    async () => {
      const { info, modelPath } = await inspectModel(dir!, { cacheDir });
      const pool = await SessionPool.start({ modelPath, threads: 1, executionProviders: ['cpu'], sources: info.sources }, 1);
      try {
        const ok = await pool.run(batch(8));
        assert.equal(ok.cls!.dim, 128);
        assert.equal(ok.cls!.data.length, 256);
        assert.equal(ok.logits!.data.length, 6);

        // The worker thread really ends (process.exit(70) inside it) as it starts the doomed batch;
        // the pool must report that thread's own exit code, not an error it was sent.
        const doomed = pool.run({ ...batch(8), testExitCode: 70 });
        const queued = pool.run(batch(8));
        await assert.rejects(
          doomed,
          (err: Error) => err instanceof RetryableError && /died \(exit code 70\) while running a batch/.test(err.message),
        );
        const after = await queued; // served by the replacement worker
        assert.deepEqual([...after.logits!.data], [...ok.logits!.data]);
        assert.equal(pool.liveWorkers, 1);
      } finally {
        await pool.close();
      }
      await assert.rejects(pool.run(batch(8)), RetryableError);
    },
  );

  it('close() lets a running batch finish, rejects queued ones, and stops the workers', { skip: !dir && SHARED_MISSING }, async () => {
    const { info, modelPath } = await inspectModel(dir!, { cacheDir });
    const pool = await SessionPool.start({ modelPath, threads: 1, executionProviders: ['cpu'], sources: info.sources }, 1);
    const running = pool.run(batch(400));
    const queued = assert.rejects(pool.run(batch(8)), RetryableError);
    await new Promise((r) => setTimeout(r, 5));
    await pool.close();
    assert.equal((await running).cls!.data.length, 256);
    await queued;
    assert.equal(pool.liveWorkers, 0);
  });

  it(
    'halves a last batch between two idle sessions, and joins the halves into what the whole batch gives',
    { skip: !dir && SHARED_MISSING },
    async () => {
      const { info, modelPath } = await inspectModel(dir!, { cacheDir });
      const spec = { modelPath, threads: 1, executionProviders: ['cpu'], sources: info.sources };
      const whole = await SessionPool.start(spec, 1, { minPieceTokens: 1 });
      const two = await SessionPool.start(spec, 2, { minPieceTokens: 16 });
      try {
        const rows = batchOf(16, 12);
        const expected = await whole.run(rows);
        assert.equal(whole.stats.splits, 0, 'a pool of one session has no one to share a tail with');
        const got = await two.run(batchOf(16, 12));
        // 16 rows → 8 + 8 → 4 + 4 …: halves stop above 16 padded tokens (2 rows × 12).
        assert.ok(two.stats.splits >= 2, `splits ${two.stats.splits}`);
        assert.equal(two.stats.runs, two.stats.splits + 1);
        for (const kind of ['cls', 'logits'] as const) {
          assert.equal(got[kind]!.dim, expected[kind]!.dim);
          assert.equal(got[kind]!.data.length, expected[kind]!.data.length);
          got[kind]!.data.forEach((v, i) => assert.ok(Math.abs(v - expected[kind]!.data[i]!) < 1e-5, `${kind}[${i}]`));
        }
      } finally {
        await Promise.all([whole.close(), two.close()]);
      }
    },
  );

  it(
    'a halved batch whose half dies with its worker rejects whole with RetryableError; the pool goes on with both sessions',
    { skip: !dir && SHARED_MISSING },
    async () => {
      const { info, modelPath } = await inspectModel(dir!, { cacheDir });
      const two = await SessionPool.start({ modelPath, threads: 1, executionProviders: ['cpu'], sources: info.sources }, 2, {
        minPieceTokens: 16,
      });
      try {
        // 4 × 8 halves once (2 × 8 = 16); the crash marker goes with the first half (batch-split.ts).
        // Raced against a timer: a whole batch that never settles must fail here, not hang the file.
        const outcome = await Promise.race([
          two.run({ ...batchOf(4, 8), testExitCode: 70 }).then(
            () => new Error('resolved'),
            (err: Error) => err,
          ),
          new Promise<Error>((r) => setTimeout(() => r(new Error('still pending after 20 s')), 20_000).unref()),
        ]);
        assert.ok(outcome instanceof RetryableError, `${outcome.constructor.name}: ${outcome.message}`);
        assert.match(outcome.message, /died \(exit code 70\) while running a batch/);
        assert.equal(two.stats.splits, 1);
        const after = await two.run(batchOf(4, 8)); // served while (or after) the dead worker is replaced
        assert.equal(after.cls!.data.length, 4 * 128);
        const deadline = Date.now() + 10_000; // the replacement starts in the background
        while (two.liveWorkers < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        assert.equal(two.liveWorkers, 2);
      } finally {
        await two.close();
      }
    },
  );

  it(
    'halves only the last batch of a burst: every other one had work queued behind it for the other session',
    { skip: !dir && SHARED_MISSING },
    async () => {
      const { info, modelPath } = await inspectModel(dir!, { cacheDir });
      // A batch of 8 × 10 may halve once (4 × 10 = 40 tokens), a half of it not again (2 × 10 < 40).
      const two = await SessionPool.start({ modelPath, threads: 1, executionProviders: ['cpu'], sources: info.sources }, 2, {
        minPieceTokens: 40,
      });
      try {
        // One synchronous burst, as an embed call queues its plan: dispatched after the burst,
        // not batch by batch (the first batch alone in the queue would look like the last).
        await Promise.all(Array.from({ length: 6 }, () => two.run(batchOf(8, 10))));
        assert.deepEqual(two.stats, { runs: 7, splits: 1 });
      } finally {
        await two.close();
      }
    },
  );

  it('fails to start with a ModelError when the model cannot be loaded', async () => {
    const bad = path.join(cacheDir, 'bad.onnx');
    fs.writeFileSync(bad, 'garbage');
    await assert.rejects(
      SessionPool.start({ modelPath: bad, threads: 1, executionProviders: ['cpu'], sources: {} }, 2),
      (err: Error) => err instanceof ModelError && err.message.includes(bad),
    );
  });

  it('fails with a ModelError when a source is not a model output', { skip: !dir && SHARED_MISSING }, async () => {
    await assert.rejects(
      SessionPool.start(
        { modelPath: path.join(dir!, 'model.onnx'), threads: 1, executionProviders: ['cpu'], sources: { pooled: 'nope' } },
        1,
      ),
      /no output\(s\) nope/,
    );
  });
});
