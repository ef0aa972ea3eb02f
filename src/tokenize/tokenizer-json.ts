/**
 * Reads the parts of a Hugging Face tokenizer.json that the fast WordPiece path needs,
 * and says why a file cannot take that path (the loader then delegates to @huggingface/tokenizers).
 */
import type { AddedToken } from './added-tokens.js';
import type { BertNormalizerOptions } from './normalizer.js';
import { bertPairTemplate, makePairTemplate, type PairTemplate, type TemplatePiece } from './pair-encoder.js';
import type { WordPieceOptions } from './wordpiece.js';

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** What the fast path needs from tokenizer.json. */
export interface FastTokenizerParts {
  vocab: Map<string, number>;
  wordPiece: WordPieceOptions;
  normalizer: BertNormalizerOptions;
  addedTokens: AddedToken[];
  template: PairTemplate;
  /** padding.pad_id when the file sets one. */
  padId?: number;
}

/** The fast parts, or a reason (for the delegation message) why this file needs the @huggingface/tokenizers adapter. */
export function parseTokenizerJson(json: unknown): FastTokenizerParts | { unsupported: string } {
  if (!isObject(json) || !isObject(json.model)) return { unsupported: 'no "model" object' };
  const model = json.model;
  const type = model.type ?? (isObject(model.vocab) && 'continuing_subword_prefix' in model ? 'WordPiece' : undefined);
  if (type !== 'WordPiece') return { unsupported: `model.type ${String(type)}` };
  if (!isObject(model.vocab)) return { unsupported: 'WordPiece model without a vocab object' };

  const norm = json.normalizer;
  if (!isObject(norm) || norm.type !== 'BertNormalizer') return { unsupported: `normalizer ${describe(norm)}` };
  const pre = json.pre_tokenizer;
  if (!isObject(pre) || pre.type !== 'BertPreTokenizer') return { unsupported: `pre_tokenizer ${describe(pre)}` };

  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(model.vocab)) {
    if (typeof id === 'number') vocab.set(token, id);
  }

  const addedTokens: AddedToken[] = [];
  if (Array.isArray(json.added_tokens)) {
    for (const t of json.added_tokens) {
      if (!isObject(t) || typeof t.content !== 'string' || typeof t.id !== 'number') continue;
      const special = t.special === true;
      if ((t.normalized ?? !special) === true) return { unsupported: `normalized added token ${JSON.stringify(t.content)}` };
      addedTokens.push({ id: t.id, content: t.content, lstrip: t.lstrip === true, rstrip: t.rstrip === true });
    }
  }
  const idOf = (token: string): number | undefined => addedTokens.find((t) => t.content === token)?.id ?? vocab.get(token);

  const template = parsePostProcessor(json.post_processor, idOf);
  if (typeof template === 'string') return { unsupported: template };

  const parts: FastTokenizerParts = {
    vocab,
    wordPiece: {
      unkToken: typeof model.unk_token === 'string' ? model.unk_token : '[UNK]',
      continuingSubwordPrefix: typeof model.continuing_subword_prefix === 'string' ? model.continuing_subword_prefix : '##',
      maxInputCharsPerWord: typeof model.max_input_chars_per_word === 'number' ? model.max_input_chars_per_word : 100,
    },
    normalizer: {
      cleanText: norm.clean_text !== false,
      handleChineseChars: norm.handle_chinese_chars !== false,
      stripAccents: typeof norm.strip_accents === 'boolean' ? norm.strip_accents : null,
      lowercase: norm.lowercase !== false,
    },
    addedTokens,
    template,
  };
  if (isObject(json.padding) && typeof json.padding.pad_id === 'number') parts.padId = json.padding.pad_id;
  if (!vocab.has(parts.wordPiece.unkToken)) return { unsupported: `unk token ${parts.wordPiece.unkToken} missing from vocab` };
  return parts;
}

/** The pair template of a TemplateProcessing or BertProcessing post-processor, or why not. */
export function parsePostProcessor(pp: unknown, idOf: (token: string) => number | undefined): PairTemplate | string {
  if (!isObject(pp)) return `post_processor ${describe(pp)}`;
  if (pp.type === 'BertProcessing') {
    const cls = pp.cls;
    const sep = pp.sep;
    if (!Array.isArray(cls) || !Array.isArray(sep) || typeof cls[1] !== 'number' || typeof sep[1] !== 'number') {
      return 'BertProcessing without cls/sep';
    }
    return bertPairTemplate(cls[1], sep[1]);
  }
  if (pp.type === 'TemplateProcessing') {
    if (!Array.isArray(pp.pair)) return 'TemplateProcessing without a pair template';
    const specials = isObject(pp.special_tokens) ? pp.special_tokens : {};
    const pieces: TemplatePiece[] = [];
    for (const item of pp.pair) {
      if (isObject(item) && isObject(item.SpecialToken)) {
        const name = item.SpecialToken.id;
        if (typeof name !== 'string') return 'TemplateProcessing special token without id';
        const spec = specials[name];
        let ids: number[] | undefined;
        if (isObject(spec) && Array.isArray(spec.ids) && spec.ids.every((x) => typeof x === 'number')) ids = spec.ids as number[];
        else {
          const id = idOf(name);
          if (id !== undefined) ids = [id];
        }
        if (ids === undefined) return `TemplateProcessing special token ${name} has no id`;
        pieces.push({ kind: 'special', ids: Int32Array.from(ids), typeId: typeIdOf(item.SpecialToken) });
      } else if (isObject(item) && isObject(item.Sequence)) {
        const seq = item.Sequence.id;
        if (seq !== 'A' && seq !== 'B') return `TemplateProcessing sequence ${String(seq)}`;
        pieces.push({ kind: 'sequence', seq, typeId: typeIdOf(item.Sequence) });
      } else {
        return 'TemplateProcessing item of unknown shape';
      }
    }
    if (pieces.filter((p) => p.kind === 'sequence').length !== 2) return 'TemplateProcessing pair template without both A and B';
    return makePairTemplate(pieces);
  }
  return `post_processor ${describe(pp)}`;
}

function typeIdOf(o: Json): number {
  return typeof o.type_id === 'number' ? o.type_id : 0;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'none';
  if (isObject(v) && typeof v.type === 'string') return v.type;
  return typeof v;
}
