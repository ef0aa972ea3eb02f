/**
 * Part-of-speech-agnostic lemmatizer after WordNet's morphy.
 *
 * morphy(word, pos) = exception list entry, else the word's detachment-rule bases that are WordNet
 * lemmas of that part of speech. We have no tagger, so we try every part of speech and keep, like
 * NLTK's WordNetLemmatizer, the *shortest* valid candidate (the word itself counts when it is a
 * lemma; ties keep the earlier of: word, noun, verb, adjective bases). Order of decisions:
 *   1. irregular forms: *.exc entries when the dictionary has them, then analysis/irregular.ts
 *      (children → child, mice → mouse, was → be, n't → not, 'll → will);
 *   2. function words (lexicon STOPWORDS, negation cues, modals) and tokens without a letter
 *      stay as they are (so "is"/"as"/"us" never become "i"/"a"/"u");
 *   3. detachment rules — noun: s ses xes zes ches shes men ies; verb: s ies es ed ing;
 *      adjective: er est — with three adjustments standing in for the missing exc files:
 *      a. a doubled final consonant left by -ing/-ed/-er/-est is undoubled, and wins over the
 *         doubled stem (running → run, stopped → stop, bigger → big, putting → put not putt);
 *      b. a bare -ing/-ed stem ending vowel + single consonant loses to its "+e" form when that
 *         is a verb, since English would have doubled the consonant (riding → ride not rid,
 *         staring → stare not star, hoping → hope);
 *      c. -er/-est apply only to words that are not WordNet nouns or verbs (forest, water stay).
 * Results are memoised (bounded) per word.
 */
import { ADJ, NOUN, type PosCode, VERB } from '../wordnet/dict.js';
import type { WordNetLexicon } from '../wordnet/lexicon.js';
import { IRREGULAR } from './irregular.js';
import { MODALS, NEGATION_CUES, STOPWORDS } from './lexicon.js';

type Rule = readonly [suffix: string, replacement: string, pos: PosCode, undouble: boolean];

const RULES: readonly Rule[] = [
  ['s', '', NOUN, false],
  ['ses', 's', NOUN, false],
  ['xes', 'x', NOUN, false],
  ['zes', 'z', NOUN, false],
  ['ches', 'ch', NOUN, false],
  ['shes', 'sh', NOUN, false],
  ['men', 'man', NOUN, false],
  ['ies', 'y', NOUN, false],
  ['s', '', VERB, false],
  ['ies', 'y', VERB, false],
  ['es', 'e', VERB, false],
  ['es', '', VERB, false],
  ['ed', 'e', VERB, false],
  ['ed', '', VERB, true],
  ['ing', 'e', VERB, false],
  ['ing', '', VERB, true],
  ['er', '', ADJ, true],
  ['est', '', ADJ, true],
  ['er', 'e', ADJ, false],
  ['est', 'e', ADJ, false],
];

const MEMO_LIMIT = 200_000;

function hasLetter(w: string): boolean {
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if ((c >= 97 && c <= 122) || c > 0x7f) return true;
  }
  return false;
}

function isDoubledConsonant(stem: string): boolean {
  const n = stem.length;
  if (n < 3) return false;
  const c = stem.charCodeAt(n - 1);
  if (c !== stem.charCodeAt(n - 2)) return false;
  // a e i o u, and l s f z that are often doubled in base forms (fall, pass, stuff, buzz).
  return !'aeioulsfz'.includes(stem[n - 1]!);
}

const VOWELS = 'aeiou';

/** Stem ends in vowel + one consonant other than w/x/y (rid, star, hop). */
function endsVowelConsonant(stem: string): boolean {
  const n = stem.length;
  if (n < 2) return false;
  const last = stem[n - 1]!;
  return !VOWELS.includes(last) && !'wxy'.includes(last) && VOWELS.includes(stem[n - 2]!) && (n < 3 || !VOWELS.includes(stem[n - 3]!));
}

export class Lemmatizer {
  private readonly memo = new Map<string, string>();

  constructor(private readonly lexicon: WordNetLexicon) {}

  lemma(word: string): string {
    const hit = this.memo.get(word);
    if (hit !== undefined) return hit;
    const result = this.compute(word);
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(word, result);
    return result;
  }

  private compute(word: string): string {
    const exc = this.lexicon.exceptions.get(word) ?? IRREGULAR.get(word);
    if (exc !== undefined) return exc;
    if (STOPWORDS.has(word) || NEGATION_CUES.has(word) || MODALS.has(word) || !hasLetter(word)) return word;
    const lex = this.lexicon;
    let best: string | undefined = lex.hasAny(word) ? word : undefined;
    const nounOrVerb = lex.has(word, NOUN) || lex.has(word, VERB);
    for (const [suffix, repl, pos, undouble] of RULES) {
      if (!word.endsWith(suffix) || word.length - suffix.length < 2) continue;
      const stem = word.slice(0, word.length - suffix.length);
      // Comparative/superlative rules only for words that are not nouns/verbs themselves (forest, water).
      if (pos === ADJ && nounOrVerb) continue;
      let base = stem + repl;
      if (undouble && isDoubledConsonant(stem) && lex.has(stem.slice(0, -1), pos)) {
        base = stem.slice(0, -1); // putting → put, not putt
      } else if (!lex.has(base, pos)) {
        if (!undouble || !isDoubledConsonant(stem)) continue;
        base = stem.slice(0, -1);
        if (!lex.has(base, pos)) continue;
      } else if (
        pos === VERB &&
        repl === '' &&
        (suffix === 'ing' || suffix === 'ed') &&
        endsVowelConsonant(stem) &&
        lex.has(stem + 'e', VERB)
      ) {
        base = stem + 'e';
      }
      if (best === undefined || base.length < best.length) best = base;
    }
    return best ?? word;
  }
}
