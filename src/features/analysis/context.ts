/**
 * The shared per-pair analysis every feature reads, computed once per `compute` call:
 * tokens, lemmas, content-word flags, negation cues and scope, and cross-sentence alignment.
 *
 * Allocation-light: an `Analyzer` owns one `PairContext` whose arrays are reused (grown when a
 * sentence is longer than any before); the context is valid until the next `analyze` call.
 *
 * Definitions used by several features:
 * - content word: not a stopword, negation cue or modal (lexicon.ts), and has a letter or digit;
 * - negated token: within NEG_WINDOW tokens after a negation cue, the window closing early at
 *   clause punctuation or a scope breaker (and, but, which, …): "is not sad" negates "sad";
 * - aligned token: its lemma (or surface form) occurs anywhere in the other sentence.
 *
 * Parts only some groups read are built on first use per pair: the candidate word substitutions
 * (substitutions.ts), which the WordNet groups share.
 */
import type { WordNet } from '../wordnet/wordnet.js';
import type { Lemmatizer } from './lemmatize.js';
import { SubstitutionPairs } from './substitutions.js';
import {
  MODALS,
  NEGATION_CUES,
  NUMBER_WORDS,
  QUANT_EXISTENTIAL,
  QUANT_NEGATIVE,
  QUANT_UNIVERSAL,
  SCOPE_BREAKERS,
  STOPWORDS,
} from './lexicon.js';
import { type TokenBuffer, createTokenBuffer, tokenizeInto } from './tokenize.js';

/** Tokens after a negation cue that it scopes over. */
export const NEG_WINDOW = 3;

/** Facts about one word form, computed once per distinct token and memoised. */
export interface TokenInfo {
  lemma: string;
  /** Negation cue. */
  cue: boolean;
  /** Content word. */
  content: boolean;
  /** Closes a negation scope (and, but, which, …). */
  breaker: boolean;
  /** Modal bit (MODAL_BIT of its canonical form), 0 when not a modal. */
  modal: number;
  /** Quantifier class bit (QUANT_*), 0 when none. */
  quant: number;
  /** Numeric value of a digit token or number word (via its lemma too: dozens), -1 when none. */
  num: number;
}

export const QUANT_UNIVERSAL_BIT = 1;
export const QUANT_EXISTENTIAL_BIT = 2;
export const QUANT_NEGATIVE_BIT = 4;

/** Bit per canonical modal (can, could, …), in MODALS order. */
export const MODAL_BIT: ReadonlyMap<string, number> = (() => {
  const bits = new Map<string, number>();
  for (const canonical of MODALS.values()) if (!bits.has(canonical)) bits.set(canonical, 1 << bits.size);
  return bits;
})();

const MEMO_LIMIT = 200_000;

export interface SideAnalysis {
  /** Number of tokens. Arrays below are only valid in [0, n). */
  n: number;
  tokens: string[];
  lemmas: string[];
  /** Per-token facts (shared, memoised objects: read only). */
  info: TokenInfo[];
  /** 1 for content words. */
  content: Uint8Array;
  /** 1 for negation cues. */
  negCue: Uint8Array;
  /** 1 for tokens inside a negation scope. */
  negated: Uint8Array;
  /** 1 when the lemma or token occurs in the other sentence. */
  aligned: Uint8Array;
  negCount: number;
  contentCount: number;
  /** Internal token buffer (tokens + clause breaks). */
  readonly buf: TokenBuffer;
}

export interface PairContext {
  premise: SideAnalysis;
  hypothesis: SideAnalysis;
  /** WordNet with relations when a selected feature needs it, else index-only or undefined. */
  wordnet: WordNet | undefined;
  /** Unaligned hypothesis content words × premise content words; built on the first call per pair, read only. */
  substitutions(): Readonly<SubstitutionPairs>;
}

function createSide(): SideAnalysis {
  const buf = createTokenBuffer();
  return {
    n: 0,
    tokens: buf.tokens,
    lemmas: [],
    info: [],
    content: new Uint8Array(64),
    negCue: new Uint8Array(64),
    negated: new Uint8Array(64),
    aligned: new Uint8Array(64),
    negCount: 0,
    contentCount: 0,
    buf,
  };
}

function ensure(side: SideAnalysis, n: number): void {
  if (side.content.length >= n) return;
  let cap = side.content.length;
  while (cap < n) cap *= 2;
  side.content = new Uint8Array(cap);
  side.negCue = new Uint8Array(cap);
  side.negated = new Uint8Array(cap);
  side.aligned = new Uint8Array(cap);
}

