import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EmbeddingKind, Encoding } from '../src/contracts.js';
import { ModelError } from '../src/errors.js';
import { createEmbedder, type OnnxEmbedder } from '../src/embed/index.js';
import { CUDA_INSTALL_HINT, probeProviders } from '../src/embed/device.js';
import { runProbeSession } from '../src/embed/device-probe.js';
import type { EmbedderOptions, EmbedOutput } from '../src/embed/types.js';
import { quantizeModel } from '../src/embed/quantize.js';
import { makeModel } from '../src/modelgen/index.js';
import { generatePairs } from '../src/synthetic/pairs.js';
import { loadTokenizer } from '../src/tokenize/index.js';
import { SHARED_MISSING, sharedPath } from './helpers/shared.js';

interface GoldenPair {
  input_ids: number[];
  token_type_ids: number[];
  cls: number[];
  pooled: number[];
  mean: number[];
  logits?: number[];
}

const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-embed-'));
after(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

const base: EmbedderOptions = { threads: 1, sessions: 1, batchTokens: 1024, cacheDir, device: 'cpu' };

function golden(dir: string): { encodings: Encoding[]; pairs: GoldenPair[] } {
  const pairs = (JSON.parse(fs.readFileSync(path.join(dir, 'golden.json'), 'utf8')) as { pairs: GoldenPair[] }).pairs;
  const encodings = pairs.map((p) => ({ ids: Int32Array.from(p.input_ids), typeIds: Int32Array.from(p.token_type_ids) }));
  return { encodings, pairs };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

async function withEmbedder<T>(dir: string, opts: Partial<EmbedderOptions>, fn: (e: OnnxEmbedder) => Promise<T>): Promise<T> {
  const e = await createEmbedder(dir, { ...base, ...opts });
  try {
    return await fn(e);
  } finally {
    await e.close();
  }
}

const models = [
  { name: 'bert-tiny-random', dir: sharedPath('models', 'bert-tiny-random'), kinds: ['cls', 'pooled', 'mean'] },
  { name: 'bert-tiny-sick-seqcls', dir: sharedPath('models', 'bert-tiny-sick-seqcls'), kinds: ['cls', 'pooled', 'mean', 'logits'] },
] as const;

describe('createEmbedder', () => {
  for (const m of models) {
    it(
      `${m.name}: cls / pooled / mean${m.kinds.length > 3 ? ' / logits' : ''} match golden.json within 1e-4`,
      { skip: !m.dir && SHARED_MISSING },
      async () => {
        const { encodings, pairs } = golden(m.dir!);
        await withEmbedder(m.dir!, {}, async (e) => {
          assert.deepEqual(e.info.available, [...m.kinds]);
          const out = await e.embed(encodings, m.kinds);
          for (const kind of m.kinds) {
            const vectors = out[kind]!;
            assert.equal(vectors.length, pairs.length);
            pairs.forEach((p, i) => {
              const diff = maxAbsDiff(vectors[i]!, p[kind]!);
              assert.ok(diff < 1e-4, `${kind} row ${i}: max |Δ| ${diff}`);
            });
          }
        });
      },
    );

    it(`${m.name}: batched output equals one-at-a-time output (small budget, 2 sessions)`, { skip: !m.dir && SHARED_MISSING }, async () => {
      const { encodings } = golden(m.dir!);
      const single: EmbedOutput[] = await withEmbedder(m.dir!, {}, async (e) => {
        const rows: EmbedOutput[] = [];
        for (const enc of encodings) rows.push(await e.embed([enc], m.kinds));
        return rows;
      });
      await withEmbedder(m.dir!, { sessions: 2, batchTokens: 96 }, async (e) => {
        const out = await e.embed(encodings, m.kinds);
        assert.ok(e.stats.batches >= 4, `expected several micro-batches, got ${e.stats.batches}`);
        for (const kind of m.kinds) {
          encodings.forEach((_, i) => {
            const diff = maxAbsDiff(out[kind]![i]!, single[i]![kind]![0]!);
            assert.ok(diff < 1e-5, `${kind} row ${i}: batched vs single max |Δ| ${diff}`);
          });
        }
      });
    });
  }

  it(
    'a lone batch is halved between 2 sessions down to pieces of batchTokens / 8 padded tokens',
    { skip: !models[0].dir && SHARED_MISSING },
    async () => {
      // One planned batch of 4 rows × 4 tokens = 16 padded tokens. With batchTokens 64 the pieces
      // may not go under 8: the batch is halved once (2 × 4 = 8) and its 2-row halves are not
      // (1 × 4 = 4). A pool left at its own default (128) would not halve it; a floor of 4 would twice.
      const encodings: Encoding[] = [0, 1, 2, 3].map((i) => ({
        ids: Int32Array.of(101, 2000 + i, 2010 + i, 102),
        typeIds: new Int32Array(4),
      }));
      const whole = await withEmbedder(models[0].dir!, { batchTokens: 64 }, (e) => e.embed(encodings, ['cls']));
      await withEmbedder(models[0].dir!, { sessions: 2, batchTokens: 64 }, async (e) => {
        const out = await e.embed(encodings, ['cls']);
        assert.deepEqual([e.stats.batches, e.stats.splits], [1, 1]);
        encodings.forEach((_, i) =>
          assert.ok(maxAbsDiff(out.cls![i]!, whole.cls![i]!) < 1e-5, `row ${i}: halves differ from the whole batch`),
        );
      });
    },
  );

  it('keeps the event loop live while inference runs', { skip: !models[1].dir && SHARED_MISSING }, async () => {
    const { encodings } = golden(models[1].dir!);
    const many = Array.from({ length: 200 }, () => encodings).flat();
    await withEmbedder(models[1].dir!, { batchTokens: 8192 }, async (e) => {
      await e.embed(encodings.slice(0, 2), ['cls']); // warm-up
      let ticks = 0;
      let maxGap = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        maxGap = Math.max(maxGap, now - last);
        last = now;
        ticks++;
      }, 5);
      const t0 = performance.now();
      const out = await e.embed(many, ['cls', 'mean']);
      const elapsed = performance.now() - t0;
      clearInterval(timer);
      assert.equal(out.cls!.length, many.length);
      assert.ok(elapsed > 50, `inference too fast to judge (${elapsed.toFixed(0)} ms)`);
      assert.ok(ticks >= Math.floor(elapsed / 5 / 4), `${ticks} ticks in ${elapsed.toFixed(0)} ms (max gap ${maxGap.toFixed(0)} ms)`);
    });
  });

  it('rejects a kind the model does not have, naming the available ones', { skip: !models[0].dir && SHARED_MISSING }, async () => {
    await withEmbedder(models[0].dir!, {}, async (e) => {
      const { encodings } = golden(models[0].dir!);
      await assert.rejects(e.embed(encodings, ['cls', 'logits'] as EmbeddingKind[]), (err: Error) => {
        assert.ok(err instanceof ModelError);
        assert.match(err.message, /logits/);
        assert.match(err.message, /available: cls, pooled, mean/);
        return true;
      });
    });
  });

  it('fails clearly for a missing model directory', async () => {
    const dir = path.join(cacheDir, 'missing-model');
    await assert.rejects(createEmbedder(dir, base), (err: Error) => {
      assert.ok(err instanceof ModelError);
      assert.ok(err.message.includes(dir));
      return true;
    });
  });

  it(
    "fails at start for device 'cuda' when onnxruntime-node has no CUDA provider (the real probe)",
    { skip: !models[0].dir && SHARED_MISSING },
    async (t) => {
      // No probe override: the installed onnxruntime-node is looked at, as a worker at start does.
      const real = probeProviders();
      if (real.cuda) return t.skip('this onnxruntime-node has its CUDA provider installed');
      await assert.rejects(createEmbedder(models[0].dir!, { ...base, device: 'cuda' }), (err: Error) => {
        assert.ok(err instanceof ModelError, `${err.name}: ${err.message}`);
        assert.ok(err.message.includes(real.cudaReason!), err.message);
        assert.ok(err.message.includes(CUDA_INSTALL_HINT), err.message);
        assert.match(err.message, /--onnxruntime-node-install=cuda12/);
        return true;
      });
    },
  );

  it(
    "fails at start for device 'webgpu' when no WebGPU adapter is usable (the real probe session)",
    { skip: !models[0].dir && SHARED_MISSING },
    async (t) => {
      let usable = true;
      await runProbeSession(['webgpu']).catch(() => (usable = false));
      if (usable) return t.skip('a WebGPU adapter is usable here');
      await assert.rejects(createEmbedder(models[0].dir!, { ...base, device: 'webgpu' }), (err: Error) => {
        assert.ok(err instanceof ModelError, `${err.name}: ${err.message}`);
        assert.match(err.message, /webgpu/i);
        assert.match(err.message, /--device cpu/);
        return true;
      });
    },
  );

  it("'auto' falls back to CPU with a warning when CUDA is unavailable", { skip: !models[0].dir && SHARED_MISSING }, async () => {
    await withEmbedder(models[0].dir!, { device: 'auto' }, async (e) => {
      // This machine's onnxruntime-node has no CUDA libraries (installed with install=skip).
      if (e.device.device === 'cuda') return;
      assert.deepEqual(e.device.executionProviders, ['cpu']);
      assert.equal(e.warnings.length, 1);
      assert.match(e.warnings[0]!, /CPU/);
    });
  });

  it(
    'without sessions, threads or batchTokens the layout is chosen from the host and the model size',
    { skip: !models[0].dir && SHARED_MISSING },
    async () => {
      const dir = models[0].dir!;
      const modelBytes = fs.statSync(path.join(dir, 'model.onnx')).size;
      const { encodings } = golden(dir);
      const want = await withEmbedder(dir, {}, (e) => e.embed(encodings, ['cls']));
      // 4 cores, free memory for 4.5 copies → budget (half of it) holds 2 sessions; the spare cores become threads.
      const host = { cores: 4, freeMemBytes: Math.floor(4.5 * modelBytes) };
      const e = await createEmbedder(dir, { cacheDir, device: 'cpu' }, { host });
      try {
        assert.deepEqual([e.layout.sessions, e.layout.threads, e.layout.batchTokens], [2, 2, 1024]);
        assert.match(e.layout.reason, /4 cores, model \d+ MB, budget .*: 2 of 4 sessions fit/);
        const got = await e.embed(encodings, ['cls']);
        got.cls!.forEach((v, i) => assert.deepEqual(v, want.cls![i]));
      } finally {
        await e.close();
      }
      await withEmbedder(dir, { sessions: undefined, threads: undefined, maxMemoryBytes: 1 }, async (one) => {
        assert.deepEqual([one.layout.sessions, one.layout.threads], [1, os.availableParallelism()]);
      });
    },
  );

  it('returns empty arrays for no rows and rejects malformed encodings', { skip: !models[0].dir && SHARED_MISSING }, async () => {
    await withEmbedder(models[0].dir!, {}, async (e) => {
      assert.deepEqual(await e.embed([], ['cls']), { cls: [] });
      await assert.rejects(e.embed([{ ids: new Int32Array(0), typeIds: new Int32Array(0) }], ['cls']), /empty encoding/);
      const tooLong = { ids: new Int32Array(600).fill(1000), typeIds: new Int32Array(600) };
      await assert.rejects(e.embed([tooLong], ['cls']), /exceed the model's maximum of 512/);
    });
  });
});

/** Largest |Δ| over every row of each kind in `kinds`. */
function largestGap(a: EmbedOutput, b: EmbedOutput, kinds: readonly EmbeddingKind[]): number {
  let gap = 0;
  for (const k of kinds) {
    assert.equal(a[k]!.length, b[k]!.length, k);
    a[k]!.forEach((v, i) => (gap = Math.max(gap, maxAbsDiff(v, b[k]![i]!))));
  }
  return gap;
}

describe('createEmbedder: the [CLS]-only last layer', () => {
  const tiny = path.join(cacheDir, 'tiny-seqcls');
  const tinyInt8 = path.join(cacheDir, 'tiny-seqcls-int8');
  let tinyEncodings: Encoding[] = [];
  const position0: EmbeddingKind[] = ['cls', 'pooled', 'logits'];

  before(async () => {
    await makeModel({ outDir: tiny, size: 'tiny', head: 'seqcls' });
    await quantizeModel(tiny, tinyInt8, { reduceRange: true });
    const tok = await loadTokenizer(tiny);
    tinyEncodings = [...generatePairs(48, 5)].map((p) => tok.encodePair(p.premise, p.hypothesis));
  });

  const trial = sharedPath('data', 'sick', 'SICK_trial.tsv');
  /** The 495 SICK trial pairs, encoded by the shared model's own tokenizer. */
  async function sickTrial(dir: string): Promise<Encoding[]> {
    const tok = await loadTokenizer(dir);
    const lines = fs.readFileSync(trial!, 'utf8').trim().split('\n').slice(1);
    return lines.map((l) => {
      const [, a, b] = l.split('\t');
      return tok.encodePair(a!, b!);
    });
  }
  const cases = [
    { name: 'bert-tiny-sick-seqcls (SICK trial pairs)', dir: () => (trial ? models[1].dir : undefined), encodings: sickTrial },
    { name: 'make-model tiny seqcls (synthetic pairs)', dir: () => tiny, encodings: () => Promise.resolve(tinyEncodings) },
  ];
  for (const c of cases) {
    it(`${c.name}: kinds that read position 0 only load the [CLS]-only copy, equal to the full graph within 1e-5`, async (t) => {
      const dir = c.dir();
      if (!dir) return t.skip(SHARED_MISSING);
      const encodings = await c.encodings(dir);
      const full = await withEmbedder(dir, {}, async (e) => {
        assert.equal(e.lastLayer.clsOnly, false);
        assert.match(e.lastLayer.why, /kinds to embed were not given/);
        return e.embed(encodings, position0);
      });
      const cut = await withEmbedder(dir, { kinds: position0 }, async (e) => {
        assert.equal(e.lastLayer.clsOnly, true, e.lastLayer.why);
        assert.match(e.modelPath, /\.cls-only-v1\.onnx$/);
        return e.embed(encodings, position0);
      });
      const gap = largestGap(full, cut, position0);
      t.diagnostic(`max |Δ| ${gap.toExponential(1)} over ${encodings.length} pairs`);
      assert.ok(gap <= 1e-5, `max |Δ| ${gap}`);
    });
  }

  it('mean, or an int8 model, keeps the full graph', async () => {
    await withEmbedder(tiny, { kinds: ['cls', 'mean'] }, async (e) => {
      assert.equal(e.lastLayer.clsOnly, false);
      assert.match(e.lastLayer.why, /reads every position \(mean\)/);
      assert.doesNotMatch(e.modelPath, /cls-only/);
    });
    for (const kinds of [['cls'], ['logits']] as EmbeddingKind[][]) {
      await withEmbedder(tinyInt8, { kinds }, async (e) => {
        assert.equal(e.lastLayer.clsOnly, false);
        assert.match(e.lastLayer.why, /^quantized model/);
        assert.doesNotMatch(e.modelPath, /cls-only/);
      });
    }
  });

  it('a call that reads mean switches the sessions to the full graph; calls around it still answer', async () => {
    const encodings = tinyEncodings;
    const want = await withEmbedder(tiny, {}, (e) => e.embed(encodings, ['cls', 'mean', 'logits']));
    await withEmbedder(tiny, { kinds: ['cls'], sessions: 2, batchTokens: 128 }, async (e) => {
      assert.equal(e.lastLayer.clsOnly, true, e.lastLayer.why);
      const [before, withMean, after] = await Promise.all([
        e.embed(encodings, ['cls', 'logits']),
        e.embed(encodings, ['cls', 'mean']),
        e.embed(encodings, ['logits']),
      ]);
      assert.equal(e.lastLayer.clsOnly, false);
      assert.match(e.lastLayer.why, /switched to the full graph/);
      assert.doesNotMatch(e.modelPath, /cls-only/);
      assert.ok(largestGap(want, before, ['cls', 'logits']) <= 1e-5);
      assert.ok(largestGap(want, withMean, ['cls', 'mean']) <= 1e-5);
      assert.ok(largestGap(want, after, ['logits']) <= 1e-5);
      // It stays on the full graph.
      assert.ok(largestGap(want, await e.embed(encodings, ['mean']), ['mean']) <= 1e-5);
      assert.equal(e.lastLayer.clsOnly, false);
    });
  });
});
