/**
 * Modal verbs present in one sentence and not the other.
 *
 * Modality changes what a sentence commits to ("A man is playing" vs "A man might be playing"),
 * one of de Marneffe et al.'s (2008) contradiction/non-entailment features. Modals: can, could,
 * may, might, must, shall, should, will ('ll, won't), would ('d), ought. A modal right after
 * a/an/the/this/that is a noun ("a can of soda") and is skipped.
 */
import type { SideAnalysis } from '../analysis/context.js';
import type { FeatureGroup } from '../feature.js';

const DETERMINERS = new Set(['a', 'an', 'the', 'this', 'that']);

function modalMask(s: SideAnalysis): number {
  let mask = 0;
  for (let i = 0; i < s.n; i++) {
    const bit = s.info[i]!.modal;
    if (bit === 0 || (i > 0 && DETERMINERS.has(s.tokens[i - 1]!))) continue;
    mask |= bit;
  }
  return mask;
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

export const modal: FeatureGroup = {
  group: 'modal',
  columns: [
    { name: 'modal_mismatch', description: 'distinct modals in exactly one of the sentences (count)' },
    { name: 'modal_one_sided', description: '1 when only one sentence has a modal, else 0' },
  ],
  compute(ctx, out, at) {
    const p = modalMask(ctx.premise);
    const h = modalMask(ctx.hypothesis);
    out[at] = popcount(p ^ h);
    out[at + 1] = (p !== 0) !== (h !== 0) ? 1 : 0;
  },
};
