/**
 * make-model: writes a random-weight BERT export in the Hugging Face / optimum layout
 * (model.onnx, config.json, tokenizer.json, tokenizer_config.json, vocab.txt), so the project
 * can make its own fixtures without downloads.
 *
 * - model.onnx: opset 14, IR 7, fp32, laid out like a torch export (see bert.ts). Head `base`
 *   outputs last_hidden_state and pooler_output; head `seqcls` outputs only `logits`, like
 *   optimum's text-classification export.
 * - Weights: normal(0, 0.02) from a seeded PRNG, LayerNorm γ = 1 and β = 0, the [PAD] row of the
 *   word embeddings zero. Unlike a fresh BERT init, biases are random too, so a consumer that
 *   drops a bias is caught. Same options → byte-identical model.onnx; each tensor has its own
 *   stream, so `base` and `seqcls` with the same seed and size share encoder and pooler weights.
 * - The weights are streamed to disk one tensor at a time (BERT-base: ~110M parameters, 438 MB).
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors.js';
import { writeFileAtomic } from '../report/atomic-file.js';
import { buildBert, type BertSpec } from './bert.js';
import { configJson, tokenizerConfigJson, tokenizerJson, vocabTxt, type TokenizerSpec } from './hf-files.js';
import { writeModel } from './onnx-writer.js';
import { DEFAULT_VOCAB_SIZE, SPECIAL_TOKENS, builtinVocab, fixedVocab, maxBuiltinVocabSize } from './vocab.js';

export type ModelSize = 'tiny' | 'mini' | 'small' | 'medium' | 'base';
export type ModelHead = 'base' | 'seqcls';

export interface MakeModelOptions {
  outDir: string;
  size: ModelSize;
  head: ModelHead;
  /** seqcls only; default 3 (or labelNames.length). */
  labels?: number;
  /** seqcls only; default ENTAILMENT/NEUTRAL/CONTRADICTION for 3 labels, else LABEL_0…. */
  labelNames?: string[];
  /** Default 42. Any safe integer. */
  seed?: number;
  /** Default true; false = export with no token_type_ids input (type id 0 everywhere). */
  tokenTypeIds?: boolean;
  /** Use this vocab.txt (one token per line) instead of the built-in one. */
  vocabFile?: string;
  /** Size of the built-in vocabulary; default 30522. Not allowed together with vocabFile. */
  vocabSize?: number;
  /** Default 512. */
  maxPositions?: number;
}

export interface MakeModelResult {
  outDir: string;
  /** Absolute paths of the files written, sorted. */
  files: string[];
  /** sha256 (hex) of model.onnx. */
  sha256: string;
  parameters: number;
  /** Size of model.onnx in bytes. */
  bytes: number;
}

export interface SizePreset {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
}

export const MODEL_SIZES: Readonly<Record<ModelSize, SizePreset>> = Object.freeze({
  tiny: { layers: 2, hidden: 128, heads: 2, intermediate: 512 },
  mini: { layers: 4, hidden: 256, heads: 4, intermediate: 1024 },
  small: { layers: 4, hidden: 512, heads: 8, intermediate: 2048 },
  medium: { layers: 8, hidden: 512, heads: 8, intermediate: 2048 },
  base: { layers: 12, hidden: 768, heads: 12, intermediate: 3072 },
});

const NLI_LABELS = ['ENTAILMENT', 'NEUTRAL', 'CONTRADICTION'];
const MAX_LABELS = 10_000;
const MIN_POSITIONS = 2;
const MAX_POSITIONS = 8192;

interface Resolved {
  outDir: string;
  bert: BertSpec;
  labelNames: string[] | undefined;
  tokenizer: TokenizerSpec;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v);
}

function readVocabFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`cannot read vocabFile ${file}`, { cause: err });
  }
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  const seen = new Map<string, number>();
  lines.forEach((tok, i) => {
    if (tok.length === 0 || /\s/.test(tok)) throw new InputError(`vocabFile ${file}: line ${i + 1} is empty or contains whitespace`);
    const prev = seen.get(tok);
    if (prev !== undefined) throw new InputError(`vocabFile ${file}: token ${JSON.stringify(tok)} on lines ${prev + 1} and ${i + 1}`);
    seen.set(tok, i);
  });
  for (const special of Object.values(SPECIAL_TOKENS)) {
    if (!seen.has(special)) throw new InputError(`vocabFile ${file} lacks the special token ${special}`);
  }
  return lines;
}

/** A vocabulary with many capitalised words ("The", "London") belongs to a cased model. */
function looksCased(vocab: readonly string[]): boolean {
  let capitalised = 0;
  for (const t of vocab) if (/^[A-Z][a-z]+$/.test(t)) capitalised++;
  return capitalised >= 100;
}

