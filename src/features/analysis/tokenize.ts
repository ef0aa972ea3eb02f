/**
 * Sentence → lowercase word tokens, in one pass over the characters.
 *
 * - Words are runs of letters/digits; an inner hyphen or apostrophe stays inside (t-shirt, o'clock),
 *   and so do `.`/`,` between digits (3.5, 1,000). Everything else separates tokens and is dropped;
 *   clause punctuation (, ; : . ! ? and brackets/dashes) sets `breakBefore` on the next token so
 *   negation scope can stop there.
 * - Negation cues are split off as in the Penn Treebank, but the host keeps its real form:
 *   isn't → is n't, don't → do n't, can't → can n't, won't → will n't, shan't → shall n't,
 *   ain't → is n't; cannot → can not.
 * - Clitics 's 're 've 'll 'd 'm become their own tokens (the lemmatizer maps 'll → will, …).
 * - Curly apostrophes (’ ‘) count as `'`.
 */

/** Tokens of one sentence; arrays are reused between calls (see `tokenizeInto`). */
export interface TokenBuffer {
  tokens: string[];
  /** breakBefore[i] = 1 when clause punctuation separates token i from token i-1. */
  breakBefore: Uint8Array;
  length: number;
}

export function createTokenBuffer(): TokenBuffer {
  return { tokens: [], breakBefore: new Uint8Array(64), length: 0 };
}

const NT_HOST: Record<string, string> = { ca: 'can', wo: 'will', sha: 'shall', ai: 'is' };
const CLITICS = new Set(["'s", "'re", "'ve", "'ll", "'d", "'m"]);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isClauseBreak(c: number): boolean {
  // , ; : . ! ? ( ) [ ] " and dashes
  return (
    c === 44 ||
    c === 59 ||
    c === 58 ||
    c === 46 ||
    c === 33 ||
    c === 63 ||
    c === 40 ||
    c === 41 ||
    c === 91 ||
    c === 93 ||
    c === 34 ||
    c === 0x2014 ||
    c === 0x2013
  );
}

function push(buf: TokenBuffer, tok: string, brk: boolean): void {
  const i = buf.length;
  if (i >= buf.breakBefore.length) {
    const grown = new Uint8Array(buf.breakBefore.length * 2);
    grown.set(buf.breakBefore);
    buf.breakBefore = grown;
  }
  buf.tokens[i] = tok;
  buf.breakBefore[i] = brk ? 1 : 0;
  buf.length = i + 1;
}

/** Emits one raw word, splitting negation and clitics. */
function emitWord(buf: TokenBuffer, w: string, brk: boolean): void {
  const apo = w.indexOf("'");
  if (apo < 0) {
    if (w === 'cannot') {
      push(buf, 'can', brk);
      push(buf, 'not', false);
    } else push(buf, w, brk);
    return;
  }
  if (w.endsWith("n't") && w.length > 3) {
    const host = w.slice(0, -3);
    push(buf, NT_HOST[host] ?? host, brk);
    push(buf, "n't", false);
    return;
  }
  const clitic = w.slice(apo);
  if (apo > 0 && CLITICS.has(clitic)) {
    push(buf, w.slice(0, apo), brk);
    push(buf, clitic, false);
    return;
  }
  push(buf, w, brk);
}

const LETTER = /\p{L}|\p{N}/u;

/** Word character: ASCII letter/digit, or any Unicode letter/number. */
function isWordChar(s: string, i: number, c: number): boolean {
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
  return LETTER.test(s[i]!);
}

/** Tokenizes `text` into `buf` (reset first). */
export function tokenizeInto(text: string, buf: TokenBuffer): void {
  buf.length = 0;
  if (text.length === 0) return;
  let s = text.toLowerCase();
  if (s.includes('\u2019') || s.includes('\u2018')) s = s.replace(/[\u2018\u2019]/g, "'");
  const n = s.length;
  let start = -1;
  let pendingBreak = false;
  let brk = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? s.charCodeAt(i) : 32;
    if (i < n && isWordChar(s, i, c)) {
      if (start < 0) {
        start = i;
        brk = pendingBreak;
        pendingBreak = false;
      }
      continue;
    }
    if (start >= 0 && i + 1 < n) {
      const next = s.charCodeAt(i + 1);
      // Joiners inside a word: hyphen / apostrophe before a word char, . or , between digits.
      if ((c === 45 || c === 39) && isWordChar(s, i + 1, next)) continue;
      if ((c === 46 || c === 44) && isDigit(s.charCodeAt(i - 1)) && isDigit(next)) continue;
    }
    if (start >= 0) {
      emitWord(buf, s.slice(start, i), brk);
      start = -1;
    }
    // A clitic written detached ("it 's") is still a clitic token.
    if (c === 39 && i + 1 < n) {
      let j = i + 1;
      while (j < n && isWordChar(s, j, s.charCodeAt(j))) j++;
      if (j > i + 1 && CLITICS.has(s.slice(i, j))) {
        push(buf, s.slice(i, j), pendingBreak);
        pendingBreak = false;
        i = j - 1;
        continue;
      }
    }
    if (isClauseBreak(c)) pendingBreak = true;
  }
}

/** Convenience: the tokens of `text` as a fresh array. */
export function tokenize(text: string): string[] {
  const buf = createTokenBuffer();
  tokenizeInto(text, buf);
  return buf.tokens.slice(0, buf.length);
}
