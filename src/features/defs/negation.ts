/**
 * Negation cues in each sentence and their asymmetry.
 *
 * Polarity difference is the strongest single contradiction cue in de Marneffe et al. (2008):
 * "A man is playing a guitar" / "A man is not playing a guitar". In SICK many contradictions were
 * made exactly so, by inserting not / no / nobody. Cues: no, not, n't, never, nobody, nothing,
 * none, neither, nor, without, nowhere (analysis/lexicon.ts); "isn't" counts via its "n't".
 */
import type { FeatureGroup } from '../feature.js';

export const negation: FeatureGroup = {
  group: 'negation',
  columns: [
    { name: 'neg_premise', description: 'number of negation cues in the premise (count)' },
    { name: 'neg_hypothesis', description: 'number of negation cues in the hypothesis (count)' },
    { name: 'neg_mismatch', description: '|premise cues - hypothesis cues| (count)' },
    { name: 'neg_one_sided', description: '1 when exactly one sentence has a negation cue, else 0' },
  ],
  compute(ctx, out, at) {
    const p = ctx.premise.negCount;
    const h = ctx.hypothesis.negCount;
    out[at] = p;
    out[at + 1] = h;
    out[at + 2] = Math.abs(p - h);
    out[at + 3] = p > 0 !== h > 0 ? 1 : 0;
  },
};