function hasWordChar(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 0x7f) return true;
  }
  return false;
}

function includesN(list: string[], n: number, w: string): boolean {
  for (let i = 0; i < n; i++) if (list[i] === w) return true;
  return false;
}

function numberValue(t: string, lemma: string): number {
  const c = t.charCodeAt(0);
  if (c >= 48 && c <= 57) {
    const v = Number(t.includes(',') ? t.replace(/,/g, '') : t);
    return Number.isFinite(v) && v >= 0 ? v : -1;
  }
  return NUMBER_WORDS.get(t) ?? NUMBER_WORDS.get(lemma) ?? -1;
}

export class Analyzer {
  readonly context: PairContext;
  private readonly vocab = new Map<string, TokenInfo>();
  private readonly pairs = new SubstitutionPairs();
  /** `pairs` still holds an earlier pair's list. */
  private pairsStale = true;

  constructor(
    private readonly lemmatizer: Lemmatizer | undefined,
    wordnet: WordNet | undefined,
  ) {
    this.context = { premise: createSide(), hypothesis: createSide(), wordnet, substitutions: () => this.substitutions() };
  }

  analyze(premise: string, hypothesis: string): PairContext {
    const ctx = this.context;
    this.side(premise, ctx.premise);
    this.side(hypothesis, ctx.hypothesis);
    align(ctx.premise, ctx.hypothesis);
    align(ctx.hypothesis, ctx.premise);
    this.pairsStale = true;
    return ctx;
  }

  private substitutions(): SubstitutionPairs {
    if (this.pairsStale) {
      this.pairs.fill(this.context.premise, this.context.hypothesis);
      this.pairsStale = false;
    }
    return this.pairs;
  }

  /** Facts about token `t` (memoised). */
  info(t: string): TokenInfo {
    const hit = this.vocab.get(t);
    if (hit !== undefined) return hit;
    const lemma = this.lemmatizer ? this.lemmatizer.lemma(t) : t;
    const cue = NEGATION_CUES.has(t);
    const modal = MODALS.get(t);
    const info: TokenInfo = {
      lemma,
      cue,
      content: !cue && !STOPWORDS.has(t) && modal === undefined && hasWordChar(t),
      breaker: SCOPE_BREAKERS.has(t),
      modal: modal === undefined ? 0 : MODAL_BIT.get(modal)!,
      quant: QUANT_UNIVERSAL.has(t)
        ? QUANT_UNIVERSAL_BIT
        : QUANT_EXISTENTIAL.has(t)
          ? QUANT_EXISTENTIAL_BIT
          : QUANT_NEGATIVE.has(t)
            ? QUANT_NEGATIVE_BIT
            : 0,
      num: numberValue(t, lemma),
    };
    if (this.vocab.size >= MEMO_LIMIT) this.vocab.clear();
    this.vocab.set(t, info);
    return info;
  }

  private side(text: string, s: SideAnalysis): void {
    tokenizeInto(text, s.buf);
    const n = s.buf.length;
    s.n = n;
    s.tokens = s.buf.tokens;
    ensure(s, n);
    const brk = s.buf.breakBefore;
    let negCount = 0;
    let contentCount = 0;
    let scope = 0; // tokens of negation scope left
    for (let i = 0; i < n; i++) {
      const info = this.info(s.tokens[i]!);
      s.info[i] = info;
      s.lemmas[i] = info.lemma;
      if (brk[i] || info.breaker) scope = 0;
      const cue = info.cue;
      s.negCue[i] = cue ? 1 : 0;
      s.negated[i] = !cue && scope > 0 ? 1 : 0;
      if (scope > 0) scope--;
      if (cue) {
        negCount++;
        scope = NEG_WINDOW;
      }
      s.content[i] = info.content ? 1 : 0;
      if (info.content) contentCount++;
    }
    s.negCount = negCount;
    s.contentCount = contentCount;
  }
}

/** aligned[i] of `a` = token i of `a` (lemma or surface form) occurs in `b`. */
function align(a: SideAnalysis, b: SideAnalysis): void {
  for (let i = 0; i < a.n; i++) {
    a.aligned[i] = includesN(b.lemmas, b.n, a.lemmas[i]!) || includesN(b.tokens, b.n, a.tokens[i]!) ? 1 : 0;
  }
}
