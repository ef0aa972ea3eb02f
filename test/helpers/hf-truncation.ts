/**
 * Kept lengths of a pair under `budget` tokens (specials excluded), written here from Hugging Face
 * tokenizers' LongestFirst (tokenizers/src/utils/truncation.rs, `truncate_encodings`) and not from
 * src/tokenize, so this oracle does not share the code under test: the shorter sequence keeps what
 * it has (or the larger part of the budget); when both must shrink the shorter one (the first, on a
 * tie) gets ⌊budget/2⌋ and the other the rest.
 */
export function hfLongestFirst(n1: number, n2: number, budget: number): [number, number] {
  if (n1 + n2 <= budget) return [n1, n2];
  const swap = n1 > n2;
  let short = swap ? n2 : n1;
  let long = short > budget ? short : Math.max(short, budget - short);
  if (short + long > budget) {
    short = Math.floor(budget / 2);
    long = short + (budget % 2);
  }
  return swap ? [long, short] : [short, long];
}
