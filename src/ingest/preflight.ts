/**
 * Checks made before any parsing: the path is a readable, non-empty regular
 * file and its first 64 KiB look like UTF-8 text. Binary input (NUL bytes,
 * invalid UTF-8, UTF-16, Parquet magic in a text-named file) is a file-level DatasetError that
 * names the line of the first offending byte, so nobody scores garbage.
 */
import fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { DatasetError } from './errors.js';

/** How much of the file is checked for binary content and used for format sniffing. */
export const HEAD_BYTES = 64 * 1024;

export const PARQUET_BY_CONTENT = 'is a Parquet file (PAR1 magic) but its name says text; name it .parquet or pass --input-format parquet';

/** Stats `file` and rejects what cannot be a dataset. Returns its size in bytes. */
export async function statDataset(file: string): Promise<number> {
  let st: fs.Stats;
  try {
    st = await fs.promises.stat(file);
  } catch (err) {
    throw openFailure(file, err);
  }
  if (st.isDirectory()) throw new DatasetError(file, 'is a directory, expected a dataset file');
  if (!st.isFile()) throw new DatasetError(file, 'is not a regular file');
  if (st.size === 0) throw new DatasetError(file, 'file is empty');
  return st.size;
}

/** Reads up to HEAD_BYTES from the start of `file`. */
export async function readHead(file: string): Promise<Buffer> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(file, 'r');
    const buf = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await fh.read(buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } catch (err) {
    throw openFailure(file, err);
  } finally {
    await fh?.close();
  }
}

/**
 * Throws unless `head` looks like UTF-8 text. `truncated` says the file goes on
 * past `head`, so a multi-byte character cut at the end is not an error.
 */
export function checkText(file: string, head: Buffer, truncated: boolean): void {
  if (head.length >= 4 && head.toString('latin1', 0, 4) === 'PAR1') throw new DatasetError(file, PARQUET_BY_CONTENT);
  if (head.length >= 2 && ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))) {
    throw new DatasetError(file, 'is UTF-16 text (byte order mark found); re-save it as UTF-8', { line: 1 });
  }
  const nul = head.indexOf(0);
  if (nul !== -1) {
    throw new DatasetError(file, `looks like a binary file, not text (NUL byte at offset ${nul})`, {
      line: lineAt(head, nul),
    });
  }
  if (isUtf8(head)) return;
  const bad = firstInvalidUtf8(head, truncated);
  if (bad === -1) return;
  throw new DatasetError(
    file,
    `is not valid UTF-8 (byte 0x${head[bad]!.toString(16).padStart(2, '0')} at offset ${bad}); ` +
      're-save it as UTF-8 (binary files are not datasets)',
    { line: lineAt(head, bad) },
  );
}

/** 1-based line of byte `offset`. */
function lineAt(buf: Buffer, offset: number): number {
  let line = 1;
  for (let i = buf.indexOf(10); i !== -1 && i < offset; i = buf.indexOf(10, i + 1)) line++;
  return line;
}

/**
 * Offset of the first byte that is not part of a well-formed UTF-8 sequence,
 * or -1. With `allowCutEnd`, an incomplete sequence at the very end is accepted.
 */
export function firstInvalidUtf8(buf: Uint8Array, allowCutEnd: boolean): number {
  const n = buf.length;
  let i = 0;
  while (i < n) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      if (i + k >= n) return allowCutEnd ? -1 : i;
      const c = buf[i + k]!;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

function openFailure(file: string, err: unknown): DatasetError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return new DatasetError(file, 'file not found', { cause: err });
  if (code === 'EACCES' || code === 'EPERM') return new DatasetError(file, 'permission denied', { cause: err });
  if (code === 'EISDIR') return new DatasetError(file, 'is a directory, expected a dataset file', { cause: err });
  return new DatasetError(file, `cannot read the file (${code ?? String(err)})`, { cause: err });
}
