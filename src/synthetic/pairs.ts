/**
 * Built-in synthetic NLI pairs for the demo, benchmarks and tests: seeded and
 * deterministic, with the contradiction types the hand-crafted features target
 * (negation, antonyms, numbers, quantifiers) beside entailments (dropped
 * modifiers, hypernyms) and neutrals (added detail, other subjects).
 * Invented sentences: no third-party data set is copied.
 */
export interface SyntheticPair {
  id: string;
  premise: string;
  hypothesis: string;
  label: 'ENTAILMENT' | 'NEUTRAL' | 'CONTRADICTION';
}

const SUBJECTS: Array<[noun: string, plural: string, hypernym: string]> = [
  ['man', 'men', 'person'],
  ['woman', 'women', 'person'],
  ['boy', 'boys', 'child'],
  ['girl', 'girls', 'child'],
  ['dog', 'dogs', 'animal'],
  ['cat', 'cats', 'animal'],
  ['chef', 'chefs', 'cook'],
  ['player', 'players', 'athlete'],
  ['musician', 'musicians', 'performer'],
  ['horse', 'horses', 'animal'],
  ['student', 'students', 'person'],
];
const ACTIONS: Array<[ing: string, detail: string]> = [
  ['playing a guitar', 'on a stage'],
  ['riding a bicycle', 'down a hill'],
  ['cooking some food', 'in a kitchen'],
  ['reading a book', 'under a tree'],
  ['running in a park', 'near a lake'],
  ['jumping over a fence', 'in a field'],
  ['eating a sandwich', 'at a table'],
  ['swimming in a pool', 'at night'],
  ['climbing a wall', 'with a rope'],
  ['walking on the beach', 'at sunset'],
  ['sleeping on a couch', 'in the afternoon'],
  ['dancing in the street', 'with friends'],
];
const ADJECTIVES: Array<[string, string]> = [
  ['happy', 'sad'],
  ['young', 'old'],
  ['tall', 'short'],
  ['big', 'small'],
  ['fast', 'slow'],
  ['wet', 'dry'],
  ['clean', 'dirty'],
  ['strong', 'weak'],
  ['loud', 'quiet'],
  ['rich', 'poor'],
];
const NUMBERS = ['two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** mulberry32: tiny, fast, seedable (also the tests' seeded fixtures). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

type Maker = (pick: <T>(xs: readonly T[]) => T) => Omit<SyntheticPair, 'id'>;

const MAKERS: Maker[] = [
  (pick) => {
    // negation
    const [n] = pick(SUBJECTS);
    const [a] = pick(ACTIONS);
    return pick([
      { premise: `A ${n} is ${a}`, hypothesis: `A ${n} is not ${a}`, label: 'CONTRADICTION' as const },
      { premise: `A ${n} is ${a}`, hypothesis: `There is no ${n} ${a}`, label: 'CONTRADICTION' as const },
      { premise: `The ${n} isn't ${a}`, hypothesis: `The ${n} is ${a}`, label: 'CONTRADICTION' as const },
    ]);
  },
  (pick) => {
    // antonym
    const [n] = pick(SUBJECTS);
    const [a] = pick(ACTIONS);
    const [x, y] = pick(ADJECTIVES);
    return { premise: `A ${x} ${n} is ${a}`, hypothesis: `A ${y} ${n} is ${a}`, label: 'CONTRADICTION' };
  },
  (pick) => {
    // number
    const [, p] = pick(SUBJECTS);
    const [a] = pick(ACTIONS);
    const i = pick([0, 1, 2, 3, 4, 5, 6, 7]);
    return { premise: `${cap(NUMBERS[i]!)} ${p} are ${a}`, hypothesis: `${cap(NUMBERS[i + 1]!)} ${p} are ${a}`, label: 'CONTRADICTION' };
  },
  (pick) => {
    // quantifier
    const [, p] = pick(SUBJECTS);
    const [a] = pick(ACTIONS);
    return { premise: `All the ${p} are ${a}`, hypothesis: `None of the ${p} are ${a}`, label: 'CONTRADICTION' };
  },
  (pick) => {
    // entailment: dropped modifier
    const [n] = pick(SUBJECTS);
    const [a] = pick(ACTIONS);
    const [x] = pick(ADJECTIVES);
    return { premise: `A ${x} ${n} is ${a}`, hypothesis: `A ${n} is ${a}`, label: 'ENTAILMENT' };
  },
  (pick) => {
    // entailment: hypernym, dropped detail
    const [n, , h] = pick(SUBJECTS);
    const [a, d] = pick(ACTIONS);
    return { premise: `A ${n} is ${a} ${d}`, hypothesis: `A ${h} is ${a}`, label: 'ENTAILMENT' };
  },
  (pick) => {
    // entailment: same number
    const [, p] = pick(SUBJECTS);
    const [a, d] = pick(ACTIONS);
    const num = pick(NUMBERS);
    return { premise: `${cap(num)} ${p} are ${a} ${d}`, hypothesis: `${cap(num)} ${p} are ${a}`, label: 'ENTAILMENT' };
  },
  (pick) => {
    // neutral: added detail
    const [n] = pick(SUBJECTS);
    const [a, d] = pick(ACTIONS);
    return { premise: `A ${n} is ${a}`, hypothesis: `A ${n} is ${a} ${d}`, label: 'NEUTRAL' };
  },
  (pick) => {
    // neutral: other subject and action
    const s1 = pick(SUBJECTS);
    const a1 = pick(ACTIONS);
    // A different subject and action, so the pair can never be an entailment.
    const [n1] = s1;
    const [n2] = SUBJECTS[(SUBJECTS.indexOf(s1) + pick([1, 2, 3])) % SUBJECTS.length]!;
    const [a2] = ACTIONS[(ACTIONS.indexOf(a1) + pick([1, 2, 3])) % ACTIONS.length]!;
    return { premise: `A ${n1} is ${a1[0]}`, hypothesis: `A ${n2} is ${a2}`, label: 'NEUTRAL' };
  },
  (pick) => {
    // neutral: added adjective
    const [n] = pick(SUBJECTS);
    const [a] = pick(ACTIONS);
    const [x] = pick(ADJECTIVES);
    return { premise: `A ${n} is ${a}`, hypothesis: `A ${x} ${n} is ${a}`, label: 'NEUTRAL' };
  },
];

/** `count` pairs, the same for the same seed. */
export function* generatePairs(count: number, seed = 7): Generator<SyntheticPair> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  for (let i = 0; i < count; i++) {
    yield { id: `syn-${i}`, ...pick(MAKERS)(pick) };
  }
}
