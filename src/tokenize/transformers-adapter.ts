/**
 * Tokenizers the fast path does not cover (BPE, Unigram, other normalizers …) run through
 * @huggingface/transformers. Sequences are encoded without special tokens and joined with
 * the pair template from tokenizer.json, so truncation is `longest_first` as in
 * Hugging Face tokenizers. Only when the template cannot be read does the adapter use
 * transformers.js's own pair encoding (whose truncation cuts the joined sequence's tail).
 * Slower than the fast path, and loaded lazily so importing this module costs nothing.
 */
import path from 'node:path';
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import type { Encoding } from '../contracts.js';
import { ModelError } from '../errors.js';
import { assemblePair, type PairTemplate } from './pair-encoder.js';
import type { PairTokenizer } from './types.js';

export class TransformersPairTokenizer implements PairTokenizer {
  constructor(
    private readonly tokenizer: PreTrainedTokenizer,
    readonly maxLength: number,
    readonly padId: number,
    private readonly template: PairTemplate | undefined,
  ) {}

  encodePair(a: string, b: string, maxLength: number = this.maxLength): Encoding {
    if (this.template !== undefined) {
      const idsA = Int32Array.from(this.tokenizer.encode(a, { add_special_tokens: false }));
      const idsB = Int32Array.from(this.tokenizer.encode(b, { add_special_tokens: false }));
      return assemblePair(this.template, idsA, idsA.length, idsB, idsB.length, maxLength);
    }
    const out = this.tokenizer(a, {
      text_pair: b,
      truncation: true,
      max_length: maxLength,
      return_tensor: false,
      return_token_type_ids: true,
    });
    const ids = Int32Array.from(out.input_ids as number[]);
    const typeIds = out.token_type_ids ? Int32Array.from(out.token_type_ids as number[]) : new Int32Array(ids.length);
    return { ids, typeIds };
  }
}

/** Loads modelDir's tokenizer with transformers.js (local files only). */
export async function loadTransformersTokenizer(
  modelDir: string,
  maxLength: number,
  template: PairTemplate | undefined,
  padId: number | undefined,
): Promise<TransformersPairTokenizer> {
  const dir = path.resolve(modelDir);
  let tokenizer: PreTrainedTokenizer;
  try {
    const { AutoTokenizer } = await import('@huggingface/transformers');
    tokenizer = await AutoTokenizer.from_pretrained(dir, { local_files_only: true });
  } catch (cause) {
    throw new ModelError(`transformers.js could not load the tokenizer in ${dir}: ${(cause as Error).message}`, { cause });
  }
  const pad = padId ?? tokenizer.pad_token_id ?? 0;
  return new TransformersPairTokenizer(tokenizer, maxLength, pad, template);
}
