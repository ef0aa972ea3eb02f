/**
 * Sentence length difference and ratio, in tokens.
 *
 * Hypotheses much shorter than their premise tend to be entailed (material was dropped); longer
 * ones tend to be neutral (material was added). Cheap, and it lets the MLP weigh the overlap
 * features by how much text there was to overlap.
 */
import type { FeatureGroup } from '../feature.js';

export const length: FeatureGroup = {
  group: 'length',
  columns: [
    { name: 'len_diff', description: '|premise tokens - hypothesis tokens| (count)' },
    { name: 'len_ratio', description: 'hypothesis tokens / premise tokens (0 when the premise is empty)' },
  ],
  compute(ctx, out, at) {
    const p = ctx.premise.n;
    const h = ctx.hypothesis.n;
    out[at] = Math.abs(p - h);
    out[at + 1] = p > 0 ? h / p : 0;
  },
};
