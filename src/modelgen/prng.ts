/**
 * Seeded random numbers for model weights: mulberry32 for uniforms, the polar method for normals.
 * Each tensor gets its own stream, seeded from (seed, tensor key), so a tensor's values do not
 * depend on which other tensors exist: a `base` and a `seqcls` model made with the same seed and
 * size share their encoder and pooler weights exactly.
 */

/** FNV-1a over the key's UTF-16 code units, mixed with the seed (murmur3 finaliser). */
export function streamSeed(seed: number, key: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  // Fold the high part of a seed above 2^32 in as well, so 1 and 2^32+1 differ.
  h = Math.imul(h ^ Math.floor(seed / 0x100000000), 0x01000193);
  for (let i = 0; i < key.length; i++) {
    h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_OVER_2_32 = 2 / 4294967296;

/**
 * Fills `out` with normal(0, std) values from the stream (seed, key), rounded to fp32.
 * Uniforms come from mulberry32 (inlined: ~3x faster than a closure per draw), normals from the
 * Marsaglia polar method (no trigonometry): BERT-base's 110M values take a few seconds.
 */
export function fillNormal(out: Float32Array, std: number, seed: number, key: string): void {
  let a = streamSeed(seed, key) | 0;
  const n = out.length;
  let i = 0;
  while (i < n) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) * TWO_OVER_2_32 - 1;
    a = (a + 0x6d2b79f5) | 0;
    t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const v = ((t ^ (t >>> 14)) >>> 0) * TWO_OVER_2_32 - 1;
    const s = u * u + v * v;
    if (s >= 1 || s === 0) continue;
    const f = std * Math.sqrt((-2 * Math.log(s)) / s);
    out[i++] = u * f;
    if (i < n) out[i++] = v * f;
  }
}
