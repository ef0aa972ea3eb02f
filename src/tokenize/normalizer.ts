/**
 * BertNormalizer, in the order transformers.js applies it:
 * clean_text → handle_chinese_chars → lowercase → strip_accents.
 *
 * - clean_text: drop NUL, U+FFFD and control characters (Cc/Cf/Co/Cs except \t \n \r);
 *   every whitespace character becomes a plain space.
 * - handle_chinese_chars: put spaces around CJK ideographs (checked per code point,
 *   as Hugging Face tokenizers does; transformers.js checks UTF-16 units and so misses
 *   the supplementary-plane blocks).
 * - strip_accents: NFD, then drop nonspacing marks (Mn). `null` follows `lowercase`.
 *
 * Printable ASCII text without control characters takes a fast path: at most one
 * native toLowerCase().
 */
import { isChineseChar, isControl, isWhitespace } from './char-classes.js';

export interface BertNormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  /** null: strip accents exactly when lowercasing. */
  stripAccents: boolean | null;
  lowercase: boolean;
}

const NONSPACING_MARK_RE = /\p{Mn}/gu;

export class BertNormalizer {
  private readonly cleanText: boolean;
  private readonly handleChineseChars: boolean;
  private readonly stripAccents: boolean;
  private readonly lowercase: boolean;

  constructor(opts: BertNormalizerOptions) {
    this.cleanText = opts.cleanText;
    this.handleChineseChars = opts.handleChineseChars;
    this.lowercase = opts.lowercase;
    this.stripAccents = opts.stripAccents ?? opts.lowercase;
  }

  normalize(text: string): string {
    const n = text.length;
    let simple = true;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 127 || (c < 32 && c !== 9 && c !== 10 && c !== 13)) {
        simple = false;
        break;
      }
    }
    // \t \n \r are left as they are on the fast path: the pre-tokenizer treats them as spaces.
    if (simple) return this.lowercase ? text.toLowerCase() : text;
    return this.normalizeGeneral(text);
  }

  private normalizeGeneral(text: string): string {
    const n = text.length;
    let out = '';
    let nonAscii = false;
    let runStart = 0; // start of the pending run of characters copied unchanged
    let i = 0;
    while (i < n) {
      const cp = text.codePointAt(i)!;
      const w = cp > 0xffff ? 2 : 1;
      if (cp < 128) {
        if (!this.cleanText || (cp >= 32 && cp !== 127)) {
          i += w;
          continue;
        }
      } else {
        nonAscii = true;
      }
      let replacement: string | undefined;
      if (this.cleanText && (cp === 0 || cp === 0xfffd || isControl(cp))) replacement = '';
      else if (this.cleanText && isWhitespace(cp)) replacement = cp === 32 ? undefined : ' ';
      else if (this.handleChineseChars && isChineseChar(cp)) replacement = ' ' + text.slice(i, i + w) + ' ';
      if (replacement !== undefined) {
        out += text.slice(runStart, i) + replacement;
        runStart = i + w;
      }
      i += w;
    }
    out = runStart === 0 ? text : out + text.slice(runStart);
    if (this.lowercase) out = out.toLowerCase();
    if (this.stripAccents && nonAscii) out = out.normalize('NFD').replace(NONSPACING_MARK_RE, '');
    return out;
  }
}
