import type { Encoding } from '../contracts.js';

/** Encodes a sentence pair the way the model was trained: [CLS] a [SEP] b [SEP]. */
export interface PairTokenizer {
  /** Longest sequence the tokenizer produces by default (the model's limit, at most 512). */
  readonly maxLength: number;
  readonly padId: number;
  /** `longest_first` truncation to maxLength (defaults to this.maxLength). */
  encodePair(a: string, b: string, maxLength?: number): Encoding;
}
