/**
 * The JSON side of a Hugging Face BERT export: config.json, tokenizer.json (the `tokenizers`
 * library format: WordPiece + BertNormalizer + BertPreTokenizer + TemplateProcessing),
 * tokenizer_config.json and vocab.txt. Pure functions from the resolved spec to file contents.
 */
import type { BertSpec } from './bert.js';
import { SPECIAL_TOKENS } from './vocab.js';

export interface TokenizerSpec {
  vocab: readonly string[];
  lowercase: boolean;
  maxLength: number;
}

export function configJson(spec: BertSpec, labelNames: readonly string[] | undefined): Record<string, unknown> {
  const config: Record<string, unknown> = {
    architectures: [spec.head === 'seqcls' ? 'BertForSequenceClassification' : 'BertModel'],
    model_type: 'bert',
    hidden_size: spec.hidden,
    num_hidden_layers: spec.layers,
    num_attention_heads: spec.heads,
    intermediate_size: spec.intermediate,
    vocab_size: spec.vocabSize,
    max_position_embeddings: spec.maxPositions,
    type_vocab_size: spec.typeVocabSize,
    layer_norm_eps: spec.layerNormEps,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    initializer_range: spec.initStd,
    position_embedding_type: 'absolute',
    pad_token_id: spec.padTokenId,
  };
  if (spec.head === 'seqcls' && labelNames) {
    config['id2label'] = Object.fromEntries(labelNames.map((n, i) => [String(i), n]));
    config['label2id'] = Object.fromEntries(labelNames.map((n, i) => [n, i]));
    config['problem_type'] = 'single_label_classification';
  }
  return config;
}

function idOf(vocab: readonly string[], token: string): number {
  const id = vocab.indexOf(token);
  if (id < 0) throw new Error(`vocabulary lacks ${token}`);
  return id;
}

export function tokenizerJson(t: TokenizerSpec): Record<string, unknown> {
  const specials = [SPECIAL_TOKENS.pad, SPECIAL_TOKENS.unk, SPECIAL_TOKENS.cls, SPECIAL_TOKENS.sep, SPECIAL_TOKENS.mask]
    .map((content) => ({ id: idOf(t.vocab, content), content }))
    .sort((a, b) => a.id - b.id);
  const cls = SPECIAL_TOKENS.cls;
  const sep = SPECIAL_TOKENS.sep;
  const special = (id: string, typeId: number) => ({ SpecialToken: { id, type_id: typeId } });
  const sequence = (id: 'A' | 'B', typeId: number) => ({ Sequence: { id, type_id: typeId } });
  const vocab: Record<string, number> = {};
  t.vocab.forEach((tok, i) => {
    vocab[tok] = i;
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(({ id, content }) => ({
      id,
      content,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: t.lowercase,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [special(cls, 0), sequence('A', 0), special(sep, 0)],
      pair: [special(cls, 0), sequence('A', 0), special(sep, 0), sequence('B', 1), special(sep, 1)],
      special_tokens: {
        [cls]: { id: cls, ids: [idOf(t.vocab, cls)], tokens: [cls] },
        [sep]: { id: sep, ids: [idOf(t.vocab, sep)], tokens: [sep] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: SPECIAL_TOKENS.unk,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab,
    },
  };
}

export function tokenizerConfigJson(t: TokenizerSpec): Record<string, unknown> {
  return {
    do_lower_case: t.lowercase,
    strip_accents: null,
    tokenize_chinese_chars: true,
    model_max_length: t.maxLength,
    tokenizer_class: 'BertTokenizer',
    clean_up_tokenization_spaces: true,
    cls_token: SPECIAL_TOKENS.cls,
    sep_token: SPECIAL_TOKENS.sep,
    pad_token: SPECIAL_TOKENS.pad,
    unk_token: SPECIAL_TOKENS.unk,
    mask_token: SPECIAL_TOKENS.mask,
  };
}

export function vocabTxt(vocab: readonly string[]): string {
  return vocab.join('\n') + '\n';
}
