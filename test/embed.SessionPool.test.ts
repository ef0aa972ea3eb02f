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
