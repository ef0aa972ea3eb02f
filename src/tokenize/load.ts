/**
 * loadTokenizer(modelDir): the pair tokenizer a model directory describes.
 *
 * 1. tokenizer.json with WordPiece + BertNormalizer + BertPreTokenizer + TemplateProcessing
 *    (or BertProcessing) → the fast in-package WordPiece tokenizer;
 * 2. tokenizer.json of any other kind → @huggingface/tokenizers (pure JS), wrapped as a PairTokenizer;
 * 3. no tokenizer.json but vocab.txt → the fast tokenizer configured from
 *    tokenizer_config.json (do_lower_case, strip_accents, special tokens) with BERT's template.
 *
 * maxLength defaults to min(512, tokenizer_config.model_max_length, config.max_position_embeddings).
 * Missing or unreadable files raise ModelError naming the path.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { InputError, ModelError } from '../errors.js';
import type { AddedToken } from './added-tokens.js';
import { bertPairTemplate, makePairTemplate, type PairTemplate } from './pair-encoder.js';
import { parsePostProcessor, parseTokenizerJson } from './tokenizer-json.js';
import { loadHfTokenizer } from './hf-tokenizers-adapter.js';
import type { PairTokenizer } from './types.js';
import { WordPiecePairTokenizer } from './wordpiece-tokenizer.js';

export interface LoadTokenizerOptions {
  /** Overrides the default maximum length (must not exceed the model's position embeddings). */
  maxLength?: number;
}

type Json = Record<string, unknown>;

const DEFAULT_MAX_LENGTH = 512;
/** tokenizer_config classes whose vocab.txt is plain BERT WordPiece with [CLS] A [SEP] B [SEP]. */
const VOCAB_TXT_CLASSES = /^(Bert|DistilBert|MobileBert|SqueezeBert|ConvBert|Electra|LayoutLM|RetriBert)Tokenizer(Fast)?$/;

export async function loadTokenizer(modelDir: string, opts: LoadTokenizerOptions = {}): Promise<PairTokenizer> {
  const dir = path.resolve(modelDir);
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (cause) {
    throw new ModelError(`model directory ${dir} cannot be read: ${(cause as Error).message}`, { cause });
  }
  const has = (name: string): boolean => entries.includes(name);
  const tokenizerConfig = has('tokenizer_config.json') ? await readJson(path.join(dir, 'tokenizer_config.json')) : {};
  const modelConfig = has('config.json') ? await readJson(path.join(dir, 'config.json')) : {};
  const maxLength = resolveMaxLength(opts.maxLength, tokenizerConfig, modelConfig);

  if (has('tokenizer.json')) {
    const file = path.join(dir, 'tokenizer.json');
    const json = await readJson(file);
    const parts = parseTokenizerJson(json);
    if ('unsupported' in parts) {
      const template = adapterTemplate(json);
      return loadHfTokenizer(file, json, tokenizerConfig, maxLength, template, padIdFrom(tokenizerConfig, modelConfig, undefined));
    }
    checkMaxLength(maxLength, parts.template);
    const padId = parts.padId ?? padIdFrom(tokenizerConfig, modelConfig, parts.vocab) ?? 0;
    return new WordPiecePairTokenizer({ ...parts, maxLength, padId });
  }

  if (has('vocab.txt')) return fromVocabTxt(dir, tokenizerConfig, modelConfig, maxLength);

  throw new ModelError(`no tokenizer files in ${dir}: expected tokenizer.json, or vocab.txt (with an optional tokenizer_config.json)`);
}