function resolve(opts: MakeModelOptions): Resolved {
  if (opts === null || typeof opts !== 'object') throw new InputError('makeModel needs an options object');
  if (typeof opts.outDir !== 'string' || opts.outDir.trim() === '') throw new InputError('outDir must be a non-empty path');
  const preset = Object.hasOwn(MODEL_SIZES, opts.size) ? MODEL_SIZES[opts.size] : undefined;
  if (!preset) throw new InputError(`size must be one of ${Object.keys(MODEL_SIZES).join(', ')}; got ${String(opts.size)}`);
  if (opts.head !== 'base' && opts.head !== 'seqcls') throw new InputError(`head must be base or seqcls; got ${String(opts.head)}`);
  const seed = opts.seed ?? 42;
  if (!isInt(seed)) throw new InputError(`seed must be a safe integer; got ${String(seed)}`);
  const tokenTypeIds = opts.tokenTypeIds ?? true;
  if (typeof tokenTypeIds !== 'boolean') throw new InputError('tokenTypeIds must be a boolean');
  const maxPositions = opts.maxPositions ?? 512;
  if (!isInt(maxPositions) || maxPositions < MIN_POSITIONS || maxPositions > MAX_POSITIONS) {
    throw new InputError(`maxPositions must be an integer in [${MIN_POSITIONS}, ${MAX_POSITIONS}]; got ${String(maxPositions)}`);
  }

  let labels = 0;
  let labelNames: string[] | undefined;
  if (opts.head === 'base') {
    if (opts.labels !== undefined || opts.labelNames !== undefined) throw new InputError('labels and labelNames apply to head seqcls only');
  } else {
    if (opts.labelNames !== undefined) {
      if (!Array.isArray(opts.labelNames) || !opts.labelNames.every((n) => typeof n === 'string' && n.trim() !== '')) {
        throw new InputError('labelNames must be non-empty strings');
      }
      if (new Set(opts.labelNames).size !== opts.labelNames.length) throw new InputError('labelNames must be unique');
    }
    labels = opts.labels ?? opts.labelNames?.length ?? 3;
    if (!isInt(labels) || labels < 2 || labels > MAX_LABELS)
      throw new InputError(`labels must be an integer in [2, ${MAX_LABELS}]; got ${String(labels)}`);
    if (opts.labelNames !== undefined && opts.labelNames.length !== labels) {
      throw new InputError(`labelNames has ${opts.labelNames.length} names but labels is ${labels}`);
    }
    labelNames = opts.labelNames
      ? [...opts.labelNames]
      : labels === 3
        ? NLI_LABELS
        : Array.from({ length: labels }, (_, i) => `LABEL_${i}`);
  }

  let vocab: string[];
  if (opts.vocabFile !== undefined) {
    if (opts.vocabSize !== undefined) throw new InputError('give vocabFile or vocabSize, not both');
    if (typeof opts.vocabFile !== 'string' || opts.vocabFile === '') throw new InputError('vocabFile must be a path');
    vocab = readVocabFile(opts.vocabFile);
  } else {
    const size = opts.vocabSize ?? DEFAULT_VOCAB_SIZE;
    const min = fixedVocab().length;
    const max = maxBuiltinVocabSize();
    if (!isInt(size) || size < min || size > max)
      throw new InputError(`vocabSize must be an integer in [${min}, ${max}]; got ${String(size)}`);
    vocab = builtinVocab(size);
  }

  return {
    outDir: path.resolve(opts.outDir),
    labelNames,
    tokenizer: { vocab, lowercase: !looksCased(vocab), maxLength: maxPositions },
    bert: {
      ...preset,
      vocabSize: vocab.length,
      maxPositions,
      typeVocabSize: 2,
      layerNormEps: 1e-12,
      padTokenId: vocab.indexOf(SPECIAL_TOKENS.pad),
      head: opts.head,
      labels,
      tokenTypeIds,
      seed,
      initStd: 0.02,
    },
  };
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** Writes the export into opts.outDir (created if missing; existing files of the same names are replaced). */
export async function makeModel(opts: MakeModelOptions): Promise<MakeModelResult> {
  const r = resolve(opts);
  await fs.promises.mkdir(r.outDir, { recursive: true });
  const { header, inits } = buildBert(r.bert);
  const modelFile = path.join(r.outDir, 'model.onnx');
  const written = await writeModel(modelFile, header, inits);
  const textFiles: Array<[string, string]> = [
    ['config.json', json(configJson(r.bert, r.labelNames))],
    ['tokenizer.json', json(tokenizerJson(r.tokenizer))],
    ['tokenizer_config.json', json(tokenizerConfigJson(r.tokenizer))],
    ['vocab.txt', vocabTxt(r.tokenizer.vocab)],
  ];
  // Each file whole or absent, like every output (report/atomic-file.ts).
  for (const [name, text] of textFiles) await writeFileAtomic(path.join(r.outDir, name), text);
  const files = [modelFile, ...textFiles.map(([name]) => path.join(r.outDir, name))].sort();
  return { outDir: r.outDir, files, sha256: written.sha256, parameters: written.parameters, bytes: written.bytes };
}
