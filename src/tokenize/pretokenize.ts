/**
 * BertPreTokenizer: split on whitespace, and make every punctuation character a word
 * of its own (punctuation = ASCII 33–47, 58–64, 91–96, 123–126 plus Unicode P*).
 * Walks UTF-16 units and only decodes a code point for non-ASCII units.
 */
import { ASCII_CLASS, CLASS_PUNCT, CLASS_WORD, classOf } from './char-classes.js';

/** Appends the words of `text` to `out` (which is not cleared). */
export function pushWords(text: string, out: string[]): void {
  const n = text.length;
  let start = -1;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    let cls: number;
    let w = 1;
    if (c < 128) {
      cls = ASCII_CLASS[c]!;
    } else {
      const cp = text.codePointAt(i)!;
      if (cp > 0xffff) w = 2;
      cls = classOf(cp);
    }
    if (cls === CLASS_WORD) {
      if (start < 0) start = i;
    } else {
      if (start >= 0) {
        out.push(text.slice(start, i));
        start = -1;
      }
      if (cls === CLASS_PUNCT) out.push(text.slice(i, i + w));
    }
    i += w;
  }
  if (start >= 0) out.push(start === 0 ? text : text.slice(start));
}

/** The words of one (normalized) text. */
export function bertPreTokenize(text: string): string[] {
  const out: string[] = [];
  pushWords(text, out);
  return out;
}
