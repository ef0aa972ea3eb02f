/**
 * sha256FileCached remembers a file's sha256 by its identity (path, device, inode, size,
 * mtime, ctime) and hashes it again whenever any of these moved: a same-size rewrite, a
 * change whose mtime was put back (`touch -r`: the ctime still moves), a file replaced by
 * rename. A file changed just before it was hashed is not remembered (racily clean).
 * To tell a remembered hash from a recomputed one, the tests put a sentinel in the entry.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256FileCached } from '../src/sha256-file.js';

const SENTINEL = 'f'.repeat(64);
let dir = '';

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pairscore-hashcache-'));
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A whole second in the past: utimes can put it back exactly (a Date or float seconds lose the ns). */
const T = Math.floor(Date.now() / 1000) - 100;

/** A fresh file with mtime T and a cache dir; waits a little so the file's ctime is older than the hash. */
async function setup(name: string, text: string): Promise<{ file: string; cache: string }> {
  const file = path.join(dir, name, 'model.onnx');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  fs.utimesSync(file, T, T);
  await sleep(30);
  return { file, cache: path.join(dir, name, 'cache') };
}

/** Replaces the remembered hash with SENTINEL: a later answer of SENTINEL came from the cache. */
function plantSentinel(cache: string): void {
  const entries = fs.readdirSync(path.join(cache, 'file-hashes'));
  assert.equal(entries.length, 1, `one entry: ${entries.join(', ')}`);
  const entryFile = path.join(cache, 'file-hashes', entries[0]!);
  const entry = JSON.parse(fs.readFileSync(entryFile, 'utf8')) as { sha256: string };
  fs.writeFileSync(entryFile, JSON.stringify({ ...entry, sha256: SENTINEL }));
}

test('an unchanged file is answered from the cache: the sha256 is not computed again', async () => {
  const { file, cache } = await setup('same', 'weights v1');
  assert.equal(await sha256FileCached(file, cache, { settleMs: 0 }), sha('weights v1'));
  plantSentinel(cache);
  assert.equal(await sha256FileCached(file, cache, { settleMs: 0 }), SENTINEL);
  assert.equal(await sha256FileCached(path.relative(process.cwd(), file), cache, { settleMs: 0 }), SENTINEL, 'same file by another name');
});

test('a file rewritten in place with the same size is hashed again', async () => {
  const { file, cache } = await setup('rewrite', 'weights v1');
  await sha256FileCached(file, cache, { settleMs: 0 });
  plantSentinel(cache);
  await sleep(20);
  fs.writeFileSync(file, 'weights v2');
  assert.equal(await sha256FileCached(file, cache, { settleMs: 0 }), sha('weights v2'));
});

test('a change whose mtime was put back (touch -r) is hashed again: its ctime moved', async () => {
  const { file, cache } = await setup('touch', 'weights v1');
  const old = fs.statSync(file, { bigint: true });
  await sha256FileCached(file, cache, { settleMs: 0 });
  plantSentinel(cache);
  await sleep(20);
  fs.writeFileSync(file, 'weights v3');
  fs.utimesSync(file, T, T);
  const now = fs.statSync(file, { bigint: true });
  assert.equal(now.mtimeNs, old.mtimeNs, 'mtime put back exactly');
  assert.equal(now.ino, old.ino, 'same inode');
  assert.equal(await sha256FileCached(file, cache, { settleMs: 0 }), sha('weights v3'));
});

test('a file replaced by rename (new inode), same size and mtime, is hashed again', async () => {
  const { file, cache } = await setup('rename', 'weights v1');
  const old = fs.statSync(file, { bigint: true });
  await sha256FileCached(file, cache, { settleMs: 0 });
  plantSentinel(cache);
  const next = `${file}.new`;
  fs.writeFileSync(next, 'weights v4');
  fs.utimesSync(next, T, T);
  fs.renameSync(next, file);
  const now = fs.statSync(file, { bigint: true });
  assert.equal(now.mtimeNs, old.mtimeNs, 'same mtime');
  assert.notEqual(now.ino, old.ino, 'a new inode');
  assert.equal(await sha256FileCached(file, cache, { settleMs: 0 }), sha('weights v4'));
});

test('a file changed within the settle time before it was hashed is not remembered', async () => {
  const { file, cache } = await setup('racy', 'weights v1');
  assert.equal(await sha256FileCached(file, cache), sha('weights v1'));
  assert.equal(fs.existsSync(path.join(cache, 'file-hashes')) ? fs.readdirSync(path.join(cache, 'file-hashes')).length : 0, 0);
});
