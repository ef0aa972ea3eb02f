/**
 * Jaccard overlap of the two sentences' word sets.
 *
 * Lexical overlap is the baseline every SICK system has (high overlap → entailment or a
 * contradiction made by a small edit; low → neutral). Two views:
 * - `jaccard_token`: all tokens as written (lowercased), function words included, so
 *   "a" → "the" or "is" → "are" edits count;
 * - `jaccard_lemma`: content-word lemmas only, so inflection and function words do not matter
 *   ("dogs are running" ~ "a dog runs").
 * Sets are distinct words; 0 when both sets are empty.
 */
import type { FeatureGroup } from '../feature.js';

function contains(list: string[], n: number, w: string, mask: Uint8Array | undefined): boolean {
  for (let i = 0; i < n; i++) if ((mask === undefined || mask[i]) && list[i] === w) return true;
  return false;
}

function isFirstMasked(list: string[], i: number, mask: Uint8Array | undefined): boolean {
  const w = list[i]!;
  for (let k = 0; k < i; k++) if ((mask === undefined || mask[k]) && list[k] === w) return false;
  return true;
}

/** Jaccard of the distinct entries of a[0..na) and b[0..nb), optionally restricted by masks. */
export function jaccard(
  a: string[],
  na: number,
  aMask: Uint8Array | undefined,
  b: string[],
  nb: number,
  bMask: Uint8Array | undefined,
): number {
  let sizeA = 0;
  let sizeB = 0;
  let inter = 0;
  for (let i = 0; i < na; i++) {
    if ((aMask !== undefined && !aMask[i]) || !isFirstMasked(a, i, aMask)) continue;
    sizeA++;
    if (contains(b, nb, a[i]!, bMask)) inter++;
  }
  for (let j = 0; j < nb; j++) {
    if ((bMask !== undefined && !bMask[j]) || !isFirstMasked(b, j, bMask)) continue;
    sizeB++;
  }
  const union = sizeA + sizeB - inter;
  return union > 0 ? inter / union : 0;
}

export const jaccardGroup: FeatureGroup = {
  group: 'jaccard',
  columns: [
    { name: 'jaccard_token', description: 'Jaccard of distinct tokens, all words [0,1]' },
    { name: 'jaccard_lemma', description: 'Jaccard of distinct content-word lemmas [0,1]' },
  ],
  compute(ctx, out, at) {
    const p = ctx.premise;
    const h = ctx.hypothesis;
    out[at] = jaccard(p.tokens, p.n, undefined, h.tokens, h.n, undefined);
    out[at + 1] = jaccard(p.lemmas, p.n, p.content, h.lemmas, h.n, h.content);
  },
};
