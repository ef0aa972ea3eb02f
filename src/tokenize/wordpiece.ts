/**
 * WordPiece: greedy longest-match-first over a word's code points; pieces after the
 * first carry the continuing-subword prefix (`##`). A word longer than
 * maxInputCharsPerWord code points, or one that cannot be covered, becomes [UNK].
 *
 * Results are cached per word in a bounded Map (cleared when full), so common words
 * cost one Map lookup.
 */

export interface WordPieceOptions {
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  /** Most words kept in the word → ids cache (default 50,000). */
  cacheSize?: number;
}

export class WordPiece {
  readonly unkId: number;
  private readonly prefix: string;
  private readonly maxChars: number;
  /** Longest vocabulary entry in UTF-16 units, without the prefix: bounds the search. */
  private readonly maxPieceLength: number;
  private readonly cache = new Map<string, Int32Array>();
  private readonly cacheSize: number;

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    opts: WordPieceOptions,
  ) {
    const unk = vocab.get(opts.unkToken);
    if (unk === undefined) throw new Error(`unk token ${JSON.stringify(opts.unkToken)} is not in the vocabulary`);
    this.unkId = unk;
    this.prefix = opts.continuingSubwordPrefix;
    this.maxChars = opts.maxInputCharsPerWord;
    this.cacheSize = opts.cacheSize ?? 50_000;
    let longest = 0;
    for (const token of vocab.keys()) {
      const len = token.startsWith(this.prefix) ? token.length - this.prefix.length : token.length;
      if (len > longest) longest = len;
    }
    this.maxPieceLength = longest;
  }

  /** Ids of one pre-tokenized word (cached; do not mutate the result). */
  encodeWord(word: string): Int32Array {
    let ids = this.cache.get(word);
    if (ids === undefined) {
      ids = this.computeWord(word);
      if (this.cache.size >= this.cacheSize) this.cache.clear();
      this.cache.set(word, ids);
    }
    return ids;
  }

  /** Tokens (strings) of one word, for inspection and tests. */
  tokenizeWord(word: string): string[] {
    const ids = this.computeWord(word);
    const byId = new Map<number, string>();
    for (const [t, id] of this.vocab) if (!byId.has(id)) byId.set(id, t);
    return Array.from(ids, (id) => byId.get(id)!);
  }

  private computeWord(word: string): Int32Array {
    const n = word.length;
    if (n > this.maxChars && countCodePoints(word) > this.maxChars) return Int32Array.of(this.unkId);
    const vocab = this.vocab;
    const pieces: number[] = [];
    let start = 0;
    while (start < n) {
      let end = Math.min(n, start + this.maxPieceLength);
      if (end < n && isLowSurrogate(word.charCodeAt(end)) && isHighSurrogate(word.charCodeAt(end - 1))) end--; // never split a surrogate pair
      let found = -1;
      while (end > start) {
        const piece = start === 0 ? word.slice(0, end) : this.prefix + word.slice(start, end);
        const id = vocab.get(piece);
        if (id !== undefined) {
          found = id;
          break;
        }
        end -= end - 2 >= start && isLowSurrogate(word.charCodeAt(end - 1)) && isHighSurrogate(word.charCodeAt(end - 2)) ? 2 : 1;
      }
      if (found < 0) return Int32Array.of(this.unkId);
      pieces.push(found);
      start = end;
    }
    return Int32Array.from(pieces);
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function countCodePoints(s: string): number {
  let count = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!(isLowSurrogate(c) && i > 0 && isHighSurrogate(s.charCodeAt(i - 1)))) count++;
  }
  return count;
}
