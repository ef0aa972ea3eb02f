/**
 * Fraction of hypothesis bigrams that also occur in the premise.
 *
 * Word overlap ignores order; bigrams catch role swaps and local edits that keep the words
 * ("A man is chasing a dog" / "A dog is chasing a man" keeps every word, loses bigrams).
 * Bigrams are over lemmas of all tokens except the articles a/an/the (so "A man" / "The man"
 * agree and article-swapped role changes still show). 0 when fewer than two words remain.
 */
import type { SideAnalysis } from '../analysis/context.js';
import type { FeatureGroup } from '../feature.js';

function isArticle(w: string): boolean {
  return w === 'a' || w === 'an' || w === 'the';
}

/** Next non-article index at or after i, or n. */
function next(s: SideAnalysis, i: number): number {
  while (i < s.n && isArticle(s.tokens[i]!)) i++;
  return i;
}

export const bigram: FeatureGroup = {
  group: 'bigram',
  columns: [{ name: 'bigram_cov', description: 'fraction of hypothesis lemma bigrams (articles skipped) found in the premise [0,1]' }],
  compute(ctx, out, at) {
    const p = ctx.premise;
    const h = ctx.hypothesis;
    let hit = 0;
    let total = 0;
    for (let j = next(h, 0), j2 = next(h, j + 1); j2 < h.n; j = j2, j2 = next(h, j2 + 1)) {
      total++;
      const a = h.lemmas[j]!;
      const b = h.lemmas[j2]!;
      for (let i = next(p, 0), i2 = next(p, i + 1); i2 < p.n; i = i2, i2 = next(p, i2 + 1)) {
        if (p.lemmas[i] === a && p.lemmas[i2] === b) {
          hit++;
          break;
        }
      }
    }
    out[at] = total > 0 ? hit / total : 0;
  },
};
