/**
 * Character classes used by the BERT normalizer and pre-tokenizer.
 *
 * ASCII is answered from a 128-entry table; every other code point is classified
 * once with a Unicode property regex and remembered in a lazily allocated table,
 * so the hot loops never run a regex twice for the same character.
 *
 * Definitions follow the Hugging Face BERT components (as transformers.js implements them):
 * - control: Unicode Cc, Cf, Co, Cs, except \t \n \r (those are whitespace);
 * - whitespace: JavaScript `\s`;
 * - punctuation: ASCII 33–47, 58–64, 91–96, 123–126 plus Unicode P* categories;
 * - Chinese: the CJK ideograph blocks of the original BERT code (by code point).
 */

export const CLASS_WORD = 0;
export const CLASS_WHITESPACE = 1;
export const CLASS_PUNCT = 2;

const F_DONE = 1;
const F_CONTROL = 2;
const F_SPACE = 4;
const F_PUNCT = 8;

const CONTROL_RE = /^[\p{Cc}\p{Cf}\p{Co}\p{Cs}]$/u;
const SPACE_RE = /^\s$/u;
const PUNCT_RE = /^\p{P}$/u;

function asciiFlags(c: number): number {
  let f = F_DONE;
  if (c === 9 || c === 10 || c === 13 || c === 32) f |= F_SPACE;
  else if (c === 11 || c === 12)
    f |= F_SPACE | F_CONTROL; // \v \f: Cc, and JS whitespace
  else if (c < 32 || c === 127) f |= F_CONTROL;
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) f |= F_PUNCT;
  return f;
}

let table: Uint8Array | undefined;

function flagsOf(cp: number): number {
  if (table === undefined) {
    table = new Uint8Array(0x110000);
    for (let c = 0; c < 128; c++) table[c] = asciiFlags(c);
  }
  let f = table[cp]!;
  if (f === 0) {
    const ch = String.fromCodePoint(cp);
    f = F_DONE;
    if (CONTROL_RE.test(ch)) f |= F_CONTROL;
    if (SPACE_RE.test(ch)) f |= F_SPACE;
    if (PUNCT_RE.test(ch)) f |= F_PUNCT;
    table[cp] = f;
  }
  return f;
}

/** Pre-tokenizer class of each ASCII code unit (whitespace / punctuation / word). */
export const ASCII_CLASS: Uint8Array = (() => {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    const f = asciiFlags(c);
    t[c] = f & F_SPACE ? CLASS_WHITESPACE : f & F_PUNCT ? CLASS_PUNCT : CLASS_WORD;
  }
  return t;
})();

/** Pre-tokenizer class of any code point. */
export function classOf(cp: number): number {
  if (cp < 128) return ASCII_CLASS[cp]!;
  const f = flagsOf(cp);
  return f & F_SPACE ? CLASS_WHITESPACE : f & F_PUNCT ? CLASS_PUNCT : CLASS_WORD;
}

/** Cc/Cf/Co/Cs other than \t, \n, \r. */
export function isControl(cp: number): boolean {
  if (cp === 9 || cp === 10 || cp === 13) return false;
  return (flagsOf(cp) & F_CONTROL) !== 0;
}

export function isWhitespace(cp: number): boolean {
  return (flagsOf(cp) & F_SPACE) !== 0;
}

export function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}
