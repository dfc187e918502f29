// Fixed, seeded prompts: the same run key always gives the same words. The words are whole tokens
// of the generated models' vocabulary, so a prompt of N words is about N tokens.

const WORDS = (
  "the of and to in is that it for was on are as with be by this at from or have an not but " +
  "what all were we when your can said there use each which she do how their if will up other " +
  "about out many then them these so some her would make like him into time has look two more " +
  "write go see number no way could people my than first water been call who its now find long " +
  "down day did get come made may part hello world model token json user assistant system yes"
).split(" ");

/** mulberry32: a small, fast, seeded PRNG (uniform in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A stable 32-bit seed from a string key (FNV-1a). */
export function seedFromKey(key: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** `words` seeded words separated by spaces. */
export function seededWords(key: string, words: number): string {
  const random = seededRandom(seedFromKey(key));
  return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ");
}
