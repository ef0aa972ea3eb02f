/** Public API of the pair tokenizer. */
export type { PairTokenizer } from './types.js';
export { loadTokenizer, type LoadTokenizerOptions } from './load.js';
export { WordPiecePairTokenizer, type WordPieceTokenizerSpec } from './wordpiece-tokenizer.js';
export { HfTokenizersPairTokenizer } from './hf-tokenizers-adapter.js';
export { longestFirstLengths, bertPairTemplate, type PairTemplate } from './pair-encoder.js';
export { BertNormalizer, type BertNormalizerOptions } from './normalizer.js';
export { bertPreTokenize } from './pretokenize.js';
export { WordPiece, type WordPieceOptions } from './wordpiece.js';
