/**
 * The fast path: BertNormalizer → BertPreTokenizer → WordPiece → pair template,
 * all in this package, with no per-character regex and reused id buffers.
 */
import type { Encoding } from '../contracts.js';
import { AddedTokenSplitter, type AddedToken } from './added-tokens.js';
import { IdBuffer } from './id-buffer.js';
import { BertNormalizer, type BertNormalizerOptions } from './normalizer.js';
import { assemblePair, type PairTemplate } from './pair-encoder.js';
import { pushWords } from './pretokenize.js';
import type { PairTokenizer } from './types.js';
import { WordPiece, type WordPieceOptions } from './wordpiece.js';

export interface WordPieceTokenizerSpec {
  vocab: ReadonlyMap<string, number>;
  wordPiece: WordPieceOptions;
  normalizer: BertNormalizerOptions;
  /** Added tokens matched in raw text (normalized=false ones). */
  addedTokens: readonly AddedToken[];
  template: PairTemplate;
  maxLength: number;
  padId: number;
}

export class WordPiecePairTokenizer implements PairTokenizer {
  readonly maxLength: number;
  readonly padId: number;
  private readonly normalizer: BertNormalizer;
  private readonly wordPiece: WordPiece;
  private readonly added: AddedTokenSplitter;
  private readonly template: PairTemplate;
  private readonly bufA = new IdBuffer();
  private readonly bufB = new IdBuffer();
  private readonly words: string[] = [];

  constructor(spec: WordPieceTokenizerSpec) {
    this.maxLength = spec.maxLength;
    this.padId = spec.padId;
    this.normalizer = new BertNormalizer(spec.normalizer);
    this.wordPiece = new WordPiece(spec.vocab, spec.wordPiece);
    this.added = new AddedTokenSplitter(spec.addedTokens);
    this.template = spec.template;
  }

  encodePair(a: string, b: string, maxLength: number = this.maxLength): Encoding {
    this.encodeInto(a, this.bufA);
    this.encodeInto(b, this.bufB);
    return assemblePair(this.template, this.bufA.data, this.bufA.length, this.bufB.data, this.bufB.length, maxLength);
  }

  /** Token ids of one text, without special tokens or truncation. */
  encodeText(text: string): Int32Array {
    const buf = new IdBuffer();
    this.encodeInto(text, buf);
    return buf.data.slice(0, buf.length);
  }

  private encodeInto(text: string, buf: IdBuffer): void {
    buf.length = 0;
    if (this.added.size > 0 && this.added.mightMatch(text)) {
      for (const seg of this.added.split(text)) {
        if (typeof seg === 'string') this.encodePlain(seg, buf);
        else buf.push(seg.id);
      }
    } else {
      this.encodePlain(text, buf);
    }
  }

  private encodePlain(text: string, buf: IdBuffer): void {
    if (text.length === 0) return;
    const words = this.words;
    words.length = 0;
    pushWords(this.normalizer.normalize(text), words);
    const wp = this.wordPiece;
    for (let i = 0; i < words.length; i++) buf.pushAll(wp.encodeWord(words[i]!));
  }
}
