import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './report/atomic-file.js';

/** sha256 (hex) of a file, streamed so a multi-GB model is never held in memory for hashing. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 22 })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/**
 * A file changed less than this long before it was hashed may change again within the
 * same timestamp tick without its stat showing it (git's "racily clean" entries; coarse
 * filesystems tick in seconds): its hash is not remembered.
 */
export const SETTLE_MS = 2000;

interface HashEntry {
  path: string;
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
  sha256: string;
}

type Identity = Omit<HashEntry, 'sha256'>;

function identity(file: string, st: fs.BigIntStats): Identity {
  return {
    path: file,
    dev: String(st.dev),
    ino: String(st.ino),
    size: String(st.size),
    mtimeNs: String(st.mtimeNs),
    ctimeNs: String(st.ctimeNs),
  };
}

const sameFile = (a: Identity, b: Identity): boolean =>
  a.path === b.path && a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs && a.ctimeNs === b.ctimeNs;

/**
 * sha256File, remembered in `<cacheDir>/file-hashes/` — the rule make, git and ccache use:
 * an entry answers for the file at the same absolute path only while its device, inode,
 * size, mtime and ctime (ns) are the ones it was hashed with. Rewriting the file, replacing
 * it (a new inode), or restoring its mtime after a change (which still moves its ctime)
 * makes it hashed again. A file that changed while it was hashed, or within `settleMs`
 * before, is hashed but not remembered. The cache is only a shortcut: an unreadable or
 * unwritable entry means hashing as sha256File does.
 */
export async function sha256FileCached(file: string, cacheDir: string, opts: { settleMs?: number } = {}): Promise<string> {
  const abs = path.resolve(file);
  const entryFile = path.join(cacheDir, 'file-hashes', `${createHash('sha256').update(abs).digest('hex').slice(0, 32)}.json`);
  const before = identity(abs, await fs.promises.stat(abs, { bigint: true }));
  try {
    const entry = JSON.parse(await fs.promises.readFile(entryFile, 'utf8')) as HashEntry;
    if (sameFile(entry, before) && /^[0-9a-f]{64}$/.test(entry.sha256)) return entry.sha256;
  } catch {
    // No entry yet, or one that does not parse: hash.
  }
  const started = BigInt(Date.now()) * 1_000_000n;
  const sha256 = await sha256File(abs);
  const after = identity(abs, await fs.promises.stat(abs, { bigint: true }));
  const settle = BigInt(opts.settleMs ?? SETTLE_MS) * 1_000_000n;
  const lastChange = BigInt(after.mtimeNs) > BigInt(after.ctimeNs) ? BigInt(after.mtimeNs) : BigInt(after.ctimeNs);
  if (sameFile(before, after) && lastChange < started - settle) {
    await writeFileAtomic(entryFile, JSON.stringify({ ...after, sha256 } satisfies HashEntry)).catch(() => undefined);
  }
  return sha256;
}