async function fromVocabTxt(dir: string, tc: Json, config: Json, maxLength: number): Promise<PairTokenizer> {
  const file = path.join(dir, 'vocab.txt');
  const cls = tc.tokenizer_class;
  if (typeof cls === 'string' && !VOCAB_TXT_CLASSES.test(cls)) {
    throw new ModelError(`${file}: tokenizer_class ${cls} is not BERT WordPiece; this model needs a tokenizer.json`);
  }
  const text = await readText(file);
  const vocab = new Map<string, number>();
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => vocab.set(line.endsWith('\r') ? line.slice(0, -1) : line, i));

  const special = (key: string, fallback: string): string => tokenContent(tc[key]) ?? fallback;
  const unk = special('unk_token', '[UNK]');
  const clsToken = special('cls_token', '[CLS]');
  const sep = special('sep_token', '[SEP]');
  const pad = special('pad_token', '[PAD]');
  const mask = special('mask_token', '[MASK]');

  const added = new Map<string, AddedToken>();
  const addToken = (content: string, id: number | undefined, lstrip = false, rstrip = false): void => {
    if (id !== undefined && content.length > 0) added.set(content, { id, content, lstrip, rstrip });
  };
  for (const t of [pad, unk, clsToken, sep, mask]) addToken(t, vocab.get(t));
  if (Array.isArray(tc.additional_special_tokens)) {
    for (const t of tc.additional_special_tokens) {
      const content = tokenContent(t);
      if (content !== undefined) addToken(content, vocab.get(content));
    }
  }
  if (isObject(tc.added_tokens_decoder)) {
    for (const [id, t] of Object.entries(tc.added_tokens_decoder)) {
      if (isObject(t) && typeof t.content === 'string') addToken(t.content, Number(id), t.lstrip === true, t.rstrip === true);
    }
  }
  const idOf = (t: string): number | undefined => added.get(t)?.id ?? vocab.get(t);
  const clsId = idOf(clsToken);
  const sepId = idOf(sep);
  if (clsId === undefined || sepId === undefined) throw new ModelError(`${file} has no ${clsToken} or ${sep} token`);
  if (idOf(unk) === undefined) throw new ModelError(`${file} has no ${unk} token`);
  for (const t of added.values()) if (!vocab.has(t.content)) vocab.set(t.content, t.id);

  const template = bertPairTemplate(clsId, sepId);
  checkMaxLength(maxLength, template);
  const lowercase = tc.do_lower_case !== false;
  return new WordPiecePairTokenizer({
    vocab,
    wordPiece: { unkToken: unk, continuingSubwordPrefix: '##', maxInputCharsPerWord: 100 },
    normalizer: {
      cleanText: true,
      handleChineseChars: tc.tokenize_chinese_chars !== false,
      stripAccents: typeof tc.strip_accents === 'boolean' ? tc.strip_accents : null,
      lowercase,
    },
    addedTokens: [...added.values()],
    template,
    maxLength,
    padId: idOf(pad) ?? (typeof config.pad_token_id === 'number' ? config.pad_token_id : 0),
  });
}

function resolveMaxLength(requested: number | undefined, tc: Json, config: Json): number {
  const positions = typeof config.max_position_embeddings === 'number' ? config.max_position_embeddings : Infinity;
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1) throw new InputError(`maxLength must be a positive integer; got ${requested}`);
    if (requested > positions) {
      throw new InputError(`maxLength ${requested} exceeds the model's max_position_embeddings (${positions})`);
    }
    return requested;
  }
  const modelMax = typeof tc.model_max_length === 'number' ? tc.model_max_length : Infinity;
  return Math.min(DEFAULT_MAX_LENGTH, modelMax, positions);
}

function checkMaxLength(maxLength: number, template: PairTemplate): void {
  if (maxLength < template.addedCount) {
    throw new InputError(`maxLength ${maxLength} is shorter than the pair's ${template.addedCount} special tokens`);
  }
}

/** The pair template of a tokenizer.json the adapter handles, when it can be read. */
function adapterTemplate(json: Json): PairTemplate | undefined {
  const ids = new Map<string, number>();
  if (Array.isArray(json.added_tokens)) {
    for (const t of json.added_tokens)
      if (isObject(t) && typeof t.content === 'string' && typeof t.id === 'number') ids.set(t.content, t.id);
  }
  return templateOf(json.post_processor, (token) => ids.get(token));
}

/**
 * No post-processor, or a ByteLevel one (offsets only), joins A and B without special tokens,
 * B with type id 1 (Hugging Face tokenizers' default); a Sequence uses the template inside it.
 */
function templateOf(pp: unknown, idOf: (token: string) => number | undefined): PairTemplate | undefined {
  if (pp === null || pp === undefined || (isObject(pp) && pp.type === 'ByteLevel')) {
    return makePairTemplate([
      { kind: 'sequence', seq: 'A', typeId: 0 },
      { kind: 'sequence', seq: 'B', typeId: 1 },
    ]);
  }
  if (isObject(pp) && pp.type === 'Sequence' && Array.isArray(pp.processors)) {
    const inner = pp.processors.filter((p) => !(isObject(p) && p.type === 'ByteLevel'));
    return inner.length === 1 ? templateOf(inner[0], idOf) : undefined;
  }
  const t = parsePostProcessor(pp, idOf);
  return typeof t === 'string' ? undefined : t;
}

function padIdFrom(tc: Json, config: Json, vocab: ReadonlyMap<string, number> | undefined): number | undefined {
  const pad = tokenContent(tc.pad_token);
  const fromVocab = pad !== undefined ? vocab?.get(pad) : undefined;
  if (fromVocab !== undefined) return fromVocab;
  return typeof config.pad_token_id === 'number' ? config.pad_token_id : undefined;
}

function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (cause) {
    throw new ModelError(`cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
}

async function readJson(file: string): Promise<Json> {
  const text = await readText(file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ModelError(`${file} is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  if (!isObject(value)) throw new ModelError(`${file} does not hold a JSON object`);
  return value;
}
