/**
 * WordNet data level: the few pointer relations the features use, parsed from data.* into
 * compact arrays.
 *
 * Data line format (wndb(5)): `offset lex_filenum ss_type w_cnt word lex_id ... p_cnt
 * pointer_symbol synset_offset pos source/target ... [frames] | gloss`. We keep:
 *   `@`, `@i`  hypernym / instance hypernym (nouns, verbs)  → hypernym CSR
 *   `!`        antonym. Lexical pointer (source/target word numbers, hex `sstt`): kept as
 *              lemma → antonym lemmas (nouns apart from the rest); for adjectives also at
 *              synset level (head ↔ head) for cluster antonymy
 *   `&`        similar-to: a satellite adjective's head synset (heads `a`, satellites `s`)
 *   `^`        also-see between adjective heads (happy ^ glad ! sad: lets happy/sad meet)
 * Synsets are renumbered 0..N-1 (`idx`) across parts of speech; `keyToIdx` maps synset keys
 * (dict.ts) to it. Glosses, verb frames and every other pointer are skipped.
 */
import { ADJ, NOUN, POS_NAMES, type PosCode, forEachLine, posOfLetter, readDictFile, synsetKey } from './dict.js';

/** Compressed adjacency list: neighbours of i are list[start[i] .. start[i+1]). */
export interface Csr {
  start: Int32Array;
  list: Int32Array;
}

export interface WordNetRelations {
  /** Synset key → dense synset index. */
  keyToIdx: Map<number, number>;
  /** Hypernyms and instance hypernyms of each synset (indices). */
  hypernyms: Csr;
  /** Adjective synsets: head synset index (itself for heads, the `&` target for satellites); -1 otherwise. */
  adjHead: Int32Array;
  /** Adjective head → antonym head synsets (synset level, any word pair). */
  adjAntonyms: Csr;
  /** Adjective head → also-see heads. */
  adjAlsoSee: Csr;
  /** Lemma → its direct (lexical) antonyms as verbs, adjectives or adverbs. */
  lexicalAntonyms: Map<string, string[]>;
  /** Lemma → its direct (lexical) antonyms as nouns (man/woman, boy/girl). */
  nounAntonyms: Map<string, string[]>;
  /** Number of synsets parsed. */
  size: number;
}

const REL_HYPER = 0;
const REL_ANT = 1;
const REL_SIMILAR = 2;
const REL_ALSO = 3;

function buildCsr(n: number, from: number[], to: number[]): Csr {
  const start = new Int32Array(n + 1);
  for (const f of from) start[f + 1]!++;
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const list = new Int32Array(from.length);
  for (let e = 0; e < from.length; e++) list[fill[from[e]!]!++] = to[e]!;
  return { start, list };
}

/** Strips an adjective syntactic marker (`big(a)`, `galore(ip)`) and lowercases. */
function cleanWord(w: string): string {
  const paren = w.indexOf('(');
  return (paren > 0 ? w.slice(0, paren) : w).toLowerCase();
}

/** Parses data.noun/verb/adj/adv from `dir`. */
export async function loadRelations(dir: string): Promise<WordNetRelations> {
  const texts = await Promise.all(POS_NAMES.map((p) => readDictFile(dir, `data.${p}`)));
  const keyToIdx = new Map<number, number>();
  const synPos: number[] = [];
  const isSatellite: boolean[] = [];
  // Words of every synset (temporary, to resolve lexical antonym targets).
  const words: string[] = [];
  const wordStart: number[] = [];
  // Pointer edges before target resolution.
  const eType: number[] = [];
  const eFrom: number[] = [];
  const eToKey: number[] = [];
  const eWords: number[] = []; // source/target word numbers, hex sstt as a number
  let n = 0;
  for (let pos = 0 as PosCode; pos < 4; pos = (pos + 1) as PosCode) {
    const text = texts[pos];
    if (text === undefined) throw new Error(`WordNet file data.${POS_NAMES[pos]} is missing in ${dir}`);
    forEachLine(text, (line) => {
      const bar = line.indexOf(' | ');
      const f = (bar >= 0 ? line.slice(0, bar) : line).split(' ');
      const idx = n++;
      keyToIdx.set(synsetKey(Number(f[0]), pos), idx);
      synPos.push(pos);
      isSatellite.push(f[2] === 's');
      wordStart.push(words.length);
      const wCnt = parseInt(f[3]!, 16);
      let i = 4;
      for (let w = 0; w < wCnt; w++, i += 2) words.push(cleanWord(f[i]!));
      const pCnt = Number(f[i++]);
      for (let p = 0; p < pCnt; p++, i += 4) {
        const sym = f[i]!;
        let type: number;
        if (sym === '@' || sym === '@i') type = REL_HYPER;
        else if (sym === '!') type = REL_ANT;
        else if (sym === '&' && pos === ADJ) type = REL_SIMILAR;
        else if (sym === '^' && pos === ADJ) type = REL_ALSO;
        else continue;
        eType.push(type);
        eFrom.push(idx);
        eToKey.push(synsetKey(Number(f[i + 1]), posOfLetter(f[i + 2]!)));
        eWords.push(parseInt(f[i + 3]!, 16));
      }
    });
  }
  wordStart.push(words.length);

  const adjHead = new Int32Array(n).fill(-1);
  for (let s = 0; s < n; s++) if (synPos[s] === ADJ && !isSatellite[s]) adjHead[s] = s;
  const hyperFrom: number[] = [];
  const hyperTo: number[] = [];
  const antFrom: number[] = [];
  const antTo: number[] = [];
  const alsoFrom: number[] = [];
  const alsoTo: number[] = [];
  const lexicalAntonyms = new Map<string, string[]>();
  const nounAntonyms = new Map<string, string[]>();
  const addLexical = (map: Map<string, string[]>, a: string, b: string): void => {
    if (a === b) return;
    const list = map.get(a);
    if (list === undefined) map.set(a, [b]);
    else if (!list.includes(b)) list.push(b);
  };
  for (let e = 0; e < eType.length; e++) {
    const from = eFrom[e]!;
    const to = keyToIdx.get(eToKey[e]!);
    if (to === undefined) continue;
    switch (eType[e]) {
      case REL_HYPER:
        hyperFrom.push(from);
        hyperTo.push(to);
        break;
      case REL_SIMILAR:
        if (isSatellite[from] && adjHead[from] === -1) adjHead[from] = to;
        break;
      case REL_ALSO:
        if (!isSatellite[from] && !isSatellite[to]) {
          alsoFrom.push(from);
          alsoTo.push(to);
        }
        break;
      case REL_ANT: {
        const st = eWords[e]!;
        const src = st >> 8;
        const tgt = st & 0xff;
        if (src > 0 && tgt > 0) {
          const a = words[wordStart[from]! + src - 1];
          const b = words[wordStart[to]! + tgt - 1];
          if (a !== undefined && b !== undefined) {
            const map = synPos[from] === NOUN ? nounAntonyms : lexicalAntonyms;
            addLexical(map, a, b);
            addLexical(map, b, a);
          }
        }
        if (synPos[from] === ADJ && synPos[to] === ADJ) {
          antFrom.push(from);
          antTo.push(to);
        }
        break;
      }
    }
  }
  return {
    keyToIdx,
    hypernyms: buildCsr(n, hyperFrom, hyperTo),
    adjHead,
    adjAntonyms: buildCsr(n, antFrom, antTo),
    adjAlsoSee: buildCsr(n, alsoFrom, alsoTo),
    lexicalAntonyms,
    nounAntonyms,
    size: n,
  };
}
