/**
 * Conflicting quantifiers across the sentences ("All dogs bark" / "No dog barks").
 *
 * Quantifiers fall in three classes (analysis/lexicon.ts): universal (all, every, each,
 * everyone, …), existential (some, several, many, a few, a couple, someone, …) and negative
 * (no, none, nobody, nothing, neither, never, …). A conflict between classes X and Y: one sentence
 * has X and not Y, the other has Y and not X. all/no and some/no signal contradiction;
 * all/some is weaker (upward entailment one way only). "each other" is not a quantifier.
 */
import {
  QUANT_EXISTENTIAL_BIT as EXISTENTIAL,
  QUANT_NEGATIVE_BIT as NEGATIVE,
  QUANT_UNIVERSAL_BIT as UNIVERSAL,
  type SideAnalysis,
} from '../analysis/context.js';
import type { FeatureGroup } from '../feature.js';

function quantMask(s: SideAnalysis): number {
  let mask = 0;
  for (let i = 0; i < s.n; i++) {
    const t = s.tokens[i]!;
    const q = s.info[i]!.quant;
    if (q !== 0) {
      if (!(t === 'each' && i + 1 < s.n && s.tokens[i + 1] === 'other')) mask |= q;
    } else if ((t === 'few' || t === 'couple') && i > 0 && s.tokens[i - 1] === 'a') mask |= EXISTENTIAL;
  }
  return mask;
}

function conflict(p: number, h: number, x: number, y: number): number {
  const pxOnly = (p & x) !== 0 && (p & y) === 0;
  const pyOnly = (p & y) !== 0 && (p & x) === 0;
  const hxOnly = (h & x) !== 0 && (h & y) === 0;
  const hyOnly = (h & y) !== 0 && (h & x) === 0;
  return (pxOnly && hyOnly) || (pyOnly && hxOnly) ? 1 : 0;
}

export const quantifier: FeatureGroup = {
  group: 'quantifier',
  columns: [
    { name: 'quant_all_no', description: '1 when one sentence is universal (all/every) and the other negative (no/none), else 0' },
    { name: 'quant_some_no', description: '1 when one sentence is existential (some/a few) and the other negative, else 0' },
    { name: 'quant_all_some', description: '1 when one sentence is universal and the other existential, else 0' },
  ],
  compute(ctx, out, at) {
    const p = quantMask(ctx.premise);
    const h = quantMask(ctx.hypothesis);
    out[at] = conflict(p, h, UNIVERSAL, NEGATIVE);
    out[at + 1] = conflict(p, h, EXISTENTIAL, NEGATIVE);
    out[at + 2] = conflict(p, h, UNIVERSAL, EXISTENTIAL);
  },
};
