/**
 * Numbers that appear in one sentence and not the other ("Three dogs run" / "Two dogs run").
 *
 * Numeric mismatch is one of de Marneffe et al.'s (2008) contradiction features. Numbers are
 * digit tokens (3, 3.5, 1,000) and number words (one … twenty, thirty … ninety, hundred,
 * thousand, million, billion, dozen, couple, pair; plurals via lemmas: "dozens"). "one" after
 * no/any/some/each/the/… is a pronoun and skipped. A 1 is matched by an indefinite article in the
 * other sentence ("One dog" / "A dog" agree). At most MAX_NUMBERS numbers per sentence are read.
 */
import { ONE_PRONOUN_BEFORE } from '../analysis/lexicon.js';
import type { SideAnalysis } from '../analysis/context.js';
import type { FeatureGroup } from '../feature.js';

const MAX_NUMBERS = 16;
const pNums = new Float64Array(MAX_NUMBERS);
const hNums = new Float64Array(MAX_NUMBERS);

/** Fills `into` with the numbers of `s`; returns how many. */
function numbers(s: SideAnalysis, into: Float64Array): number {
  let k = 0;
  for (let i = 0; i < s.n && k < MAX_NUMBERS; i++) {
    const v = s.info[i]!.num;
    if (v < 0) continue;
    if (v === 1 && i > 0 && s.tokens[i] === 'one' && ONE_PRONOUN_BEFORE.has(s.tokens[i - 1]!)) continue;
    into[k++] = v;
  }
  return k;
}

function hasArticle(s: SideAnalysis): boolean {
  for (let i = 0; i < s.n; i++) if (s.tokens[i] === 'a' || s.tokens[i] === 'an') return true;
  return false;
}

/** Numbers of `a` (count `na`) that are not among those of `b`. */
function unmatched(a: Float64Array, na: number, b: Float64Array, nb: number, bArticle: boolean): number {
  let miss = 0;
  for (let i = 0; i < na; i++) {
    const v = a[i]!;
    let found = v === 1 && bArticle;
    for (let j = 0; j < nb && !found; j++) if (b[j] === v) found = true;
    if (!found) miss++;
  }
  return miss;
}

export const number: FeatureGroup = {
  group: 'number',
  columns: [
    { name: 'num_hyp_unmatched', description: 'numbers in the hypothesis not in the premise (count)' },
    { name: 'num_prem_unmatched', description: 'numbers in the premise not in the hypothesis (count)' },
    { name: 'num_mismatch', description: '1 when both sentences have numbers and they differ, else 0' },
  ],
  compute(ctx, out, at) {
    const np = numbers(ctx.premise, pNums);
    const nh = numbers(ctx.hypothesis, hNums);
    const hMiss = unmatched(hNums, nh, pNums, np, hasArticle(ctx.premise));
    const pMiss = unmatched(pNums, np, hNums, nh, hasArticle(ctx.hypothesis));
    out[at] = hMiss;
    out[at + 1] = pMiss;
    out[at + 2] = np > 0 && nh > 0 && hMiss + pMiss > 0 ? 1 : 0;
  },
};
