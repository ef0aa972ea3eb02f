/**
 * WordNet antonym pairs across the two sentences ("The boy is happy" / "The boy is sad").
 *
 * Antonymy is de Marneffe et al.'s (2008) second lexical contradiction cue. A pair is a premise
 * content lemma a and a hypothesis content lemma b that WordNet calls antonyms (direct lexical
 * antonyms, or adjective clusters through similar-to / also-see: see wordnet/wordnet.ts), where
 * the pair is a real substitution: b does not occur in the premise and a not in the hypothesis
 * (so "a man and a woman" / "a woman and a man" counts nothing).
 * - `antonym_pairs`: such pairs of verbs/adjectives/adverbs (sad/happy, sit/stand, open/close),
 *   neither word under negation — contradiction evidence;
 * - `antonym_nouns`: noun-only antonyms (man/woman, boy/girl), neither negated. Kept apart
 *   because on SICK they mark a different participant — mostly NEUTRAL, not a contradiction;
 * - `antonym_negated`: pairs where exactly one word is negated ("not sad" / "happy"), which
 *   rather signals agreement, so it is kept apart instead of being counted above.
 */
import type { FeatureGroup } from '../feature.js';
import { ANTONYM_NONE, ANTONYM_NOUN } from '../wordnet/wordnet.js';

export const antonym: FeatureGroup = {
  group: 'antonym',
  needsRelations: true,
  columns: [
    { name: 'antonym_pairs', description: 'verb/adjective/adverb antonym pairs (premise word, hypothesis word), neither negated (count)' },
    { name: 'antonym_nouns', description: 'noun-only antonym pairs (man/woman), neither negated (count)' },
    { name: 'antonym_negated', description: 'antonym pairs with exactly one side negated (count)' },
  ],
  compute(ctx, out, at) {
    let plain = 0;
    let nouns = 0;
    let negated = 0;
    const wn = ctx.wordnet;
    const p = ctx.premise;
    const h = ctx.hypothesis;
    if (wn !== undefined) {
      const pairs = ctx.substitutions();
      for (let k = 0; k < pairs.length; k++) {
        const i = pairs.prem[k]!;
        if (p.aligned[i]) continue;
        const j = pairs.hyp[k]!;
        const kind = wn.antonymKind(p.lemmas[i]!, h.lemmas[j]!);
        if (kind === ANTONYM_NONE) continue;
        const neg = p.negated[i]! + h.negated[j]!;
        if (neg === 1) negated++;
        else if (neg === 0) {
          if (kind === ANTONYM_NOUN) nouns++;
          else plain++;
        }
      }
    }
    out[at] = plain;
    out[at + 1] = nouns;
    out[at + 2] = negated;
  },
};
