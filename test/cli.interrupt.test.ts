/**
 * Ctrl-C and SIGTERM on real `pairscore score` / `extract` child processes,
 * sent once output has started: exit 130 (143), a message on stderr, no file
 * at --out and no temp file left beside it. Needs nothing from ../shared.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli, startCli } from './helpers/cli.js';

let dir = '';
let model = '';
let pairs = '';
let env: NodeJS.ProcessEnv = {};

// ~4,000 pairs/s for `score` and ~2,000 for `extract` on this tiny model and one thread:
// a run takes well over the time it takes to see output start.
const PAIRS = 60_000;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-interrupt-'));
  env = { PAIRSCORE_CACHE_DIR: path.join(dir, 'cache'), PAIRSCORE_THREADS: '1' };
  model = path.join(dir, 'model');
  pairs = path.join(dir, 'pairs.jsonl');
  const made = await runCli(['make-model', '--size', 'tiny', '--head', 'seqcls', '--out', model], env);
  assert.equal(made.code, 0, made.stderr);
  const gen = await runCli(['generate', '--count', String(PAIRS), '--out', pairs], env);
  assert.equal(gen.code, 0, gen.stderr);
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Files in `folder` whose names start with `base` (the output, its temp files, its sidecar). */
function outputsOf(folder: string, base: string): string[] {
  return fs
    .readdirSync(folder)
    .filter((f) => f.startsWith(base))
    .sort();
}

/** Polls until a temp file of `out` holds at least `minBytes` (output has started); returns its name. */
async function outputStarted(out: string, minBytes: number, exited: Promise<unknown>, log: () => string): Promise<string> {
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const tmp = outputsOf(path.dirname(out), path.basename(out)).find((f) => f.endsWith('.tmp'));
    if (tmp) {
      const size = fs.statSync(path.join(path.dirname(out), tmp), { throwIfNoEntry: false })?.size ?? 0;
      if (size >= minBytes) return tmp;
    }
    assert.equal(done, false, `the command ended before its output started:\n${log()}`);
    assert.ok(Date.now() < deadline, `no output after 120 s:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Starts a command, waits for its temp output, sends `signals` (ms apart), returns how it ended. */
async function interrupt(
  args: string[],
  out: string,
  minBytes: number,
  signals: NodeJS.Signals[],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string; tmp: string }> {
  const run = startCli(args, env);
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    run.child.on('close', (code, signal) => resolve({ code, signal })),
  );
  const tmp = await outputStarted(out, minBytes, ended, run.output);
  for (const [i, s] of signals.entries()) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    run.child.kill(s);
  }
  const end = await ended;
  return { ...end, output: run.output(), tmp };
}

test('score: SIGINT once rows are being written exits 130, says the partial file was removed, and leaves no file', async () => {
  const out = path.join(dir, 'scores.jsonl');
  const r = await interrupt(['score', pairs, '--model', model, '--out', out, '--no-progress'], out, 1, ['SIGINT']);
  assert.equal(r.code, 130, r.output);
  assert.match(
    r.output,
    new RegExp(`interrupted by SIGINT: removed the partial .*${r.tmp.replace(/\./g, '\\.')}; .*scores\\.jsonl was not written`),
  );
  assert.deepEqual(outputsOf(dir, 'scores.jsonl'), [], 'no output and no temp file');
});

test('extract --out x.parquet: SIGINT after a row group reached the disk exits 130 and leaves no Parquet, temp file or sidecar', async () => {
  const out = path.join(dir, 'x.parquet');
  // A row group (up to 10,000 rows) is written only when full: wait until one is on disk.
  const r = await interrupt(['extract', pairs, '--model', model, '--out', out, '--no-progress'], out, 1, ['SIGINT']);
  assert.equal(r.code, 130, r.output);
  assert.match(r.output, /interrupted by SIGINT: removed the partial .*x\.parquet\.\d+\.[0-9a-f]+\.tmp; .*x\.parquet was not written/);
  assert.deepEqual(outputsOf(dir, 'x.parquet'), []);
});

test('score --out x.csv: SIGTERM exits 143 and leaves no file', async () => {
  const out = path.join(dir, 'term.csv');
  const r = await interrupt(['score', pairs, '--model', model, '--out', out, '--no-progress'], out, 1, ['SIGTERM']);
  assert.equal(r.code, 143, r.output);
  assert.match(r.output, /interrupted by SIGTERM: removed the partial .*term\.csv was not written/);
  assert.deepEqual(outputsOf(dir, 'term.csv'), []);
});

test('a second SIGINT stops at once (the process dies of SIGINT) and still removes the temp file', async () => {
  const out = path.join(dir, 'twice.jsonl');
  const r = await interrupt(['score', pairs, '--model', model, '--out', out, '--no-progress', '--chunk-size', '8192'], out, 1, [
    'SIGINT',
    'SIGINT',
  ]);
  // 8,192-row chunks take ~2 s here, so the first signal is still waiting for its chunk when the second comes.
  assert.equal(r.signal, 'SIGINT', `killed by the re-raised signal (a shell shows 130); got code ${r.code}\n${r.output}`);
  assert.match(r.output, /interrupted by SIGINT: removed the partial .*twice\.jsonl\.\d+\.[0-9a-f]+\.tmp; stopping now/);
  assert.deepEqual(outputsOf(dir, 'twice.jsonl'), []);
});

test('an uninterrupted score leaves exactly the output file (no temp file)', async () => {
  const small = path.join(dir, 'small.jsonl');
  fs.writeFileSync(small, fs.readFileSync(pairs, 'utf8').split('\n').slice(0, 200).join('\n') + '\n');
  const out = path.join(dir, 'whole.jsonl');
  const r = await runCli(['score', small, '--model', model, '--out', out, '--no-progress'], env);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(outputsOf(dir, 'whole.jsonl'), ['whole.jsonl']);
  assert.equal(fs.readFileSync(out, 'utf8').trim().split('\n').length, 200);
});
