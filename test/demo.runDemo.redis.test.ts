import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDemo } from '../scripts/demo.js';
import { cleanPrefix, REDIS_URL, uniquePrefix } from './helpers/redis.js';

for (const mode of ['distributed', 'local'] as const)
  test(`the demo runs end to end (${mode}) and writes scores, features, metrics and the HTML report`, async () => {
    const prefix = uniquePrefix('demo');
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-demo-'));
    const savedCache = process.env.PAIRSCORE_CACHE_DIR;
    process.env.PAIRSCORE_CACHE_DIR = path.join(root, 'cache'); // keep the derived model out of ~/.cache
    try {
      // A dead port forces local mode; REDIS_URL (or the default) is up in CI.
      const out = await runDemo({ root, pairs: 300, redisUrl: mode === 'local' ? 'redis://127.0.0.1:1' : REDIS_URL, prefix });
      assert.equal(out.mode, mode);
      assert.ok(out.headAccuracy > out.ownAccuracy + 0.3, `head ${out.headAccuracy} vs own ${out.ownAccuracy}`);
      const metrics = JSON.parse(fs.readFileSync(out.metricsFile, 'utf8')) as { rows: number; accuracy: number };
      assert.equal(metrics.rows, 300);
      // Built-in data and seeds make these figures deterministic: 0.9933 (298/300) for the head and 0.32 for
      // the random-weight model's own logits, measured 2026-11-30 in both modes. The bounds leave a row or two
      // for float differences between CPUs; a head that learned nothing (~1/3) or a null fails.
      assert.equal(typeof metrics.accuracy, 'number');
      assert.ok(metrics.accuracy >= 0.98, `scored accuracy ${metrics.accuracy} (measured 0.9933)`);
      assert.ok(Math.abs(metrics.accuracy - out.headAccuracy) < 1e-9, `metrics ${metrics.accuracy} vs head ${out.headAccuracy}`);
      assert.ok(out.ownAccuracy >= 0.28 && out.ownAccuracy <= 0.36, `own accuracy ${out.ownAccuracy} (measured 0.32)`);
      assert.equal(fs.readFileSync(out.predsFile, 'utf8').trim().split('\n').length, 300);
      assert.equal(fs.readFileSync(out.featuresFile, 'utf8').trim().split('\n').length, 300);
      const report = fs.readFileSync(out.reportFile, 'utf8');
      assert.match(report, /<div id="chart-confusion" data-chart="confusion">/);
      assert.match(report, /id="confident-errors"|No wrong predictions/);
    } finally {
      if (savedCache === undefined) delete process.env.PAIRSCORE_CACHE_DIR;
      else process.env.PAIRSCORE_CACHE_DIR = savedCache;
      fs.rmSync(root, { recursive: true, force: true });
      if (mode === 'distributed') await cleanPrefix(prefix);
    }
  });
