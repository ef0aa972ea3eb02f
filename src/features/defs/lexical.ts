/**
 * Lexicalized features: hashed cross-sentence word pairs (opt-in group `lexical`).
 *
 * The dense groups say *that* words differ; these say *which* words differ. Bowman et al.
 * (2015) showed a classifier with lexicalized cross-unigram features reaches 77.8% on SICK:
 * most SICK pairs are one sentence edited by a word or two, and the identity of the edit
 * (man → woman, playing → sleeping, a → no, not inserted) carries the label. Indicators are
 * hashed (FNV-1a, fixed salt per kind) into LEXICAL_BUCKETS count columns `lex_0000…`:
 * - `x|p|h` for every unaligned premise lemma p and unaligned hypothesis lemma h (the edit);
 * - `h|w` for every unaligned hypothesis lemma, `p|w` for every unaligned premise lemma
 *   (insertions and deletions: "not", "no", an added adjective).
 * "Unaligned" = lemma and form absent from the other sentence (analysis/context.ts), over all
 * word tokens except the articles a/an/the, so negation cues and quantifiers take part.
 * Bucket ids never change (fixed hash and size), so saved heads keep their meaning.
 *
 * Not part of `all` (hundreds of mostly-zero columns would swamp JSONL/CSV output): select it
 * explicitly, e.g. `--features all,lexical`.
 */
import type { SideAnalysis } from '../analysis/context.js';
import type { FeatureGroup } from '../feature.js';

export const LEXICAL_BUCKETS = 1024;

const WIDTH = String(LEXICAL_BUCKETS - 1).length;

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h >>> 0;
}

function isWord(w: string): boolean {
  if (w === 'a' || w === 'an' || w === 'the') return false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c > 0x7f) return true;
  }
  return false;
}

/** Unaligned word lemmas of a side (deduplicated, in order). */
function unaligned(s: SideAnalysis, into: string[]): string[] {
  into.length = 0;
  for (let i = 0; i < s.n; i++) {
    if (s.aligned[i] || !isWord(s.tokens[i]!)) continue;
    const l = s.lemmas[i]!;
    if (!into.includes(l)) into.push(l);
  }
  return into;
}

const bufP: string[] = [];
const bufH: string[] = [];

export const lexical: FeatureGroup = {
  group: 'lexical',
  columns: Array.from({ length: LEXICAL_BUCKETS }, (_, k) => ({
    name: `lex_${String(k).padStart(WIDTH, '0')}`,
    description: `hashed cross-sentence word-pair / unaligned-word indicators, bucket ${k} of ${LEXICAL_BUCKETS} (count)`,
  })),
  compute(ctx, out, at) {
    out.fill(0, at, at + LEXICAL_BUCKETS);
    const ps = unaligned(ctx.premise, bufP);
    const hs = unaligned(ctx.hypothesis, bufH);
    for (const h of hs) out[at + (fnv(`h|${h}`) % LEXICAL_BUCKETS)]! += 1;
    for (const p of ps) {
      out[at + (fnv(`p|${p}`) % LEXICAL_BUCKETS)]! += 1;
      for (const h of hs) out[at + (fnv(`x|${p}|${h}`) % LEXICAL_BUCKETS)]! += 1;
    }
  },
};
