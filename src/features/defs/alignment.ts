/**
 * Unaligned content words and a crude subject / main-verb comparison.
 *
 * de Marneffe et al. (2008) found that contradictions need the sentences to talk about the same
 * event; alignment features say whether they do. Without a parser we use two cheap proxies that
 * fit SICK's simple "A <noun> is <verb>ing …" sentences:
 * - `unaligned_hyp` / `unaligned_prem`: content words whose lemma is not in the other sentence;
 * - subject = first content word that is not a number; verb = first content word after it ending in -ing, else the
 *   first one after it whose lemma is a WordNet verb. `subj_mismatch` / `verb_mismatch` are 1 when
 *   both sentences have one and the lemmas are neither equal, synonyms, nor hypernym-related
 *   (man / person agree, man / woman do not); else 0.
 */
import { NUMBER_WORDS } from '../analysis/lexicon.js';
import { VERB } from '../wordnet/dict.js';
import type { WordNet } from '../wordnet/wordnet.js';
import type { SideAnalysis } from '../analysis/context.js';
import type { FeatureGroup } from '../feature.js';

/** First content word that is not a number (a subject head, in SICK's simple sentences). */
function firstContent(s: SideAnalysis, from: number): number {
  for (let i = from; i < s.n; i++) {
    if (!s.content[i]) continue;
    const t = s.tokens[i]!;
    const c = t.charCodeAt(0);
    if ((c >= 48 && c <= 57) || NUMBER_WORDS.has(t)) continue;
    return i;
  }
  return -1;
}

function verbIndex(s: SideAnalysis, subject: number, wn: WordNet | undefined): number {
  if (subject < 0) return -1;
  for (let i = subject + 1; i < s.n; i++) if (s.content[i] && s.tokens[i]!.endsWith('ing')) return i;
  if (wn === undefined) return -1;
  for (let i = subject + 1; i < s.n; i++) if (s.content[i] && wn.lexicon.has(s.lemmas[i]!, VERB)) return i;
  return -1;
}

function mismatch(a: string, b: string, wn: WordNet | undefined): number {
  if (a === b) return 0;
  if (wn !== undefined && wn.relate(a, b) !== 0) return 0;
  return 1;
}

function unaligned(s: SideAnalysis): number {
  let c = 0;
  for (let i = 0; i < s.n; i++) if (s.content[i] && !s.aligned[i]) c++;
  return c;
}

export const alignment: FeatureGroup = {
  group: 'alignment',
  needsRelations: true,
  columns: [
    { name: 'unaligned_hyp', description: 'hypothesis content words not in the premise (count)' },
    { name: 'unaligned_prem', description: 'premise content words not in the hypothesis (count)' },
    { name: 'subj_mismatch', description: '1 when the first content words (subjects) differ and are not WordNet-related, else 0' },
    { name: 'verb_mismatch', description: '1 when the main verbs differ and are not WordNet-related, else 0' },
  ],
  compute(ctx, out, at) {
    const p = ctx.premise;
    const h = ctx.hypothesis;
    const wn = ctx.wordnet;
    out[at] = unaligned(h);
    out[at + 1] = unaligned(p);
    const ps = firstContent(p, 0);
    const hs = firstContent(h, 0);
    out[at + 2] = ps >= 0 && hs >= 0 ? mismatch(p.lemmas[ps]!, h.lemmas[hs]!, wn) : 0;
    const pv = verbIndex(p, ps, wn);
    const hv = verbIndex(h, hs, wn);
    out[at + 3] = pv >= 0 && hv >= 0 ? mismatch(p.lemmas[pv]!, h.lemmas[hv]!, wn) : 0;
  },
};
