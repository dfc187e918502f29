// Deterministic seeded randomness for generated weights: FNV-1a string hash, mulberry32 PRNG, uniform fills.

/** FNV-1a 32-bit hash of a string's UTF-16 code units (unsigned result). */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** mulberry32: a small, fast 32-bit PRNG returning floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The PRNG seed of one named tensor: the same (seed, name) always gives the same stream. */
export function tensorSeed(seed: number, name: string): number {
  return (fnv1a32(name) ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
}

/** Fills `data` with uniform values in [-a, a] where a = std·√3, so their standard deviation is `std`. */
export function fillUniform(data: Float32Array, seed: number, name: string, std: number): void {
  const next = mulberry32(tensorSeed(seed, name));
  const amplitude = std * Math.sqrt(3);
  for (let i = 0; i < data.length; i++) data[i] = (next() * 2 - 1) * amplitude;
}
