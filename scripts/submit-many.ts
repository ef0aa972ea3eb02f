/**
 * Example submission script on the library API: submit several files as
 * separate runs, wait for all of them, print one metrics line per run.
 *
 *   node dist/scripts/submit-many.js --model demo [--mlp head.json] data/a.jsonl data/b.tsv …
 *
 * Needs workers (`pairscore worker`) on the same Redis (REDIS_URL) and prefix
 * (PAIRSCORE_PREFIX), with the model under their models root.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { redisSettingsOf } from '../src/queue/redis-settings.js';
import { submitRun, waitForRun, type QueueTarget } from '../src/queue/index.js';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { model: { type: 'string' }, mlp: { type: 'string' }, 'chunk-size': { type: 'string' } },
  });
  if (!values.model || positionals.length === 0) {
    console.error('usage: submit-many --model NAME [--mlp head.json] [--chunk-size N] FILE…');
    return 2;
  }
  const config = loadConfig();
  const target: QueueTarget = { redis: redisSettingsOf(config), prefix: config.redisPrefix };
  const runs = [];
  for (const file of positionals) {
    const r = await submitRun({
      ...target,
      input: file,
      model: values.model,
      modelsRoot: config.modelsRoot,
      cacheDir: config.cacheDir,
      keepSeconds: config.keepSeconds,
      ...(values.mlp ? { mlpFile: values.mlp } : {}),
      ...(values['chunk-size'] ? { chunkSize: Number(values['chunk-size']) } : {}),
    });
    console.error(`${path.basename(file)} → run ${r.runId} (${r.rows} rows, ${r.chunks} chunks)`);
    runs.push({ file, runId: r.runId });
  }
  const finished = await Promise.all(runs.map(async (r) => ({ ...r, status: await waitForRun(target, r.runId) })));
  let failures = 0;
  console.log('file\trun\tstate\trows\terrors\taccuracy\tmacro_f1\tpairs/s\tfailed chunks');
  for (const { file, runId, status } of finished) {
    const m = status.result?.metrics;
    failures += status.failedChunks;
    const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : (v * 100).toFixed(2));
    console.log(
      [
        path.basename(file),
        runId,
        status.state,
        status.rows,
        m?.errors ?? '-',
        pct(m?.accuracy),
        pct(m?.macro_f1),
        (m?.pairs_per_s ?? 0).toFixed(1),
        status.failedChunks,
      ].join('\t'),
    );
  }
  return failures > 0 ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(`submit-many: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  },
);
