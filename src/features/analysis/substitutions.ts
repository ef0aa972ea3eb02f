/**
 * The candidate lexical substitutions of a pair, for the groups that look word pairs up in
 * WordNet (antonym, wordnet): each hypothesis content word that is not aligned (its lemma and
 * surface form are absent from the premise), paired with every premise content word.
 *
 * Premise words are not filtered by alignment here: the wordnet group relates a new hypothesis
 * word to any premise word, while the antonym group wants a substitution on both sides and skips
 * aligned premise words itself.
 *
 * Built on first use per pair (PairContext.substitutions), into buffers reused across pairs.
 */
import type { SideAnalysis } from './context.js';

function grown(a: Int32Array, n: number): Int32Array {
  if (a.length >= n) return a;
  let cap = a.length;
  while (cap < n) cap *= 2;
  return new Int32Array(cap);
}

export class SubstitutionPairs {
  /** Number of unaligned hypothesis content words, counting those with no premise content word to pair with. */
  words = 0;
  /** Number of pairs. The pair arrays below are only valid in [0, length). */
  length = 0;
  /** Hypothesis token index of each pair. Pairs run by hypothesis word, then premise word, in token order. */
  hyp: Int32Array = new Int32Array(64);
  /** Premise token index of each pair. */
  prem: Int32Array = new Int32Array(64);
  /** For hypothesis word w (0 ≤ w < words), its pairs end before wordEnd[w] and start at wordEnd[w - 1] (or 0). */
  wordEnd: Int32Array = new Int32Array(16);

  /** Replaces the list with the pairs of `p` (premise) and `h` (hypothesis). */
  fill(p: SideAnalysis, h: SideAnalysis): void {
    this.wordEnd = grown(this.wordEnd, h.contentCount);
    this.hyp = grown(this.hyp, h.contentCount * p.contentCount);
    this.prem = grown(this.prem, h.contentCount * p.contentCount);
    let words = 0;
    let length = 0;
    for (let j = 0; j < h.n; j++) {
      if (!h.content[j] || h.aligned[j]) continue;
      for (let i = 0; i < p.n; i++) {
        if (!p.content[i]) continue;
        this.hyp[length] = j;
        this.prem[length] = i;
        length++;
      }
      this.wordEnd[words++] = length;
    }
    this.words = words;
    this.length = length;
  }
}
