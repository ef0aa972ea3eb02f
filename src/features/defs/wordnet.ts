/**
 * How the hypothesis's new words relate to the premise through WordNet.
 *
 * For each hypothesis content word that is not literally (token or lemma) in the premise, look
 * for a premise content word that is its synonym (shared synset), that it generalizes (the
 * hypothesis word is a hypernym: dog → animal, man → person: entailment-preserving), or that it
 * specializes (the hypothesis word is a hyponym: animal → dog: adds information, neutral).
 * Each column is the fraction of those unaligned words with such a link (0 when there are none;
 * the `alignment` group carries their count). Lexical substitution of this kind is what most
 * SICK entailments are made of.
 */
import { type FeatureGroup, ratio } from '../feature.js';
import { RELATION_A_GENERAL, RELATION_B_GENERAL, RELATION_SYNONYM } from '../wordnet/wordnet.js';

export const wordnet: FeatureGroup = {
  group: 'wordnet',
  needsRelations: true,
  columns: [
    { name: 'wn_synonym', description: 'fraction of unaligned hypothesis content words with a premise synonym [0,1]' },
    { name: 'wn_hypernym', description: 'fraction of unaligned hypothesis content words that generalize a premise word [0,1]' },
    { name: 'wn_hyponym', description: 'fraction of unaligned hypothesis content words that specialize a premise word [0,1]' },
  ],
  compute(ctx, out, at) {
    let total = 0;
    let syn = 0;
    let hyper = 0;
    let hypo = 0;
    const wn = ctx.wordnet;
    const p = ctx.premise;
    const h = ctx.hypothesis;
    if (wn !== undefined) {
      const pairs = ctx.substitutions();
      total = pairs.words;
      let k = 0;
      for (let w = 0; w < pairs.words; w++) {
        const end = pairs.wordEnd[w]!;
        let s = false;
        let up = false;
        let down = false;
        // Once all three links are found, the word's remaining pairs cannot change its counts.
        for (; k < end && !(s && up && down); k++) {
          const r = wn.relate(p.lemmas[pairs.prem[k]!]!, h.lemmas[pairs.hyp[k]!]!);
          if (r & RELATION_SYNONYM) s = true;
          if (r & RELATION_B_GENERAL) up = true;
          if (r & RELATION_A_GENERAL) down = true;
        }
        k = end;
        if (s) syn++;
        if (up) hyper++;
        if (down) hypo++;
      }
    }
    out[at] = ratio(syn, total);
    out[at + 1] = ratio(hyper, total);
    out[at + 2] = ratio(hypo, total);
  },
};
