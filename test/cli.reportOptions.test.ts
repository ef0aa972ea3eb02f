/**
 * `report`'s options come from the settings table like every command's: `--input-format` reads an
 * input file whose extension says nothing (it had no such flag), and `--redis` brings the TLS flags
 * every other Redis command has (it used to take only `--prefix`).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-reportopts-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const LABELS = ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'];

test('report --input FILE --input-format jsonl reads a file whose extension is not a format', async () => {
  const preds = path.join(dir, 'preds.jsonl');
  const pairs = path.join(dir, 'pairs.data');
  const predLines: string[] = [];
  const pairLines: string[] = [];
  for (let i = 0; i < 30; i++) {
    const gold = LABELS[i % 3]!;
    const label = i === 0 ? LABELS[1]! : gold; // one confident error, so its sentences are shown
    const probs = Object.fromEntries(LABELS.map((l) => [l, l === label ? 0.98 : 0.01]));
    predLines.push(JSON.stringify({ index: i, id: `p${i}`, label, probs, gold }));
    pairLines.push(JSON.stringify({ id: `p${i}`, premise: `Premise sentence ${i}`, hypothesis: `Hypothesis ${i}`, label: gold }));
  }
  fs.writeFileSync(preds, `${predLines.join('\n')}\n`);
  fs.writeFileSync(pairs, `${pairLines.join('\n')}\n`);
  const out = path.join(dir, 'r.html');
  const without = await runCli(['report', preds, '--input', pairs, '--out', out]);
  assert.equal(without.code, 2, without.stderr);
  const r = await runCli(['report', preds, '--input', pairs, '--input-format', 'jsonl', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(fs.readFileSync(out, 'utf8').includes('Premise sentence 0'), 'the error shows its premise from --input');
});

test('report --help lists the TLS flags of --redis, from the same table as the other Redis commands', async () => {
  const r = await runCli(['report', '--help']);
  assert.equal(r.code, 0, r.stderr);
  for (const flag of [
    '--redis [url]',
    '--prefix <name>',
    '--redis-ca <file>',
    '--redis-cert <file>',
    '--redis-key <file>',
    '--input-format <fmt>',
  ])
    assert.ok(r.stdout.includes(flag), `report --help lacks ${flag}`);
});
