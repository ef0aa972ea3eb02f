/**
 * A tiny byte-level BPE tokenizer.json (GPT-2/RoBERTa layout: ByteLevel pre-tokenizer and
 * decoder, a handful of merges, <s> A </s> </s> B </s> template), written by the tests so
 * the non-WordPiece path is exercised without a downloaded model.
 */

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the rest to U+0100 onwards. */
function byteAlphabet(): string[] {
  const printable = (b: number): boolean => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const out: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) out.push(String.fromCodePoint(printable(b) ? b : 256 + extra++));
  return out;
}

export const BPE_MERGES = ['Ġ t', 'h e', 'Ġt he', 'c a', 'ca t', 'Ġ cat', 'o g', 'd og', 'Ġ dog', 's i', 'si t', 'sit s', 'Ġ sits', 'Ġ a'];

export function bpeTokenizerJson(): Record<string, unknown> {
  const specials = ['<s>', '<pad>', '</s>', '<unk>'];
  const vocab: Record<string, number> = {};
  for (const t of [...specials, ...byteAlphabet()]) vocab[t] = Object.keys(vocab).length;
  for (const m of BPE_MERGES) {
    const t = m.replace(' ', '');
    if (!(t in vocab)) vocab[t] = Object.keys(vocab).length;
  }
  const special = (content: string): Record<string, unknown> => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const S = (id: string, type_id = 0) => ({ SpecialToken: { id, type_id } });
  const Q = (id: 'A' | 'B', type_id: number) => ({ Sequence: { id, type_id } });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(special),
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: {
      type: 'TemplateProcessing',
      single: [S('<s>'), Q('A', 0), S('</s>')],
      pair: [S('<s>'), Q('A', 0), S('</s>'), S('</s>', 1), Q('B', 1), S('</s>', 1)],
      special_tokens: Object.fromEntries(['<s>', '</s>'].map((t) => [t, { id: t, ids: [vocab[t]], tokens: [t] }])),
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges: BPE_MERGES,
    },
  };
}

export const BPE_TOKENIZER_CONFIG = {
  tokenizer_class: 'RobertaTokenizer',
  bos_token: '<s>',
  eos_token: '</s>',
  unk_token: '<unk>',
  pad_token: '<pad>',
  model_max_length: 64,
};
