/**
 * How much of each sentence the other one covers.
 *
 * Entailed hypotheses in SICK are mostly the premise with material dropped or replaced by a
 * synonym, so nearly all of the hypothesis is found in the premise; neutral ones add words.
 * The direction matters, which Jaccard hides:
 * - `cov_hyp_token`: fraction of hypothesis tokens (all words) present as tokens in the premise;
 * - `cov_hyp_lemma`: fraction of hypothesis content words whose lemma (or form) is in the premise;
 * - `cov_prem_lemma`: the same from the premise's side (premise material the hypothesis dropped).
 * 0 when the sentence (or its content) is empty.
 */
import type { SideAnalysis } from '../analysis/context.js';
import { type FeatureGroup, ratio } from '../feature.js';

function tokenCoverage(a: SideAnalysis, b: SideAnalysis): number {
  let hit = 0;
  for (let i = 0; i < a.n; i++) {
    const t = a.tokens[i]!;
    for (let j = 0; j < b.n; j++) {
      if (b.tokens[j] === t) {
        hit++;
        break;
      }
    }
  }
  return ratio(hit, a.n);
}

function contentCoverage(a: SideAnalysis): number {
  let hit = 0;
  for (let i = 0; i < a.n; i++) if (a.content[i] && a.aligned[i]) hit++;
  return ratio(hit, a.contentCount);
}

export const coverage: FeatureGroup = {
  group: 'coverage',
  columns: [
    { name: 'cov_hyp_token', description: 'fraction of hypothesis tokens found in the premise [0,1]' },
    { name: 'cov_hyp_lemma', description: 'fraction of hypothesis content lemmas found in the premise [0,1]' },
    { name: 'cov_prem_lemma', description: 'fraction of premise content lemmas found in the hypothesis [0,1]' },
  ],
  compute(ctx, out, at) {
    out[at] = tokenCoverage(ctx.hypothesis, ctx.premise);
    out[at + 1] = contentCoverage(ctx.hypothesis);
    out[at + 2] = contentCoverage(ctx.premise);
  },
};
