/**
 * Whole or absent: every file pairscore writes goes to a temporary name beside
 * its final name and is renamed over it only when complete, so nothing under a
 * final name is ever half written — not after Ctrl-C, a crash or a full disk.
 * The temp file lives in the same directory because rename(2) is atomic only
 * within one filesystem.
 *
 * Temp files not yet committed or aborted are tracked, so a process that must
 * exit at once (a second Ctrl-C) can still remove them synchronously.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';

/** Temp files created and neither committed nor aborted yet. */
const pending = new Set<string>();

export interface AtomicFile {
  /** The final name. */
  readonly file: string;
  /** The temporary name beside it; write here. */
  readonly tmp: string;
  /** Renames the temp file to the final name. Call after the last byte is written and the handle closed. */
  commit(): Promise<void>;
  /** Removes the temp file (idempotent); the final name is left as it was. */
  abort(): Promise<void>;
}

/** `out.jsonl` → `out.jsonl.<pid>.<random>.tmp`: unique per writer, and says whose it is. */
export function tempPathFor(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** Reserves a temp name for `file` (creating its directory); nothing is opened. */
export async function createAtomicFile(file: string): Promise<AtomicFile> {
  await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = tempPathFor(file);
  pending.add(tmp);
  let settled = false;
  return {
    file,
    tmp,
    async commit() {
      if (settled) throw new Error(`${tmp}: commit after commit or abort`);
      settled = true;
      try {
        await fs.promises.rename(tmp, file);
      } catch (err) {
        await fs.promises.rm(tmp, { force: true });
        throw err;
      } finally {
        pending.delete(tmp);
      }
    },
    async abort() {
      settled = true;
      pending.delete(tmp);
      await fs.promises.rm(tmp, { force: true });
    },
  };
}

/** Writes `data` to `file` whole: a temp file beside it, then rename. */
export async function writeFileAtomic(file: string, data: Uint8Array | string): Promise<void> {
  const f = await createAtomicFile(file);
  try {
    await fs.promises.writeFile(f.tmp, data);
  } catch (err) {
    await f.abort();
    throw err;
  }
  await f.commit();
}

/** Copies `src` to `file` whole: a temp copy beside it, then rename. */
export async function copyFileAtomic(src: string, file: string): Promise<void> {
  const f = await createAtomicFile(file);
  try {
    await fs.promises.copyFile(src, f.tmp);
  } catch (err) {
    await f.abort();
    throw err;
  }
  await f.commit();
}

export interface AtomicStream {
  readonly file: string;
  readonly tmp: string;
  readonly stream: fs.WriteStream;
  /** Ends the stream, waits for the bytes to reach the file, then renames it; on failure removes it. */
  close(): Promise<void>;
  /** Destroys the stream and removes the temp file. */
  abort(): Promise<void>;
}

/** The streaming variant, for row writers: a write stream on the temp name. */
export async function openAtomicStream(file: string): Promise<AtomicStream> {
  const f = await createAtomicFile(file);
  const stream = fs.createWriteStream(f.tmp);
  // A write error (disk full) must not crash the process as an unhandled 'error'
  // event: the pending write or close sees it and the temp file is removed.
  stream.on('error', () => undefined);
  try {
    await once(stream, 'open');
  } catch (err) {
    await f.abort();
    throw err;
  }
  const closed = once(stream, 'close').then(
    () => undefined,
    () => undefined,
  );
  return {
    file,
    tmp: f.tmp,
    stream,
    async close() {
      try {
        const finished = once(stream, 'finish');
        stream.end();
        await finished;
        await closed;
      } catch (err) {
        stream.destroy();
        await closed;
        await f.abort();
        throw err;
      }
      await f.commit();
    },
    async abort() {
      stream.destroy();
      await closed;
      await f.abort();
    },
  };
}

/**
 * Removes every pending temp file now, synchronously; for a process about to
 * exit without unwinding (second SIGINT). Returns the names removed.
 */
export function removePendingTempFilesSync(): string[] {
  const removed = [...pending];
  for (const tmp of removed) {
    fs.rmSync(tmp, { force: true });
    pending.delete(tmp);
  }
  return removed;
}

/** Temp files created and not yet committed or aborted (for messages and tests). */
export function pendingTempFiles(): string[] {
  return [...pending];
}
