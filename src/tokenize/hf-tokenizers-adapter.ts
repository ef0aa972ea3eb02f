/**
 * Tokenizers the fast path does not cover (BPE, Unigram, other normalizers …) run through
 * @huggingface/tokenizers, the pure-JS port of Hugging Face tokenizers that transformers.js
 * itself is built on (no native code, no model runtime, ~0.5 MB). Sequences are encoded
 * without special tokens and joined with the pair template from tokenizer.json, so truncation
 * is `longest_first` as in Hugging Face tokenizers. Only when the template cannot be read
 * does the adapter let the library add the special tokens itself and cut the joined
 * sequence's tail (what transformers.js does). Slower than the fast path, and loaded lazily
 * so importing this module costs nothing.
 */
import type { Tokenizer } from '@huggingface/tokenizers';
import type { Encoding } from '../contracts.js';
import { ModelError } from '../errors.js';
import { assemblePair, type PairTemplate } from './pair-encoder.js';
import type { PairTokenizer } from './types.js';

export class HfTokenizersPairTokenizer implements PairTokenizer {
  constructor(
    private readonly tokenizer: Tokenizer,
    readonly maxLength: number,
    readonly padId: number,
    private readonly template: PairTemplate | undefined,
  ) {}

  encodePair(a: string, b: string, maxLength: number = this.maxLength): Encoding {
    if (this.template !== undefined) {
      const idsA = Int32Array.from(this.tokenizer.encode(a, { add_special_tokens: false }).ids);
      const idsB = Int32Array.from(this.tokenizer.encode(b, { add_special_tokens: false }).ids);
      return assemblePair(this.template, idsA, idsA.length, idsB, idsB.length, maxLength);
    }
    const out = this.tokenizer.encode(a, { text_pair: b, return_token_type_ids: true });
    const n = Math.min(out.ids.length, maxLength);
    const typeIds = out.token_type_ids ? Int32Array.from(out.token_type_ids.slice(0, n)) : new Int32Array(n);
    return { ids: Int32Array.from(out.ids.slice(0, n)), typeIds };
  }
}

/**
 * Builds the tokenizer from already-parsed tokenizer.json and tokenizer_config.json objects
 * (`file` only names the source in errors).
 */
export async function loadHfTokenizer(
  file: string,
  tokenizerJson: Record<string, unknown>,
  tokenizerConfig: Record<string, unknown>,
  maxLength: number,
  template: PairTemplate | undefined,
  padId: number | undefined,
): Promise<HfTokenizersPairTokenizer> {
  let tokenizer: Tokenizer;
  try {
    const { Tokenizer } = await import('@huggingface/tokenizers');
    // The library requires added_tokens; some hand-written tokenizer.json files omit it.
    tokenizer = new Tokenizer({ added_tokens: [], ...tokenizerJson }, tokenizerConfig);
  } catch (cause) {
    throw new ModelError(`@huggingface/tokenizers could not load ${file}: ${(cause as Error).message}`, { cause });
  }
  const padToken = tokenizerConfig.pad_token;
  const padContent = typeof padToken === 'string' ? padToken : undefined;
  const pad = padId ?? (padContent !== undefined ? tokenizer.token_to_id(padContent) : undefined) ?? 0;
  return new HfTokenizersPairTokenizer(tokenizer, maxLength, pad, template);
}
