/**
 * Closed-class word lists the features share. Entries are lowercase surface tokens as the
 * tokenizer emits them (so "n't" is its own token).
 */

/** Negation cues (de Marneffe et al. 2008 polarity features). */
export const NEGATION_CUES: ReadonlySet<string> = new Set([
  'no', 'not', "n't", 'never', 'nobody', 'nothing', 'none', 'neither', 'nor', 'without', 'nowhere',
  'noone', 'nope',
]);

/** Tokens that close a negation scope early (besides clause punctuation). */
export const SCOPE_BREAKERS: ReadonlySet<string> = new Set([
  'and', 'but', 'or', 'while', 'whereas', 'although', 'though', 'because', 'which', 'who', 'that', 'where', 'when',
]);

/** Modal verbs, keyed by surface token, valued by their canonical form. */
export const MODALS: ReadonlyMap<string, string> = new Map([
  ['can', 'can'], ['could', 'could'], ['may', 'may'], ['might', 'might'], ['must', 'must'],
  ['shall', 'shall'], ['should', 'should'], ['will', 'will'], ["'ll", 'will'], ['would', 'would'],
  ["'d", 'would'], ['ought', 'ought'],
]);

/**
 * Function words that are not content: determiners, pronouns, prepositions, conjunctions,
 * auxiliaries and clitics. Negation cues and modals are excluded from content separately.
 */
export const STOPWORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'this', 'that', 'these', 'those', 'some', 'any', 'each', 'every', 'all', 'both', 'either',
  'another', 'other', 'such', 'few', 'many', 'much', 'more', 'most', 'several', 'own', 'same',
  'i', 'me', 'my', 'mine', 'myself', 'you', 'your', 'yours', 'yourself', 'he', 'him', 'his', 'himself',
  'she', 'her', 'hers', 'herself', 'it', 'its', 'itself', 'we', 'us', 'our', 'ours', 'ourselves',
  'they', 'them', 'their', 'theirs', 'themselves', 'one', 'ones', 'someone', 'somebody', 'something',
  'anyone', 'anybody', 'anything', 'everyone', 'everybody', 'everything', 'who', 'whom', 'whose',
  'which', 'what', 'where', 'when', 'why', 'how', 'there', 'here', 'then', 'than', 'so', 'too', 'very',
  'just', 'also', 'only', 'even', 'as', 'at', 'by', 'for', 'from', 'in', 'into', 'of', 'off', 'on', 'onto',
  'out', 'over', 'to', 'up', 'down', 'with', 'about', 'above', 'across', 'after', 'against', 'along',
  'around', 'before', 'behind', 'below', 'beneath', 'beside', 'besides', 'between', 'beyond', 'during',
  'inside', 'near', 'next', 'outside', 'through', 'throughout', 'toward', 'towards', 'under',
  'underneath', 'until', 'upon', 'within', 'via', 'and', 'or', 'but', 'if', 'because', 'while',
  'whereas', 'although', 'though', 'unless', 'since', 'whether', 'be', 'is', 'am', 'are', 'was', 'were',
  'been', 'being', 'have', 'has', 'had', 'having', 'do', 'does', 'did', 'doing', 'done', "'s", "'re",
  "'ve", "'m", 'being', 'get', 'gets', 'got', 'getting',
]);

/**
 * Number words → value. Each word is its own number ("two hundred" gives 2 and 100: enough to tell
 * that two sentences mention different quantities). Ordinals, "both", "half" are left out: too
 * often not a count.
 */
export const NUMBER_WORDS: ReadonlyMap<string, number> = new Map([
  ['zero', 0], ['one', 1], ['two', 2], ['three', 3], ['four', 4], ['five', 5], ['six', 6], ['seven', 7],
  ['eight', 8], ['nine', 9], ['ten', 10], ['eleven', 11], ['twelve', 12], ['thirteen', 13],
  ['fourteen', 14], ['fifteen', 15], ['sixteen', 16], ['seventeen', 17], ['eighteen', 18],
  ['nineteen', 19], ['twenty', 20], ['thirty', 30], ['forty', 40], ['fifty', 50], ['sixty', 60],
  ['seventy', 70], ['eighty', 80], ['ninety', 90], ['hundred', 100], ['thousand', 1000],
  ['million', 1e6], ['billion', 1e9], ['dozen', 12], ['couple', 2], ['pair', 2],
]);

/** Words before which "one" is a pronoun, not the number 1 (no one, the one, each one, …). */
export const ONE_PRONOUN_BEFORE: ReadonlySet<string> = new Set([
  'no', 'any', 'some', 'every', 'each', 'the', 'this', 'that', 'which', 'another', 'other', 'little', 'only',
]);

/** Quantifier classes (monotonicity classes of generalized quantifiers). */
export const QUANT_UNIVERSAL: ReadonlySet<string> = new Set([
  'all', 'every', 'each', 'everyone', 'everybody', 'everything', 'always', 'both', 'entire', 'whole',
]);
export const QUANT_EXISTENTIAL: ReadonlySet<string> = new Set([
  'some', 'someone', 'somebody', 'something', 'several', 'many', 'various', 'sometimes', 'numerous',
]);
export const QUANT_NEGATIVE: ReadonlySet<string> = new Set([
  'no', 'none', 'nobody', 'nothing', 'neither', 'nowhere', 'never', 'noone',
]);
