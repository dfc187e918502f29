// Fixed, seeded prompts: the same run key always gives the same words. The words are whole tokens
// of the generated models' vocabulary, so a prompt of N words is about N tokens.
import { fnv1a32, mulberry32 } from "../src/inference/gguf/seededRandom.js";

/** A stable 32-bit seed from a string key. */
export const seedFromKey = fnv1a32;

const WORDS = (
  "the of and to in is that it for was on are as with be by this at from or have an not but " +
  "what all were we when your can said there use each which she do how their if will up other " +
  "about out many then them these so some her would make like him into time has look two more " +
  "write go see number no way could people my than first water been call who its now find long " +
  "down day did get come made may part hello world model token json user assistant system yes"
).split(" ");

/** `words` seeded words separated by spaces. */
export function seededWords(key: string, words: number): string {
  const random = mulberry32(fnv1a32(key));
  return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ");
}
